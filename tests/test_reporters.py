"""Report formats: snapshots of every format on examples/drafts, and what each CI consumer relies on.

Snapshots live in tests/snapshots/. After a deliberate change to a format, or to the rules and drafts they
report on, regenerate them with `HIPCHECK_UPDATE_SNAPSHOTS=1 python -m pytest tests/test_reporters.py`
and review the diff.
"""

from __future__ import annotations

import difflib
import io
import json
import os
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from jsonschema.validators import Draft7Validator, validator_for

from hipcheck import __version__
from hipcheck.cli import main
from hipcheck.diagnostics import Diagnostic, Edit, Fix, Severity, Span
from hipcheck.engine import RunResult, check_paths
from hipcheck.reporters import REPORTERS, ReportContext, should_color
from hipcheck.reporters.github import escape_data, escape_property
from hipcheck.reporters.github import report as github_report
from hipcheck.reporters.junit import report as junit_report
from hipcheck.reporters.sarif import report_data as sarif_data
from hipcheck.rules import RULES

from helpers import GOOD_EXERCISE, REPO, TODAY, data_file, text_report, write_tree

SNAPSHOTS = REPO / "tests" / "snapshots"
UPDATE = os.environ.get("HIPCHECK_UPDATE_SNAPSHOTS", "") not in ("", "0")
# Variables that change how hipcheck reports; every test starts without them.
REPORT_ENV = ("NO_COLOR", "FORCE_COLOR", "GITHUB_ACTIONS")

# snapshot file -> the options that produce it (besides `check examples/drafts --today 2026-11-21`)
SNAPSHOT_CASES: dict[str, list[str]] = {
    "drafts.full.txt": ["--format", "full"],
    "drafts.concise.txt": ["--format", "concise"],
    "drafts.grouped.txt": ["--format", "grouped"],
    "drafts.json": ["--format", "json"],
    "drafts.jsonl": ["--format", "json-lines"],
    "drafts.sarif.json": ["--format", "sarif"],
    "drafts.github.txt": ["--format", "github"],
    "drafts.gitlab.json": ["--format", "gitlab"],
    "drafts.junit.xml": ["--format", "junit"],
    "drafts.junit-strict.xml": ["--format", "junit", "--strict"],
    "drafts.statistics.txt": ["--statistics"],
    "drafts.statistics.json": ["--statistics", "--format", "json"],
    "drafts.show-fixes.txt": ["--format", "concise", "--show-fixes"],
}

# Clean but for its missing starting position: one warning.
WARNING_ONLY_EXERCISE = "".join(line for line in GOOD_EXERCISE.splitlines(True) if "starting_position" not in line)
MUSCLE = "id: gluteus-medius\nkind: muscle\nname: gluteus medius\n"


@pytest.fixture(autouse=True)
def _plain_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in REPORT_ENV:
        monkeypatch.delenv(name, raising=False)


