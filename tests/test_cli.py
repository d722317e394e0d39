"""The command line end to end, on real files: output formats, exit status, robustness, scoping."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from hipcheck.cli import main
from hipcheck.rules import RULES
from hipcheck.rules.registry import DOC_HEADINGS

from helpers import GOOD_EXERCISE, REPO, write_tree

GOOD_MUSCLE = """\
id: gluteus-medius
kind: muscle
name: gluteus medius
aliases: [glute medius]
"""


def run(*args: str, cwd: Path = REPO) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "hipcheck", *args], cwd=cwd, capture_output=True, text=True, timeout=120
    )


def test_bundled_content_is_clean() -> None:
    done = run("check", "content")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "0 errors" in done.stdout.splitlines()[-1]


def test_console_script_and_module_both_work() -> None:
    script = shutil.which("hipcheck", path=str(Path(sys.executable).parent))
    assert script is not None
    done = subprocess.run([script, "--version"], capture_output=True, text=True, check=True)
    assert done.stdout.startswith("hipcheck ")
    assert run("--version").stdout == done.stdout


def test_default_path_is_the_configured_content_root() -> None:
    done = run("check", "--format", "json")
    report = json.loads(done.stdout)
    assert report["summary"]["files"] == len(
        [p for p in (REPO / "content").rglob("*") if p.suffix in (".yaml", ".md") and p.parent != REPO / "content"]
    )


def test_drafts_fail_with_json_report() -> None:
    done = run("check", "examples/drafts", "--format", "json")
    assert done.returncode == 1
    report = json.loads(done.stdout)
    assert report["version"] == 1
    assert set(report["summary"]) == {"files", "errors", "warnings", "infos"}
    assert report["summary"]["errors"] > 0
    first = report["diagnostics"][0]
    assert set(first) >= {"path", "line", "column", "end_line", "end_column", "code", "name", "severity", "message"}
    for diagnostic in report["diagnostics"]:
        assert diagnostic["path"].startswith("examples/drafts/")
        assert diagnostic["line"] >= 1 and diagnostic["column"] >= 1
        assert diagnostic["severity"] in ("error", "warning", "info")
    counted = sum(1 for d in report["diagnostics"] if d["severity"] == "error")
    assert counted == report["summary"]["errors"]


def test_text_lines_have_the_documented_shape(tmp_path: Path) -> None:
    write_tree(tmp_path, {"exercises/banded-walks.yaml": "id: banded-walks\nname: Banded walks\n"})
    done = run("check", ".", cwd=tmp_path)
    lines = done.stdout.splitlines()
    assert lines[0].startswith("exercises/banded-walks.yaml:1:1: HC")
    path, line, column, rest = lines[0].split(":", 3)
    code, severity, _message = rest.strip().split(" ", 2)
    assert (path, line.isdigit(), column.isdigit()) == ("exercises/banded-walks.yaml", True, True)
    assert severity in ("error", "warning", "info") and code in RULES
    assert lines[-1].startswith("Checked 1 file:")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["check", "no/such/folder"], "no such file or directory"),
        (["rule", "HC999"], "no rule"),
        (["rule", "HC2O3"], "no rule 'HC2O3' (did you mean HC203?)"),
        (["rule", "exercise-dosage"], "no rule 'exercise-dosage' (did you mean exercise-missing-dosage?)"),
        (["rule", "HC2O"], "no rule 'HC2O' (see 'hipcheck rules')"),  # a prefix names no one rule
        (["check", "content", "--select", "HC2O3"], "--select: unknown rule selector 'HC2O3' (did you mean HC203?)"),
        (["check", "content", "--select", "HC2,hc2o3"], "unknown rule selector 'hc2o3' (did you mean HC203?)"),
        (
            ["check", "content", "--select", "exercise-dosage"],
            "--select: unknown rule selector 'exercise-dosage' (did you mean exercise-missing-dosage?)",
        ),
        (["check", "content", "--fix", "--select", "HC2O3"], "--select: unknown rule selector 'HC2O3'"),
        (["check", "content", "--diff", "--select", "HC2O3"], "--select: unknown rule selector 'HC2O3'"),
        (["check", "content", "--ignore", "ZZ9"], "--ignore: unknown rule selector 'ZZ9'"),
    ],
)
def test_usage_errors_exit_2_with_one_line(args: list[str], message: str) -> None:
    done = run(*args)
    assert done.returncode == 2
    assert message in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1
    assert "Traceback" not in done.stderr


def test_bad_configuration_names_file_key_and_line(tmp_path: Path) -> None:
    write_tree(tmp_path, {"hipcheck.toml": 'select = ["HC2"]\ncomercial-terms = ["buy"]\n'})
    write_tree(tmp_path, {"exercises/a.yaml": "id: a\nname: A\n"})
    done = run("check", ".", cwd=tmp_path)
    assert done.returncode == 2
    assert "hipcheck.toml:2: comercial-terms: unknown key" in done.stderr


def test_hostile_configuration_in_a_real_process(tmp_path: Path) -> None:
    # tomllib's RecursionError on deep nesting, and an unknown selector, both through the installed entry point.
    write_tree(tmp_path, {"exercises/a.yaml": "id: a\nname: A\n"})
    for text, message in [
        ("a = " + "[" * 100_000 + "]" * 100_000 + "\n", "invalid TOML: nested too deeply"),
        ('select = ["ZZ9"]\n', "hipcheck.toml:1: select: unknown rule selector 'ZZ9'"),
    ]:
        write_tree(tmp_path, {"hipcheck.toml": text})
        done = run("check", ".", cwd=tmp_path)
        assert (done.returncode, done.stdout) == (2, ""), done.stderr
        assert len(done.stderr.splitlines()) == 1 and message in done.stderr
        assert "Traceback" not in done.stderr and "internal error" not in done.stderr


def test_fix_and_diff_follow_select(tmp_path: Path) -> None:
    # An unused suppression (HC901, fixable): --select HC2 must not fix it; HC2,HC9 (it and what it names) does.
    text = "# hipcheck: ignore[HC203]\nid: hip-circles\nname: Hip circles\ndosage: {sets: 1, reps: 10}\n"
    write_tree(tmp_path, {"exercises/hip-circles.yaml": text})
    assert "Would fix 0 findings" in run("check", ".", "--diff", "--select", "HC2", cwd=tmp_path).stderr
    run("check", ".", "--fix", "--select", "HC2", cwd=tmp_path)
    assert (tmp_path / "exercises/hip-circles.yaml").read_text() == text
    run("check", ".", "--fix", "--select", "HC2,HC9", cwd=tmp_path)
    assert (tmp_path / "exercises/hip-circles.yaml").read_text().startswith("id: hip-circles\n")


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["--fix", "--ignore", "HC9"], "--ignore does not work with --fix; --select does"),
        (["--diff", "--ignore", "HC9"], "--ignore does not work with --diff"),
        (["--add-ignore", "--select", "HC2"], "do not work with --add-ignore"),
    ],
)
def test_editing_refuses_a_selection_it_cannot_follow(tmp_path: Path, options: list[str], message: str) -> None:
    text = "# hipcheck: ignore[HC203]\nid: hip-circles\nname: Hip circles\n"
    write_tree(tmp_path, {"exercises/hip-circles.yaml": text})
    done = run("check", ".", *options, cwd=tmp_path)
    assert done.returncode == 2 and len(done.stderr.splitlines()) == 1 and message in done.stderr
    assert (tmp_path / "exercises/hip-circles.yaml").read_text() == text


def test_configuration_selects_and_overrides(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "pyproject.toml": '[tool.hipcheck]\nignore = ["exercise-missing-dosage"]\n'
            '[tool.hipcheck.severity]\nHC201 = "info"\n',
            "exercises/a.yaml": "id: a\nname: A\nsteps: [Only one]\n",
        },
    )
    report = json.loads(run("check", ".", "--format", "json", cwd=tmp_path).stdout)
    codes = {d["code"]: d["severity"] for d in report["diagnostics"]}
    assert "HC203" not in codes
    assert codes["HC201"] == "info"


def test_bad_input_never_tracebacks(tmp_path: Path) -> None:
    files = {
        "exercises/empty.yaml": b"",
        "exercises/binary.yaml": b"\x00\x01\x02PNG",
        "exercises/latin1.yaml": "id: latin1\nname: Caf\xe9\n".encode("latin-1"),
        "exercises/broken.yaml": b"id: [broken\n",
        "exercises/list.yaml": b"- id: list\n",
        "exercises/bomb.yaml": b"a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
        b"c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
        b"e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]\nf: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]\n",
        "exercises/deep.yaml": b"a: " + b"[" * 5000 + b"]" * 5000 + b"\n",
        "articles/open.md": b"---\ntitle: Never closed\n\nBody.\n",
        "articles/none.md": b"# Just a body\n",
    }
    for relative, data in files.items():
        (tmp_path / relative).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / relative).write_bytes(data)
    done = run("check", ".", "--format", "json", cwd=tmp_path)
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr
    report = json.loads(done.stdout)
    by_path: dict[str, list[str]] = {}
    for d in report["diagnostics"]:
        by_path.setdefault(d["path"], []).append(d["code"])
    assert by_path["exercises/empty.yaml"] == ["HC007"]
    assert by_path["exercises/binary.yaml"] == ["HC006"]
    assert by_path["exercises/latin1.yaml"] == ["HC006"]
    assert by_path["exercises/broken.yaml"] == ["HC001"]
    assert by_path["exercises/list.yaml"] == ["HC008"]
    assert "HC001" in by_path["exercises/bomb.yaml"]
    assert "HC001" in by_path["exercises/deep.yaml"]
    assert by_path["articles/open.md"] == ["HC005"]
    assert by_path["articles/none.md"] == ["HC005"]


def test_given_files_report_only_themselves_and_what_they_break(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "exercises/banded-walks.yaml": GOOD_EXERCISE,
            "exercises/other.yaml": "id: other\nname: Other\n",  # incomplete, but not changed
            "muscles/gluteus-medius.yaml": GOOD_MUSCLE,
            # the house's muscles only: with the built-in vocabulary, gluteus-medius would stay known
            "hipcheck.toml": '[muscles]\nvocabulary = "content"\n',
        },
    )
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    subprocess.run(["git", "add", "."], cwd=tmp_path, check=True)
    subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "init"], cwd=tmp_path, check=True
    )
    clean = json.loads(run("check", "exercises/banded-walks.yaml", "--format", "json", cwd=tmp_path).stdout)
    assert clean["diagnostics"] == [] and clean["summary"]["files"] == 1

    # Renaming the muscle's id breaks the exercise that uses it: both are reported.
    renamed = GOOD_MUSCLE.replace("gluteus-medius", "glute-med").replace("name: gluteus medius", "name: glute med")
    (tmp_path / "muscles/gluteus-medius.yaml").write_text(renamed)
    report = json.loads(run("check", "muscles/gluteus-medius.yaml", "--format", "json", cwd=tmp_path).stdout)
    found = {(d["path"], d["code"]) for d in report["diagnostics"]}
    assert ("muscles/gluteus-medius.yaml", "HC103") in found
    assert ("exercises/banded-walks.yaml", "HC401") in found
    assert not any(path == "exercises/other.yaml" for path, _ in found)


def test_rule_docs_have_the_four_headings() -> None:
    for rule in RULES.values():
        headings = [line[3:] for line in rule.doc.splitlines() if line.startswith("## ")]
        assert tuple(headings) == DOC_HEADINGS, rule.code
        assert all(rule.section(h) for h in DOC_HEADINGS), rule.code


def test_rule_command_prints_docs(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rule", "exercise-missing-dosage"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("HC203 exercise-missing-dosage (default severity: error)")
    for heading in DOC_HEADINGS:
        assert f"## {heading}" in out


def test_rules_command_lists_every_rule(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rules", "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [r["code"] for r in rows] == sorted(RULES)
    assert {"code", "name", "severity", "fixable", "summary"} <= set(rows[0])


def test_schema_check_detects_drift(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["schema", "--check", "--output", str(REPO / "schemas")]) == 0
    assert main(["schema", "--output", str(tmp_path)]) == 0
    (tmp_path / "exercise.schema.json").write_text("{}")
    assert main(["schema", "--check", "--output", str(tmp_path)]) == 1
    assert "exercise.schema.json: out of date" in capsys.readouterr().err
