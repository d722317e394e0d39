"""The result cache is invisible except in speed: same findings warm or cold, whatever changed."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from hipcheck.caching.files import folder_for
from hipcheck.caching.runs import RACY_NS
from hipcheck.engine import check_paths

from helpers import REPO, TODAY, write_tree

EXERCISE = """\
id: {id}
name: Side-lying abductions {n}
level: beginner
equipment: [none]
unilateral: true
starting_position: Lie on your right side.
steps:
  - Lift the top leg.
  - Lower it slowly.
muscles:
  primary: [gluteus-medius]
dosage: {{sets: 1, reps: 10, per_side: true}}
"""
MUSCLE = "id: gluteus-medius\nkind: muscle\nname: gluteus medius\n"


def findings(root: Path, **options: object) -> list[tuple[str, int, str, str]]:
    result = check_paths([str(root)], cwd=root, today=TODAY, **options)  # type: ignore[arg-type]
    assert not result.internal_errors
    return [(d.path, d.span.line, d.code, d.message) for d in result.diagnostics]


def _age(root: Path) -> None:
    """Make every file look older than the cache, as files are between real runs."""
    old = time.time() - 60
    for path in root.rglob("*"):
        if path.is_file():
            os.utime(path, (old, old))


@pytest.fixture
def site(tmp_path: Path) -> Path:
    files = {"muscles/gluteus-medius.yaml": MUSCLE}
    for n in range(30):
        files[f"exercises/ex-{n}.yaml"] = EXERCISE.format(id=f"ex-{n}", n=n)
    write_tree(tmp_path, files)
    _age(tmp_path)
    return tmp_path


def test_warm_run_equals_cold_run(site: Path) -> None:
    cold = findings(site, cache=False)
    first = findings(site)
    assert list(folder_for(site, "results").glob("*.summary.json"))
    assert sorted(p.name for p in site.iterdir()) == ["exercises", "muscles"]  # nothing written in the work tree
    second = findings(site)
    assert cold == first == second


def test_changing_a_muscle_re_reports_the_exercises_that_use_it(site: Path) -> None:
    # the house's muscles only: with the built-in vocabulary, gluteus-medius would stay known
    (site / "hipcheck.toml").write_text('[muscles]\nvocabulary = "content"\n')
    assert findings(site) == []
    renamed = MUSCLE.replace("id: gluteus-medius", "id: glute-med").replace("name: gluteus medius", "name: glute med")
    (site / "muscles/gluteus-medius.yaml").write_text(renamed)
    after = findings(site)
    unknown = {path for path, _, code, _ in after if code == "HC401"}
    assert unknown == {f"exercises/ex-{n}.yaml" for n in range(30)}
    assert after == findings(site, cache=False)
    (site / "muscles/gluteus-medius.yaml").write_text(MUSCLE)
    assert findings(site) == []


def test_same_size_rewrite_right_after_a_run_is_seen(site: Path) -> None:
    """Size and mtime are trusted only for files older than the cache by a margin (as git does): a
    same-size edit within that margin, whose mtime may equal the old one on a coarse clock, is re-read."""
    findings(site)
    target = site / "exercises/ex-0.yaml"
    before = target.stat()
    text = target.read_text().replace("reps: 10", "reps: -1")  # same length, now out of range
    assert len(text.encode()) == before.st_size
    target.write_text(text)
    os.utime(target, ns=(before.st_atime_ns, time.time_ns()))  # as a same-tick write would leave it
    assert [code for path, _, code, _ in findings(site) if path.endswith("ex-0.yaml")] == ["HC101"]


def test_touched_files_are_digested_not_checked_again(site: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A checkout or `touch` changes mtimes, not bytes: the per-file stage reads each such file, finds
    the digest the cache knows, and reuses its result (findings included) without loading it."""
    (site / "exercises/ex-3.yaml").write_text(EXERCISE.format(id="ex-3", n=3).replace("reps: 10", "reps: -1"))
    _age(site)
    first = findings(site)
    assert [code for path, _, code, _ in first if path == "exercises/ex-3.yaml"] == ["HC101"]
    now = time.time()
    for path in (site / "exercises").iterdir():
        os.utime(path, (now, now))
    import hipcheck.stages

    loaded: list[str] = []
    real = hipcheck.stages.read_records
    monkeypatch.setattr(hipcheck.stages, "read_records", lambda *a: loaded.append(a[2]) or real(*a))
    assert findings(site, jobs=1) == first
    assert loaded == []
    (site / "exercises/ex-4.yaml").write_text(EXERCISE.format(id="ex-4", n=4).replace("reps: 10", "reps: 0"))
    changed = findings(site, jobs=1)
    assert loaded == ["exercises/ex-4.yaml"]
    assert changed == findings(site, cache=False)
    assert [path for path, _, code, _ in changed if code == "HC101"] == ["exercises/ex-3.yaml", "exercises/ex-4.yaml"]