def run_drafts(args: list[str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    """`hipcheck check examples/drafts` in this process, from the repository root, on a fixed day."""
    monkeypatch.chdir(REPO)
    status = main(["check", "examples/drafts", "--today", TODAY.isoformat(), *args])
    return status, capsys.readouterr().out


def run(*args: str, cwd: Path = REPO, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if k not in REPORT_ENV}
    return subprocess.run(
        [sys.executable, "-m", "hipcheck", *args],
        cwd=cwd,
        env={**base, **(env or {})},
        capture_output=True,
        text=True,
        timeout=120,
    )


def assert_snapshot(name: str, actual: str) -> None:
    path = SNAPSHOTS / name
    if UPDATE:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(actual, encoding="utf-8", newline="")
        return
    if not path.is_file():
        pytest.fail(f"no snapshot {path.relative_to(REPO)}; create it with HIPCHECK_UPDATE_SNAPSHOTS=1")
    expected = path.read_text(encoding="utf-8")
    if actual != expected:
        diff = "".join(
            difflib.unified_diff(
                expected.splitlines(keepends=True), actual.splitlines(keepends=True), "snapshot", "now", n=1
            )
        )
        pytest.fail(f"{name} differs (HIPCHECK_UPDATE_SNAPSHOTS=1 regenerates it):\n{diff[:6000]}")


def _stable(output: str) -> str:
    # The SARIF driver names hipcheck's version; a release must not invalidate the snapshot.
    return output.replace(f'"version": "{__version__}"', '"version": "<hipcheck version>"')


RULES_COMPARED = "<every rule: compared with the registry by test_sarif_rules_and_results>"


def _without_rule_docs(sarif: str) -> str:
    """The SARIF snapshot without `tool.driver.rules`, which is every rule's documentation: a docs edit must
    not invite regenerating the snapshot, and the rules are compared with the registry instead."""
    document = json.loads(sarif)
    for run_ in document["runs"]:
        run_["tool"]["driver"]["rules"] = RULES_COMPARED
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def diag(
    path: str,
    line: int,
    column: int,
    end_line: int | None = None,
    end_column: int | None = None,
    *,
    code: str = "HC203",
    severity: Severity = Severity.ERROR,
    message: str = "exercise has no dosage",
    fix: Fix | None = None,
) -> Diagnostic:
    span = Span(line, column, end_line or line, end_column or column + 1)
    return Diagnostic(path, span, code, RULES[code].name, severity, message, fix)


# --- snapshots -------------------------------------------------------------------------------


@pytest.mark.parametrize("name", list(SNAPSHOT_CASES))
def test_snapshot(name: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    status, out = run_drafts(SNAPSHOT_CASES[name], monkeypatch, capsys)
    assert status == 1  # the drafts have errors, whatever the format
    assert_snapshot(name, _without_rule_docs(_stable(out)) if name.endswith(".sarif.json") else _stable(out))


def test_every_format_has_a_snapshot() -> None:
    covered = {args[args.index("--format") + 1] for args in SNAPSHOT_CASES.values() if "--format" in args}
    assert covered == set(REPORTERS)


def test_concise_is_text_report_and_full_starts_each_finding_with_its_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    result = check_paths(["examples/drafts"], cwd=REPO, today=TODAY)
    _, concise = run_drafts(["--format", "concise"], monkeypatch, capsys)
    assert concise == text_report(result) + "\n"
    _, full = run_drafts([], monkeypatch, capsys)  # full is the default
    lines = concise.splitlines()
    blocks = full.rstrip("\n").split("\n\n")
    assert [block.splitlines()[0] for block in blocks[:-1]] == lines[:-1]
    assert blocks[-1] == lines[-1]  # the summary line
    for block, d in zip(blocks, result.diagnostics, strict=False):
        last = block.splitlines()[-1]
        assert last == f"help: {d.fix.description}" if d.fix else not last.startswith("help:")


def test_readme_full_example_is_real(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    readme = (REPO / "README.md").read_text("utf-8")
    shown = re.search(r"`full` shows a finding like this.*?```text\n(.*?)\n```", readme, re.S)
    assert shown is not None
    _, full = run_drafts(["--format", "full"], monkeypatch, capsys)
    assert shown.group(1) in full.split("\n\n")


def test_json_lines_match_the_json_document(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _, document = run_drafts(["--format", "json"], monkeypatch, capsys)
    _, lines = run_drafts(["--format", "json-lines"], monkeypatch, capsys)
    assert [json.loads(line) for line in lines.splitlines()] == json.loads(document)["diagnostics"]


def test_text_is_the_old_name_of_concise(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    assert run_drafts(["--format", "text"], monkeypatch, capsys) == run_drafts(
        ["--format", "concise"], monkeypatch, capsys
    )


# --- full: source excerpts -------------------------------------------------------------------


def _full(tmp_path: Path, *diagnostics: Diagnostic, **options: bool) -> str:
    result = RunResult(diagnostics=list(diagnostics), checked=sorted({d.path for d in diagnostics}))
    return REPORTERS["full"](result, ReportContext(cwd=tmp_path, **options))


def _excerpt(output: str) -> list[str]:
    """The source and caret lines of the first finding, gutters removed."""
    lines = output.split("\n\n")[0].splitlines()
    return [line.split("| ", 1)[1] if "| " in line else "" for line in lines[2:4]]


def test_full_marks_the_span_under_the_source(tmp_path: Path) -> None:
    write_tree(tmp_path, {"exercises/a.yaml": "id: a\nmuscles:\n  primary: [glutes]\n"})
    d = diag("exercises/a.yaml", 3, 13, 3, 19, code="HC401", message="unknown muscle id 'glutes'")
    out = _full(tmp_path, d)
    assert out.splitlines()[:4] == [
        "exercises/a.yaml:3:13: HC401 error unknown muscle id 'glutes'",
        "  |",
        "3 |   primary: [glutes]",
        "  |             ^^^^^^",
    ]
    assert out.endswith("\n\nChecked 1 file: 1 errors, 0 warnings, 0 infos.")


def test_full_gutter_grows_with_the_line_number_and_help_shows_the_fix(tmp_path: Path) -> None:
    write_tree(tmp_path, {"exercises/a.yaml": "x: 1\n" * 120 + "primary: [glutes]\n"})
    fix = Fix("replace with 'gluteal-muscles'", (Edit(0, 1, "y"),))
    out = _full(tmp_path, diag("exercises/a.yaml", 121, 11, 121, 17, fix=fix))
    assert out.splitlines()[1:5] == [
        "    |",
        "121 | primary: [glutes]",
        "    |           ^^^^^^",
        "help: replace with 'gluteal-muscles'",
    ]


def test_full_expands_tabs_and_counts_wide_characters(tmp_path: Path) -> None:
    line = "\tname: 大腿四頭筋 quadriceps"
    write_tree(tmp_path, {"articles/a.md": line + "\ne\u0301tude x\n"})
    column = line.index("quadriceps") + 1
    shown, carets = _excerpt(_full(tmp_path, diag("articles/a.md", 1, column, 1, column + 10)))
    assert shown == "    name: 大腿四頭筋 quadriceps"
    # The span starts at "quadriceps": 4 cells of tab, "name: " and 5 wide characters (2 cells each) + space.
    assert carets == " " * (4 + 6 + 10 + 1) + "^" * 10
    # A combining accent takes no cell of its own: "x" sits at cell 7, not 8.
    shown, carets = _excerpt(_full(tmp_path, diag("articles/a.md", 2, 8, 2, 9)))
    assert (shown, carets) == ("e\u0301tude x", " " * 6 + "^")


def test_full_marks_a_multi_line_span_to_the_end_of_its_first_line(tmp_path: Path) -> None:
    write_tree(tmp_path, {"exercises/a.yaml": "dosage:\n  sets: 0\n  reps: 0\n"})
    assert _excerpt(_full(tmp_path, diag("exercises/a.yaml", 1, 1, 3, 10))) == [
        "dosage:",
        "^^^^^^^ (through line 3)",
    ]
    # Ending at column 1 of the next line covers only this line (its newline): no "through".
    assert _excerpt(_full(tmp_path, diag("exercises/a.yaml", 2, 3, 3, 1)))[1] == "  ^^^^^^^"


def test_full_marks_empty_spans_and_positions_past_the_end_of_a_line(tmp_path: Path) -> None:
    write_tree(tmp_path, {"exercises/a.yaml": "name:\n", "exercises/empty.yaml": ""})
    assert _excerpt(_full(tmp_path, diag("exercises/a.yaml", 1, 6, 1, 6))) == ["name:", "     ^"]
    assert _excerpt(_full(tmp_path, diag("exercises/a.yaml", 1, 8, 1, 9))) == ["name:", "       ^"]
    assert _excerpt(_full(tmp_path, diag("exercises/empty.yaml", 1, 1, 1, 1))) == ["", "^"]


def test_full_windows_long_lines_around_the_span(tmp_path: Path) -> None:
    line = "word " * 100 + "TARGET" + " tail" * 100
    write_tree(tmp_path, {"articles/a.md": line + "\n"})
    column = line.index("TARGET") + 1
    shown, carets = _excerpt(_full(tmp_path, diag("articles/a.md", 1, column, 1, column + 6)))
    assert shown.startswith("…") and shown.endswith("…") and len(shown) <= 122
    assert shown[carets.index("^") :].startswith("TARGET")
    assert carets.strip() == "^" * 6


def test_full_escapes_control_characters_and_keeps_the_carets_aligned(tmp_path: Path) -> None:
    write_tree(tmp_path, {"articles/a.md": "a\x1b[31mb \u202eevil\n"})
    out = _full(tmp_path, diag("articles/a.md", 1, 9, 1, 14, message="bad\nmessage\x1b[0m"))
    assert "\x1b" not in out and "\u202e" not in out
    assert out.splitlines()[0].endswith("bad\\x0amessage\\x1b[0m")
    assert _excerpt(out) == ["a\\x1b[31mb \\u202eevil", " " * 11 + "^" * 10]


def test_full_without_a_readable_file_shows_no_excerpt(tmp_path: Path) -> None:
    (tmp_path / "exercises").mkdir()
    (tmp_path / "exercises/latin1.yaml").write_bytes("name: Caf\xe9\n".encode("latin-1"))
    (tmp_path / "exercises/binary.yaml").write_bytes(b"\x00\x01PNG")
    missing = diag("exercises/gone.yaml", 1, 1)
    for d in (missing, diag("exercises/latin1.yaml", 1, 10), diag("exercises/binary.yaml", 1, 1)):
        assert _full(tmp_path, d).split("\n\n")[0] == f"{d.path}:1:{d.span.column}: HC203 error exercise has no dosage"
    # A line beyond the end of the file (a stale span) has no excerpt either.
    write_tree(tmp_path, {"exercises/short.yaml": "id: short\n"})
    assert "|" not in _full(tmp_path, diag("exercises/short.yaml", 9, 1))


def test_full_reads_each_file_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import hipcheck.reporters.base as base

    write_tree(tmp_path, {"exercises/a.yaml": "id: a\nname: A\n"})
    reads: list[Path] = []
    original = base.read_bytes

    def counting(path: Path) -> bytes:
        reads.append(path)
        return original(path)

    monkeypatch.setattr(base, "read_bytes", counting)
    _full(tmp_path, *(diag("exercises/a.yaml", line, 1) for line in (1, 1, 2, 2)))
    assert reads == [tmp_path / "exercises/a.yaml"]


# --- colour ----------------------------------------------------------------------------------


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize(
    ("terminal", "env", "expected"),
    [
        (True, {}, True),
        (False, {}, False),  # piped
        (True, {"NO_COLOR": "1"}, False),
        (True, {"NO_COLOR": ""}, True),  # no-color.org: only a non-empty value counts
        (False, {"FORCE_COLOR": "1"}, True),
        (False, {"FORCE_COLOR": "0"}, False),
        (True, {"NO_COLOR": "1", "FORCE_COLOR": "1"}, False),  # opting out wins
    ],
)
def test_colour_only_on_a_terminal_without_no_color(terminal: bool, env: dict[str, str], expected: bool) -> None:
    stream = _Terminal() if terminal else io.StringIO()
    assert should_color(stream, env) is expected


def test_colour_through_the_cli(tmp_path: Path) -> None:
    forced = run("check", "examples/drafts", env={"FORCE_COLOR": "1"})
    assert "\x1b[1;31mHC203\x1b[0m" in forced.stdout
    assert "\x1b[" not in run("check", "examples/drafts").stdout  # piped
    assert "\x1b[" not in run("check", "examples/drafts", env={"FORCE_COLOR": "1", "NO_COLOR": "1"}).stdout
    report = tmp_path / "report.txt"
    assert run("check", "examples/drafts", "-o", str(report), env={"FORCE_COLOR": "1"}).stdout == ""
    assert "\x1b[" not in report.read_text("utf-8")  # a report file never gets escape codes


def test_coloured_lines_are_the_plain_lines_once_the_codes_are_removed(tmp_path: Path) -> None:
    write_tree(tmp_path, {"exercises/a.yaml": "id: a\n"})
    result = RunResult([diag("exercises/a.yaml", 1, 1, severity=Severity.WARNING)], ["exercises/a.yaml"])
    for name in ("full", "concise", "grouped"):
        plain = REPORTERS[name](result, ReportContext(cwd=tmp_path))
        coloured = REPORTERS[name](result, ReportContext(cwd=tmp_path, color=True))
        assert coloured != plain
        assert re.sub(r"\x1b\[[0-9;]*m", "", coloured) == plain


# --- SARIF -----------------------------------------------------------------------------------


def test_sarif_is_valid_against_the_schema(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    schema = json.loads(data_file("sarif/sarif-schema-2.1.0.json").read_text("utf-8"))
    validator_class = validator_for(schema)
    assert validator_class is Draft7Validator  # the draft the schema declares in "$schema"
    validator_class.check_schema(schema)
    validator = validator_class(schema)

    _, out = run_drafts(["--format", "sarif"], monkeypatch, capsys)
    drafts = json.loads(out)
    errors = sorted(validator.iter_errors(drafts), key=lambda e: list(e.absolute_path))
    assert not errors, [f"{list(e.absolute_path)}: {e.message}" for e in errors[:5]]
    # OASIS errata01 added to the schema what the vendored copy lacks (tests/data/SOURCES.md): a region
    # has a startLine, charOffset or byteOffset.
    regions = [
        location["physicalLocation"]["region"]
        for result in drafts["runs"][0]["results"]
        for location in result["locations"]
        if "region" in location["physicalLocation"]
    ]
    assert regions and all({"startLine", "charOffset", "byteOffset"} & set(region) for region in regions)

    # The less common shapes: an internal error, a path outside the repository, no findings at all.
    outside = RunResult([diag("../elsewhere/a.yaml", 1, 1)], ["../elsewhere/a.yaml"], ["rule crashed"])
    for result in (outside, RunResult()):
        document = sarif_data(result, ReportContext(cwd=tmp_path / "repo", root=tmp_path / "repo"))
        assert not list(validator.iter_errors(document))
    document = sarif_data(outside, ReportContext(cwd=tmp_path / "repo", root=tmp_path / "repo"))
    run_ = document["runs"][0]  # type: ignore[index]
    assert run_["invocations"][0]["executionSuccessful"] is False
    assert run_["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"] == {
        "uri": (tmp_path / "elsewhere/a.yaml").resolve().as_uri()
    }


def test_sarif_rules_and_results(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    _, out = run_drafts(["--format", "sarif"], monkeypatch, capsys)
    (run_,) = json.loads(out)["runs"]
    rules = run_["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == sorted(RULES)
    levels = {"error": "error", "warning": "warning", "info": "note"}
    for rule in rules:  # the whole entry comes from the registry (the snapshot leaves the rules out)
        source = RULES[rule["id"]]
        assert rule == {
            "id": source.code,
            "name": source.name,
            "shortDescription": {"text": source.summary},
            "fullDescription": {"text": source.doc},
            "help": {"text": source.section("Fix"), "markdown": source.doc},
            "defaultConfiguration": {"level": levels[source.severity.value]},
            "properties": {"fixable": source.fixable},
        }
        assert source.section("Fix"), f"{source.code}: its docs have no Fix section"
    report = check_paths(["examples/drafts"], cwd=REPO, today=TODAY)
    assert len(run_["results"]) == len(report.diagnostics)
    for result, d in zip(run_["results"], report.diagnostics, strict=True):
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"] == d.code
        location = result["locations"][0]["physicalLocation"]
        assert location["artifactLocation"] == {"uri": d.path, "uriBaseId": "%SRCROOT%"}
        assert location["region"] == {
            "startLine": d.span.line,
            "startColumn": d.span.column,
            "endLine": d.span.end_line,
            "endColumn": d.span.end_column,
        }
    fingerprints = [r["partialFingerprints"]["hipcheck/v1"] for r in run_["results"]]
    assert len(set(fingerprints)) == len(fingerprints)


def _fingerprinted(cwd: Path) -> tuple[list[tuple[str, str, str, int]], list[str]]:
    sarif = json.loads(run("check", ".", "--today", TODAY.isoformat(), "--format", "sarif", cwd=cwd).stdout)
    results = [
        (
            r["ruleId"],
            r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
            r["partialFingerprints"]["hipcheck/v1"],
            r["locations"][0]["physicalLocation"]["region"]["startLine"],
        )
        for r in sarif["runs"][0]["results"]
    ]
    gitlab = json.loads(run("check", ".", "--today", TODAY.isoformat(), "--format", "gitlab", cwd=cwd).stdout)
    return results, [issue["fingerprint"] for issue in gitlab]


def test_fingerprints_survive_a_blank_line_inserted_above(tmp_path: Path) -> None:
    drafts = tmp_path / "drafts"
    shutil.copytree(REPO / "examples/drafts", drafts)
    before, gitlab_before = _fingerprinted(drafts)

    exercise = drafts / "exercises/deadlifts.yaml"
    exercise.write_text("\n" + exercise.read_text("utf-8"), "utf-8")
    article = drafts / "articles/hips-and-flat-feet.md"
    lines = article.read_text("utf-8").split("\n")
    body = lines.index("---", 1) + 2  # the first body line: the front matter must stay at the top
    article.write_text("\n".join([*lines[:body], "", *lines[body:]]), "utf-8")
    after, gitlab_after = _fingerprinted(drafts)

    assert [r[:3] for r in after] == [r[:3] for r in before]
    assert gitlab_after == gitlab_before
    shifted = [(b, a) for b, a in zip(before, after, strict=True) if a[3] != b[3]]
    assert {b[1] for b, _ in shifted} == {"exercises/deadlifts.yaml", "articles/hips-and-flat-feet.md"}
    assert all(a[3] == b[3] + 1 for b, a in shifted)

    # Changing the finding's own line is a different finding.
    exercise.write_text(exercise.read_text("utf-8").replace("secondary: [core]", "secondary: [core, abs]"), "utf-8")
    changed, _ = _fingerprinted(drafts)
    old = {r[2] for r in before if r[1] == "exercises/deadlifts.yaml"}
    new = {r[2] for r in changed if r[1] == "exercises/deadlifts.yaml"}
    assert len(old - new) == 1


# --- GitHub ----------------------------------------------------------------------------------


def test_github_escapes_properties() -> None:
    assert escape_property("a%b:c,d\re\nf") == "a%25b%3Ac%2Cd%0De%0Af"
    assert escape_property("100%3A") == "100%253A"  # '%' first, so an escape in the text stays literal


def test_github_escapes_the_message_but_not_colons_or_commas() -> None:
    assert escape_data("50% done: a, b\r\nnext") == "50%25 done: a, b%0D%0Anext"


def test_github_command_shape_escaping_and_severities(tmp_path: Path) -> None:
    diagnostics = [
        diag("./odd:dir,x/a.yaml", 2, 3, 2, 9, message="100% wrong:\nsee, here"),
        diag("b.yaml", 1, 1, severity=Severity.WARNING, code="HC202", message="w"),
        diag("c.yaml", 4, 5, 6, 2, severity=Severity.INFO, code="HC305", message="i"),
    ]
    lines = github_report(RunResult(diagnostics, ["b.yaml", "c.yaml"]), ReportContext(cwd=tmp_path)).splitlines()
    assert lines[0] == (
        "::error file=odd%3Adir%2Cx/a.yaml,line=2,endLine=2,col=3,endColumn=9,title=HC203 exercise-missing-dosage"
        "::odd:dir,x/a.yaml:2:3: HC203 error 100%25 wrong:%0Asee, here"
    )
    assert lines[1].startswith("::warning file=b.yaml,line=1,")
    assert lines[2].startswith(
        "::notice file=c.yaml,line=4,endLine=6,col=5,endColumn=2,title=HC305 image-missing-alt::"
    )
    assert lines[3] == "Checked 2 files: 1 errors, 1 warnings, 1 infos."
    assert len(lines) == 4


def test_github_paths_are_relative_to_the_repository_root(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / "site").mkdir()
    result = RunResult([diag("content/a.yaml", 1, 1)], ["content/a.yaml"])
    out = github_report(result, ReportContext(cwd=tmp_path / "site", quiet=True))
    assert out.startswith("::error file=site/content/a.yaml,")
    assert "::content/a.yaml:1:1: HC203" in out  # the message keeps the path as the user gave it


def test_github_format_is_chosen_in_github_actions() -> None:
    auto = run("check", "examples/drafts", env={"GITHUB_ACTIONS": "true"})
    assert auto.stdout.startswith("::error file=examples/drafts/")
    explicit = run("check", "examples/drafts", "--format", "concise", env={"GITHUB_ACTIONS": "true"})
    assert explicit.stdout.startswith("examples/drafts/")
    assert auto.returncode == explicit.returncode == 1


# --- GitLab ----------------------------------------------------------------------------------


def test_gitlab_code_quality_shape(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    _, out = run_drafts(["--format", "gitlab"], monkeypatch, capsys)
    issues = json.loads(out)
    report = check_paths(["examples/drafts"], cwd=REPO, today=TODAY)
    assert len(issues) == len(report.diagnostics)
    severities = {"error": "major", "warning": "minor", "info": "info"}
    for issue, d in zip(issues, report.diagnostics, strict=True):
        assert set(issue) == {"description", "check_name", "fingerprint", "severity", "location"}
        assert issue["severity"] == severities[d.severity.value]
        assert issue["check_name"] == d.code and d.message in issue["description"]
        assert issue["location"] == {"path": d.path, "lines": {"begin": d.span.line, "end": d.span.end_line}}
    assert len({issue["fingerprint"] for issue in issues}) == len(issues)


# --- JUnit -----------------------------------------------------------------------------------


def _junit(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], *args: str) -> ET.Element:
    _, out = run_drafts(["--format", "junit", *args], monkeypatch, capsys)
    return ET.fromstring(out)


@pytest.mark.parametrize("strict", [False, True])
def test_junit_counts(strict: bool, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    root = _junit(monkeypatch, capsys, *(["--strict"] if strict else []))
    report = check_paths(["examples/drafts"], cwd=REPO, today=TODAY)
    failing = {Severity.ERROR, Severity.WARNING} if strict else {Severity.ERROR}
    assert root.tag == "testsuites"
    (suite,) = root.findall("testsuite")
    cases = suite.findall("testcase")
    assert [case.get("name") for case in cases] == report.checked
    failed_files = {d.path for d in report.diagnostics if d.severity in failing}
    assert {case.get("name") for case in cases if case.find("failure") is not None} == failed_files
    for element in (root, suite):
        assert element.get("tests") == str(len(report.checked))
        assert element.get("failures") == str(len(failed_files))
        assert element.get("errors") == "0" and element.get("skipped") == "0"
    failures = suite.findall("testcase/failure")
    assert len(failures) == sum(1 for d in report.diagnostics if d.severity in failing)
    outputs = "\n".join(out.text or "" for out in suite.findall("testcase/system-out"))
    for d in report.diagnostics:
        assert (f"{d.path}:{d.span.line}:{d.span.column}: {d.code}" in outputs) == (d.severity not in failing)


def test_junit_reports_internal_errors_and_stays_well_formed(tmp_path: Path) -> None:
    result = RunResult(
        [diag("a.yaml", 1, 1, message="bad \x00\x1b byte"), diag("b.yaml", 1, 1, severity=Severity.WARNING)],
        ["a.yaml", "b.yaml", "c.yaml"],
        ["internal error in HC999 on .: boom"],
    )
    root = ET.fromstring(junit_report(result, ReportContext(cwd=tmp_path)))
    suite = root.find("testsuite")
    assert suite is not None
    assert (suite.get("tests"), suite.get("failures"), suite.get("errors")) == ("4", "1", "1")
    error = suite.find("testcase/error")
    assert error is not None and "boom" in (error.text or "")
    failure = suite.find("testcase/failure")
    assert failure is not None and "\\x00\\x1b" in (failure.text or "")


# --- options ---------------------------------------------------------------------------------


def test_statistics_count_every_finding(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    _, out = run_drafts(["--statistics", "--format", "json"], monkeypatch, capsys)
    rows = json.loads(out)
    report = check_paths(["examples/drafts"], cwd=REPO, today=TODAY)
    assert sum(r["count"] for r in rows) == len(report.diagnostics)
    assert [r["count"] for r in rows] == sorted((r["count"] for r in rows), reverse=True)
    assert {r["code"]: r["fixable"] for r in rows} == {
        code: sum(1 for d in report.diagnostics if d.code == code and d.fix) for code in {r["code"] for r in rows}
    }
    _, table = run_drafts(["--statistics"], monkeypatch, capsys)
    for row in rows:
        marker = "[*]" if row["fixable"] else ""
        assert re.search(rf"^ *{row['count']}  {row['code']}  {row['name']} *{re.escape(marker)}$", table, re.M)


def test_show_fixes_lists_each_fix(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    report = check_paths(["examples/drafts"], cwd=REPO, today=TODAY)
    fixable = [d for d in report.diagnostics if d.fix]
    assert fixable, "the drafts should have fixable findings"
    for name in ("full", "concise", "grouped"):
        _, out = run_drafts(["--format", name, "--show-fixes"], monkeypatch, capsys)
        for d in fixable:
            assert f"{d.path}:{d.span.line}:{d.span.column}: {d.code} fix: {d.fix.description}" in out  # type: ignore[union-attr]


def test_quiet_prints_only_findings(tmp_path: Path) -> None:
    write_tree(tmp_path, {"exercises/banded-walks.yaml": WARNING_ONLY_EXERCISE, "muscles/gluteus-medius.yaml": MUSCLE})
    for name in ("full", "concise", "grouped", "github"):
        done = run("check", ".", "--format", name, "--quiet", cwd=tmp_path)
        assert done.returncode == 0
        assert "Checked" not in done.stdout and "HC202" in done.stdout
    (tmp_path / "exercises/banded-walks.yaml").write_text(
        WARNING_ONLY_EXERCISE.replace("steps:", "starting_position: Stand tall.\nsteps:"), "utf-8"
    )
    for name in ("full", "concise", "grouped", "github", "json-lines"):
        clean = run("check", ".", "--format", name, "--quiet", cwd=tmp_path)
        assert (clean.returncode, clean.stdout, clean.stderr) == (0, "", "")
    assert run("check", ".", "--quiet", "--statistics", cwd=tmp_path).stdout == ""


def test_output_file_holds_what_stdout_would(tmp_path: Path) -> None:
    target = tmp_path / "reports" / "drafts.sarif"
    written = run("check", "examples/drafts", "--format", "sarif", "--output-file", str(target))
    printed = run("check", "examples/drafts", "--format", "sarif")
    assert (written.returncode, written.stdout) == (1, "")
    assert target.read_text("utf-8") == printed.stdout
    failed = run("check", "examples/drafts", "--output-file", str(tmp_path))  # a folder
    assert failed.returncode == 2
    assert len(failed.stderr.strip().splitlines()) == 1 and "cannot write the report" in failed.stderr


@pytest.mark.parametrize(
    ("args", "status"),
    [
        ([], 0),  # warnings do not fail
        (["--strict"], 1),
        (["--max-warnings", "0"], 1),
        (["--max-warnings", "1"], 0),
        (["--strict", "--exit-zero"], 0),
    ],
)
def test_exit_status_with_warnings(args: list[str], status: int, tmp_path: Path) -> None:
    write_tree(tmp_path, {"exercises/banded-walks.yaml": WARNING_ONLY_EXERCISE, "muscles/gluteus-medius.yaml": MUSCLE})
    done = run("check", ".", "--format", "concise", *args, cwd=tmp_path)
    assert done.stdout.splitlines()[-1] == "Checked 2 files: 0 errors, 1 warnings, 0 infos."
    assert done.returncode == status, done.stderr
    assert ("more than --max-warnings" in done.stderr) == (args == ["--max-warnings", "0"])


@pytest.mark.parametrize(
    ("args", "status"),
    [
        ([], 1),
        (["--exit-zero"], 0),
        (["--max-warnings", "100"], 1),  # errors fail whatever the warning budget
        (["--max-warnings", "-1"], 2),
        (["--format", "nonsense"], 2),
        (["--statistics", "--format", "sarif"], 2),
    ],
)
def test_exit_status_with_errors_and_usage_failures(args: list[str], status: int) -> None:
    done = run("check", "examples/drafts", *args)
    assert done.returncode == status, done.stderr
    assert "Traceback" not in done.stderr
    if status == 2:
        assert done.stdout == ""
