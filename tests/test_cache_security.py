"""Caches are untrusted input: nothing in them runs code, and nothing in them changes a verdict.

hipcheck runs in CI on pull requests from strangers. A pull request controls the work tree (so it can
commit a cache file at any path it likes), but not the user's cache folder. These tests plant payloads
and forgeries at every place a cache was or is read from, and check that the findings are always
those of a run without a cache.
"""

from __future__ import annotations

import json
import os
import pickle
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from hipcheck.caching.files import folder_for
from hipcheck.engine import check_paths

from helpers import REPO, TODAY, write_tree

MARKER = "hipcheck-pwned"


class _Payload:
    """Unpickling this creates a folder: proof that a pickle was loaded and its code ran."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[object, tuple[str]]:
        return os.mkdir, (str(self.marker),)


def _cli(root: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "hipcheck", "check", ".", "--format", "json", "--today", TODAY.isoformat()]
    return subprocess.run([*command, *args], cwd=root, capture_output=True, text=True, timeout=180, env=env)


def _report(run: subprocess.CompletedProcess[str]) -> list[tuple[str, int, str, str]]:
    assert "Traceback" not in run.stderr and "internal error" not in run.stderr, run.stderr
    return [(d["path"], d["line"], d["code"], d["message"]) for d in json.loads(run.stdout)["diagnostics"]]


@pytest.fixture
def drafts(tmp_path: Path) -> Path:
    root = tmp_path / "drafts"
    shutil.copytree(REPO / "examples" / "drafts", root)
    return root


def _cache_files(root: Path) -> list[Path]:
    return [p for purpose in ("results", "runs") for p in folder_for(root, purpose).glob("*") if p.is_file()]


def test_pickles_planted_at_every_cache_path_never_run(drafts: Path) -> None:
    """The attack: a pull request commits pickles where hipcheck used to read its caches
    (`.hipcheck_cache/` in the working folder and in the content root), named as hipcheck would name
    them. And a local one: pickles in place of every file of the user cache. Nothing runs, and the
    findings are those of a run without a cache."""
    marker = drafts.parent / MARKER
    payload = pickle.dumps(_Payload(marker))
    expected = _report(_cli(drafts, "--no-cache"))
    assert expected  # the drafts have findings to hide
    _report(_cli(drafts))  # a first run writes the user cache
    written = _cache_files(drafts)
    assert written and all(drafts not in p.parents for p in written)
    in_tree = drafts / ".hipcheck_cache"
    in_tree.mkdir()
    for path in written:  # every name the caches use, in the work tree too, under the old suffixes as well
        for name in (path.name, path.name.replace(".json", ".pickle"), f"run-{path.stem}.pickle"):
            (in_tree / name).write_bytes(payload)
        for suffix in ("summary", "records", "delta"):
            (in_tree / f"{path.name.split('.')[0]}.{suffix}.pickle").write_bytes(payload)
        path.write_bytes(payload)
    for _ in range(2):  # the poisoned run, and the run after it (which reads what that one wrote)
        assert _report(_cli(drafts)) == expected
    assert not marker.exists()


def test_a_committed_cache_is_never_read(drafts: Path, tmp_path: Path) -> None:
    """A well-formed cache that says "no findings", committed in the work tree and pointed at by the
    configuration, changes nothing: the cache folder comes from the environment only."""
    clean = tmp_path / "clean"
    shutil.copytree(REPO / "content", clean)
    forged = tmp_path / "forged-cache"
    env = {**os.environ, "HIPCHECK_CACHE_DIR": str(forged)}
    assert _report(_cli(clean, env=env)) == []
    expected = _report(_cli(drafts, "--no-cache"))
    shutil.copytree(forged, drafts / ".hipcheck_cache")
    (drafts / "hipcheck.toml").write_text('cache-dir = ".hipcheck_cache"\n', encoding="utf-8")
    run = _cli(drafts)
    assert run.returncode == 2 and "cache-dir" in run.stderr  # not an option: configuration is the PR's
    (drafts / "hipcheck.toml").unlink()
    assert _report(_cli(drafts)) == expected


SHAPES = {
    "empty object": b"{}",
    "list": b"[]",
    "null": b"null",
    "number": b"7",
    "torn": b'{"hipcheck-cache": 7, "key": "',
    "deep nesting": b"[" * 100_000 + b"]" * 100_000,
    "NaN": b"NaN",
    "not UTF-8": b"\xff\xfe\x00{",
    "pickle": pickle.dumps({"a": 1}),
}


@pytest.mark.parametrize("shape", SHAPES)
def test_a_cache_file_of_any_shape_is_discarded(drafts: Path, shape: str) -> None:
    """A cache file of the wrong shape once made every later run fail with `internal error: KeyError`."""
    expected = _report(_cli(drafts, "--no-cache"))
    _report(_cli(drafts))
    for path in _cache_files(drafts):
        path.write_bytes(SHAPES[shape])
    assert _report(_cli(drafts)) == expected
    assert _report(_cli(drafts)) == expected  # and the rewritten cache is sound


def test_right_envelope_wrong_body_is_discarded(drafts: Path) -> None:
    """Valid JSON with the right format and key but values of the wrong types, field by field."""
    expected = _report(_cli(drafts, "--no-cache"))
    _report(_cli(drafts))
    originals = {path: json.loads(path.read_text("utf-8").split("\n")[0]) for path in _cache_files(drafts)}
    rng = random.Random(7)
    for path, document in originals.items():
        body = document.get("body") if "body" in document else document
        if not isinstance(body, dict):
            continue
        for field in sorted(body):
            broken = dict(document)
            target = dict(body)
            target[field] = rng.choice([None, "x", 1, [], {}, [[1]], {"a": [None]}])
            if "body" in document:
                broken["body"] = target
            else:
                broken = target
            path.write_text(json.dumps(broken), "utf-8")
            assert _report(_cli(drafts)) == expected, (path.name, field)
            _report(_cli(drafts, "--no-cache"))


def test_a_copy_that_keeps_size_and_mtime_is_seen(tmp_path: Path) -> None:
    """`cp -p`, `rsync -t` and `tar` keep a file's size and mtime: a warm run must still see new bytes."""
    root = tmp_path / "root"
    shutil.copytree(REPO / "content", root)
    target = root / "exercises/banded-walks.yaml"
    text = target.read_text("utf-8")
    broken = text.replace("[gluteus-medius]", "[gluteus-mediux]", 1)
    assert broken != text and len(broken) == len(text)
    before = target.stat()
    old = time.time() - 120
    for path in root.rglob("*"):
        os.utime(path, (old, old))
    time.sleep(2.2)  # older than the racy margin, so stat alone would be trusted
    assert check_paths([str(root)], cwd=root, today=TODAY).diagnostics == []
    (tmp_path / "copy.yaml").write_text(broken, "utf-8")
    os.utime(tmp_path / "copy.yaml", ns=(target.stat().st_atime_ns, target.stat().st_mtime_ns))
    shutil.copy2(tmp_path / "copy.yaml", target)  # cp -p
    copied = os.stat(tmp_path / "copy.yaml")
    assert target.stat().st_size == before.st_size and target.stat().st_mtime_ns == copied.st_mtime_ns
    warm = check_paths([str(root)], cwd=root, today=TODAY)
    cold = check_paths([str(root)], cwd=root, today=TODAY, cache=False)
    assert warm.diagnostics == cold.diagnostics and [d.code for d in cold.diagnostics] == ["HC401"]