def test_configuration_and_date_changes_invalidate(site: Path) -> None:
    findings(site)
    (site / "hipcheck.toml").write_text('[severity]\nHC401 = "warning"\n')
    (site / "exercises/ex-1.yaml").write_text(EXERCISE.format(id="ex-1", n=1).replace("gluteus-medius", "nope"))
    warm = findings(site)
    assert [(code, message) for _, _, code, message in warm if code == "HC401"]
    result = check_paths([str(site)], cwd=site, today=TODAY)
    assert {d.severity.value for d in result.diagnostics if d.code == "HC401"} == {"warning"}
    (site / "hipcheck.toml").write_text('ignore = ["HC401"]\n')
    assert not [f for f in findings(site) if f[2] == "HC401"]


def test_no_cache_leaves_no_trace(tmp_path: Path) -> None:
    write_tree(tmp_path, {"exercises/a.yaml": "id: a\nname: A\n"})
    findings(tmp_path, cache=False)
    assert not folder_for(tmp_path, "results").exists()


def test_corrupt_cache_is_ignored(site: Path) -> None:
    expected = findings(site)
    for path in folder_for(site, "results").glob("*.json*"):
        path.write_bytes(b"\x80\x05not JSON")
    assert findings(site) == expected


def test_output_is_the_same_for_any_number_of_jobs(tmp_path: Path) -> None:
    root = tmp_path / "drafts"
    shutil.copytree(REPO / "examples" / "drafts", root)
    for n in range(250):  # enough files for the worker pool to be used
        write_tree(root, {f"exercises/extra-{n}.yaml": EXERCISE.format(id=f"extra-{n}", n=n)})
    one = findings(root, cache=False, jobs=1)
    two = findings(root, cache=False, jobs=2)
    assert one == two and len(one) > 30


def test_worker_batches_take_articles_first_and_every_file_once() -> None:
    """Articles cost about ten times another file: they go first, so the workers finish together."""
    from hipcheck.stages import _batches

    todo = [(f"e{i}", "exercise", f"e{i}", "") for i in range(900)]
    todo[450:450] = [(f"a{i}", "article", f"a{i}", "") for i in range(60)]
    batches = _batches(todo, jobs=2)
    flat = [i for batch in batches for i in batch]
    assert sorted(flat) == list(range(len(todo)))
    assert [todo[i][1] for i in flat[:60]] == ["article"] * 60
    assert flat[60:] == sorted(flat[60:])  # the rest keep their order
    # A batch costs 1,500 / (2 jobs × 4) = 187: 19 articles, or 187 other files.
    assert [len(batch) for batch in batches[:3]] == [19, 19, 19] and len(batches[-2]) == 187


def test_concurrent_runs_never_corrupt_the_cache(site: Path) -> None:
    (site / "exercises/ex-2.yaml").write_text("id: ex-2\nname: Broken\n")
    command = [sys.executable, "-m", "hipcheck", "check", ".", "--format", "json", "--today", TODAY.isoformat()]
    runs = [subprocess.Popen(command, cwd=site, stdout=subprocess.PIPE, text=True) for _ in range(6)]
    reports = [json.loads(run.communicate(timeout=120)[0]) for run in runs]
    assert all(r == reports[0] for r in reports)
    again = subprocess.run(command, cwd=site, capture_output=True, text=True, timeout=120)
    assert json.loads(again.stdout) == reports[0]
    assert not list(folder_for(site, "results").glob(".*.tmp"))  # no temporary file left behind


def _cli(site: Path, *args: str) -> dict:
    command = [sys.executable, "-m", "hipcheck", "check", ".", "--format", "json", "--today", TODAY.isoformat(), *args]
    return json.loads(subprocess.run(command, cwd=site, capture_output=True, text=True, timeout=120).stdout)


def _replays(site: Path) -> bool:
    """Whether the next run would come from the fast path (same invocation, nothing changed)."""
    from hipcheck.caching import runs

    return runs.replay(["."], site.resolve(), TODAY) is not None


def test_unchanged_runs_replay_and_any_change_runs_again(site: Path) -> None:
    # A file's change time cannot be set back: wait until the fixture's files are older than the racy
    # margin, as files are between real runs, so their stat is trusted.
    time.sleep(RACY_NS / 1e9 + 0.2)
    first = _cli(site)
    assert _replays(site)
    assert _cli(site) == first

    (site / "exercises/ex-3.yaml").write_text("id: ex-3\nname: Changed\n")
    assert not _replays(site)
    changed = _cli(site)
    assert any(d["path"] == "exercises/ex-3.yaml" for d in changed["diagnostics"])

    _age(site)
    _cli(site)
    (site / "exercises/new.yaml").write_text("id: new\nname: New\n")
    os.utime(site / "exercises/new.yaml", (time.time() - 60, time.time() - 60))
    assert not _replays(site), "a new file must be seen even when it looks old"
    assert any(d["path"] == "exercises/new.yaml" for d in _cli(site)["diagnostics"])

    _age(site)
    _cli(site)
    (site / "hipcheck.toml").write_text('ignore = ["HC202"]\n')
    os.utime(site / "hipcheck.toml", (time.time() - 60, time.time() - 60))
    assert not _replays(site), "a new configuration file changes the result"
    assert not [d for d in _cli(site)["diagnostics"] if d["code"] == "HC202"]


def test_the_fast_path_sees_what_link_checks_read_besides_content_files(tmp_path: Path) -> None:
    """Checks declare what they read outside the content files (registry.reads_outside): the names of
    the files under the root (an image is not a content file) and the link cache. A change to either
    must not replay the last run's result."""
    article = "---\ntitle: A\n---\n\n![x](pic.png) and [a guide](https://example.org/gone).\n"
    write_tree(tmp_path, {"hipcheck.toml": 'select = ["HC76"]\n', "articles/a.md": article, "articles/pic.png": ""})
    time.sleep(RACY_NS / 1e9 + 0.2)
    assert _cli(tmp_path)["diagnostics"] == [] and _replays(tmp_path)
    (tmp_path / "articles/pic.png").unlink()
    assert not _replays(tmp_path), "a removed image must be seen"
    assert [d["code"] for d in _cli(tmp_path)["diagnostics"]] == ["HC762"]

    time.sleep(RACY_NS / 1e9 + 0.2)
    _cli(tmp_path)
    assert _replays(tmp_path)
    answer = {"status": "broken", "checked": "2026-01-01T00:00:00Z", "http-status": 404}
    write_tree(
        tmp_path, {".hipcheck/links.json": json.dumps({"version": 1, "entries": {"https://example.org/gone": answer}})}
    )
    os.utime(tmp_path / ".hipcheck/links.json", (time.time() - 60, time.time() - 60))
    assert not _replays(tmp_path), "a changed link cache must be seen"
    assert sorted(d["code"] for d in _cli(tmp_path)["diagnostics"]) == ["HC762", "HC765"]


def test_no_cache_and_online_never_replay_or_record(tmp_path: Path) -> None:
    write_tree(tmp_path, {"exercises/a.yaml": "id: a\nname: A\n"})
    _cli(tmp_path, "--no-cache")
    assert not folder_for(tmp_path, "runs").exists()