def _same_as_cold(root: Path) -> None:
    warm = check_paths([str(root)], cwd=root, today=TODAY, jobs=1)
    cold = check_paths([str(root)], cwd=root, today=TODAY, jobs=1, cache=False)
    assert not warm.internal_errors and not cold.internal_errors
    assert [d.to_json() for d in warm.diagnostics] == [d.to_json() for d in cold.diagnostics]


def _edits(root: Path) -> list[tuple[str, object]]:
    """Edits of the kinds that touch cross-record results, each a function of a random generator."""

    def rename_muscle(rng: random.Random) -> None:
        path = rng.choice(sorted((root / "muscles").glob("*.yaml")))
        text = path.read_text("utf-8")
        path.write_text(text.replace(f"id: {path.stem}", f"id: {path.stem}-x", 1), "utf-8")

    def delete_reference(rng: random.Random) -> None:
        found = sorted((root / "references").glob("*.yaml"))
        if found:
            rng.choice(found).unlink()

    def change_citation(rng: random.Random) -> None:
        path = rng.choice(sorted((root / "articles").glob("*.md")))
        text = path.read_text("utf-8")
        keys = sorted({word.strip("[];,.") for word in text.split() if word.startswith(("[@", "@"))})
        if keys:
            key = rng.choice(keys)
            path.write_text(text.replace(key, key + "x", 1), "utf-8")

    def touch_same_second(rng: random.Random) -> None:
        path = rng.choice(sorted(root.rglob("*.yaml")))
        status = path.stat()
        text = path.read_bytes()
        path.write_bytes(text.replace(b"e", b"E", 1))  # same size, new bytes, same mtime
        os.utime(path, ns=(status.st_atime_ns, status.st_mtime_ns))

    def add_exercise(rng: random.Random) -> None:
        source = rng.choice(sorted((root / "exercises").glob("*.yaml")))
        n = rng.randrange(1000)
        text = source.read_text("utf-8").replace(f"id: {source.stem}", f"id: copy-{n}", 1)
        (root / f"exercises/copy-{n}.yaml").write_text(text, "utf-8")

    def restore(rng: random.Random) -> None:
        shutil.rmtree(root)
        shutil.copytree(REPO / "content", root)

    return [
        ("rename a muscle id", rename_muscle),
        ("delete a reference", delete_reference),
        ("change a citation", change_citation),
        ("touch a file within the same second", touch_same_second),
        ("add an exercise", add_exercise),
        ("restore the content", restore),
    ]