def test_editing_hipcheck_itself_invalidates_the_caches(tmp_path: Path) -> None:
    from hipcheck import code_version

    write_tree(tmp_path, {"rules/a.py": "X = 1\n", "b.py": "Y = 2\n"})
    before = code_version(str(tmp_path))
    assert code_version(str(tmp_path)) == before
    (tmp_path / "rules/a.py").write_text("X = 10\n")
    assert code_version(str(tmp_path)) != before


@pytest.mark.parametrize("source", ["examples/drafts", "content"])
def test_cross_record_checks_from_cached_records_equal_a_cold_run(tmp_path: Path, source: str) -> None:
    """The cache keeps exercises with only the fields cross-record checks read; a run that recomputes
    those checks from it (one file changed) finds what a cold run finds, and no check asks for more."""
    root = tmp_path / "root"
    shutil.copytree(REPO / source, root)
    flagged = root / "exercises/hip-bridges.yaml"  # an exercise the prose rules must see whole
    text = flagged.read_text("utf-8")
    flagged.write_text(text.replace("\nstarting_position: ", "\nstarting_position: Relax the hips flexors. ", 1))
    _age(root)
    first = findings(root)
    assert ("exercises/hip-bridges.yaml", "HC610") in {(path, code) for path, _, code, _ in first}
    article = next((root / "articles").glob("*.md"))
    article.write_text(article.read_text("utf-8") + "\nOne more line.\n", "utf-8")
    assert findings(root) == findings(root, cache=False)


def test_index_keeps_only_the_declared_fields_of_an_exercise() -> None:
    from hipcheck.index import EXERCISE_INDEX_FIELDS, CheckedIndexFields, keep_index_fields
    from hipcheck.loader.records import read_records

    path = REPO / "content/exercises/banded-walks.yaml"
    (record,) = read_records(path, "exercise", "exercises/banded-walks.yaml")
    full = dict(record.data)
    keep_index_fields(record)
    assert isinstance(record.data, CheckedIndexFields)  # the tests run with HIPCHECK_CHECK_INDEX_FIELDS
    assert record.id == full["id"] and record.data.get("references") == full["references"]
    for read in (lambda d: d.get("muscles"), lambda d: d["steps"], lambda d: "safety" in d, lambda d: list(d)):
        with pytest.raises(LookupError):
            read(record.data)
    from hipcheck.caching.codec import dumps, loads
    from hipcheck.caching.result_codec import record_in, record_out

    again = record_in(loads(dumps(record_out(record)))).data
    assert type(again) is CheckedIndexFields and dict(dict.items(again)) == {
        k: full[k] for k in EXERCISE_INDEX_FIELDS if k in full
    }


def test_editing_exercises_reuses_cross_record_results_only_when_they_hold(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The pre-commit case: after each edit, a warm run reports what a cold run reports; the cross-record
    results are reused (the records file not even read) exactly when the edit left the exercise's id,
    references and prose screen as they were and no cross-record finding sits in it."""
    from hipcheck.caching.results import ResultCache

    root = tmp_path / "root"
    shutil.copytree(REPO / "content", root)
    base = (root / "exercises/banded-walks.yaml").read_text("utf-8")
    for n in range(12):
        (root / f"exercises/walk-{n}.yaml").write_text(base.replace("id: banded-walks", f"id: walk-{n}"), "utf-8")
    _age(root)
    loads: list[int] = []
    real = ResultCache.load_records
    monkeypatch.setattr(ResultCache, "load_records", lambda self, digests: loads.append(1) or real(self, digests))
    assert findings(root) == findings(root, cache=False) == []
    target = root / "exercises/walk-3.yaml"

    def edit(change: Any, reused: bool) -> list[tuple[str, int, str, str]]:
        target.write_text(change(target.read_text("utf-8")), "utf-8")
        loads.clear()
        warm = findings(root)
        assert warm == findings(root, cache=False)
        assert (not loads) == reused, "reuse expected" if reused else "a full cross-record stage expected"
        return warm

    assert edit(lambda t: t.replace("name: ", "name: Wide ", 1), reused=True) == []
    unknown = edit(lambda t: t.replace("references: [", "references: [nobody2020, ", 1), reused=False)
    assert [(path, code) for path, _, code, _ in unknown] == [("exercises/walk-3.yaml", "HC402")]
    moved = edit(lambda t: "# a comment\n" + t, reused=False)  # the finding sits here: its line moves
    assert [line for _, line, _, _ in moved] == [unknown[0][1] + 1]
    edit(lambda t: t.replace("references: [nobody2020, ", "references: [", 1), reused=False)
    assert edit(lambda t: t.replace("id: walk-3", "id: walk-4"), reused=False)  # a duplicate id
    assert edit(lambda t: t.replace("id: walk-4", "id: walk-3"), reused=False) == []
    assert edit(lambda t: t.replace("name: Wide ", "name: ", 1), reused=True) == []
    typo = edit(lambda t: t.replace("\nsafety:\n", "\nsafety:\n- Relax the hips flexors.\n", 1), reused=False)
    assert [code for _, _, code, _ in typo] == ["HC610"]


def test_files_are_read_whole_whatever_their_size(tmp_path: Path) -> None:
    from hipcheck.loader.records import read_bytes

    for size in (0, 1, 65_535, 65_536, 65_537, 300_000):
        path = tmp_path / f"f{size}"
        path.write_bytes(bytes(range(256)) * (size // 256) + b"x" * (size % 256))
        assert read_bytes(path) == path.read_bytes()
    with pytest.raises(OSError):
        read_bytes(tmp_path / "missing")
    with pytest.raises(OSError):
        read_bytes(tmp_path)  # a folder


@pytest.mark.parametrize("cache", [False, True])
def test_an_unreadable_muscle_file_is_a_finding_not_a_crash(tmp_path: Path, cache: bool) -> None:
    """Muscle files are read before the per-file stage (for the vocabulary and the cache key)."""
    root = tmp_path / "drafts"
    shutil.copytree(REPO / "examples" / "drafts", root)
    (root / "muscles" / "broken.yaml").symlink_to(root / "missing.yaml")  # a dangling link inside the root
    result = check_paths([str(root)], cwd=tmp_path, today=TODAY, cache=cache, jobs=1)
    assert not result.internal_errors
    broken = [(d.code, d.message) for d in result.diagnostics if d.path.endswith("muscles/broken.yaml")]
    assert broken == [("HC006", "cannot read file: No such file or directory")]


@pytest.mark.parametrize(
    "options",
    [
        [],
        ["--fix"],
        ["--fix", "--unsafe-fixes"],
        ["--diff"],
        ["--diff", "--unsafe-fixes"],
        ["--add-ignore"],
        ["--statistics"],
    ],
    ids=lambda options: " ".join(options) or "check",
)
def test_no_cache_writes_no_cache_for_any_command(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], options: list[str]
) -> None:
    """`--no-cache` writes nothing to the cache folder, whichever command runs the engine (--fix, --diff
    and --add-ignore ran it with the cache on before)."""
    from hipcheck.cli import main

    home = tmp_path / "cache-home"
    home.mkdir()
    monkeypatch.setenv("HIPCHECK_CACHE_DIR", str(home))
    root = tmp_path / "site"
    # The id differs from the file name (HC103, fixable) and cites an unknown muscle: findings to fix,
    # show and suppress.
    write_tree(root, {"muscles/gluteus-medius.yaml": MUSCLE, "exercises/ex-1.yaml": EXERCISE.format(id="ex-2", n=1)})
    monkeypatch.chdir(root)
    main(["check", ".", "--no-cache", "--today", TODAY.isoformat(), *options])
    capsys.readouterr()
    assert not list(home.rglob("*")), f"--no-cache {' '.join(options)} wrote {sorted(home.rglob('*'))}"
    if options in (["--fix", "--unsafe-fixes"], ["--add-ignore"]):  # the id fix needs judgment
        assert (root / "exercises/ex-1.yaml").read_text() != EXERCISE.format(id="ex-2", n=1), "the command ran"