STEPS = int(os.environ.get("HIPCHECK_CACHE_STEPS", "12"))


@pytest.mark.parametrize("seed", range(3))
def test_warm_runs_equal_cold_runs_under_random_edits(tmp_path: Path, seed: int) -> None:
    """Random sequences of edits: after each, the warm run's findings equal a `--no-cache` run's.
    HIPCHECK_CACHE_STEPS sets the number of edits per sequence (12 here; raise it for a long run)."""
    root = tmp_path / "root"
    shutil.copytree(REPO / "content", root)
    rng = random.Random(seed)
    edits = _edits(root)
    _same_as_cold(root)
    for _ in range(STEPS):
        _, edit = rng.choice(edits)
        edit(rng)  # type: ignore[operator]
        _same_as_cold(root)


def test_concurrent_checks_and_fixes_and_a_killed_run(tmp_path: Path) -> None:
    """Checks and fixes on one root at once, and a run killed mid-way: no torn content file, no torn
    cache, and the next run's findings equal a clean run's."""
    root = tmp_path / "root"
    shutil.copytree(REPO / "examples" / "drafts", root)
    for n in range(60):
        source = (root / "exercises/banded-walks.yaml").read_text("utf-8")
        write_tree(root, {f"exercises/walk-{n}.yaml": source.replace("banded-walks", f"walk-{n}")})
    base = [sys.executable, "-m", "hipcheck", "check", ".", "--today", TODAY.isoformat(), "--format", "json"]
    commands = [base, [*base, "--fix"], base, [*base, "--fix"], [*base, "--add-ignore"], base]
    runs = [subprocess.Popen(c, cwd=root, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for c in commands]
    victim = subprocess.Popen(base, cwd=root, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(0.5)
    victim.send_signal(signal.SIGKILL)
    victim.wait(timeout=60)
    for run in runs:
        _, err = run.communicate(timeout=300)
        assert "Traceback" not in err and "internal error" not in err, err
    for path in root.rglob("*"):  # no temporary file left in the content, every file loads
        assert not path.name.endswith(".tmp"), path
    warm = _report(_cli(root))
    assert warm == _report(_cli(root, "--no-cache"))
    assert not [d for d in warm if d[2] in ("HC001", "HC002", "HC003")]  # every file still parses
    assert not list(folder_for(root, "results").glob(".*.tmp"))


def test_cache_files_unused_for_a_week_are_pruned(drafts: Path) -> None:
    """Every day's runs have their own key (the date is in it): without pruning the folder would grow
    by a cache a day, forever."""
    _report(_cli(drafts))
    week = time.time() - 8 * 86_400
    stale = []
    for purpose in ("results", "runs"):
        path = folder_for(drafts, purpose) / "0123456789abcdef0123456789abcdef.json"
        path.write_text("{}", "utf-8")
        os.utime(path, (week, week))
        stale.append(path)
    (drafts / "exercises/banded-walks.yaml").write_text("id: banded-walks\nname: Changed\n", "utf-8")
    _report(_cli(drafts))  # a run that writes both caches
    assert not any(path.exists() for path in stale)
    assert _cache_files(drafts)  # this run's own files stay


def test_diff_caches_nothing_for_its_temporary_copy(drafts: Path, tmp_path: Path) -> None:
    """`--diff` fixes a copy in a new temporary folder each time: a cache of it could never be read again."""
    env = {**os.environ, "HIPCHECK_CACHE_DIR": str(tmp_path / "cache")}
    _cli(drafts, env=env)
    before = sorted((tmp_path / "cache/results").iterdir())
    subprocess.run(
        [sys.executable, "-m", "hipcheck", "check", ".", "--diff", "--today", TODAY.isoformat()],
        cwd=drafts,
        capture_output=True,
        timeout=180,
        env=env,
    )
    assert sorted((tmp_path / "cache/results").iterdir()) == before
