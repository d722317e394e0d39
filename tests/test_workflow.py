"""Authors' daily workflow through the CLI on real files: fixing, suppressing, configuring, importing."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest

from hipcheck.cli import main, rules_markdown
from hipcheck.schemas import CONFIG_SCHEMA_FILE, config_schema

from helpers import REPO, write_tree

TRAPS = """\
id: trap
name: Trap  # a comment that must survive
level: beginner
starting_position: 'stand tall'
steps:
  - Step 1: keep hips level
  - no
dosage: {sets: 2, reps: 10, per_side: yes}
muscles:
  primary: [glute medius]
"""


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "hipcheck", *args], cwd=cwd, capture_output=True, text=True)


@pytest.fixture
def drafts(tmp_path: Path) -> Path:
    root = tmp_path / "drafts"
    shutil.copytree(REPO / "examples" / "drafts", root)
    (root / "exercises" / "trap.yaml").write_text(TRAPS, "utf-8")
    return root


def _files(root: Path) -> dict[str, bytes]:
    files = sorted(p for p in root.rglob("*") if p.is_file() and ".hipcheck_cache" not in p.parts)
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in files}


def test_diff_shows_exactly_what_fix_writes(drafts: Path) -> None:
    before = _files(drafts)
    diff = run("check", ".", "--diff", cwd=drafts)
    assert diff.returncode == 1
    assert _files(drafts) == before, "--diff must not write"
    assert '+  - "Step 1: keep hips level"' in diff.stdout
    assert "+  primary: [gluteus-medius]" in diff.stdout

    fixed = run("check", ".", "--fix", "--format", "concise", cwd=drafts)
    assert "Fixed" in fixed.stderr
    text = (drafts / "exercises" / "trap.yaml").read_text("utf-8")
    assert text == TRAPS.replace("- Step 1: keep hips level", '- "Step 1: keep hips level"').replace(
        "  - no", '  - "no"'
    ).replace("per_side: yes", "per_side: true").replace("[glute medius]", "[gluteus-medius]")
    changed = {name for name, data in _files(drafts).items() if before.get(name) != data}
    patched = {line[6:] for line in diff.stdout.splitlines() if line.startswith("+++ b/")}
    assert changed == patched

    again = run("check", ".", "--fix", cwd=drafts)
    assert "Fixed 0 findings in 0 files." in again.stderr
    assert run("check", ".", "--diff", cwd=drafts).stdout == ""


def test_unsafe_fixes_only_on_request(drafts: Path) -> None:
    (drafts / "exercises" / "typo.yaml").write_text("id: typo\nname: Typo\nmuscles:\n  primay: [gluteus-medius]\n")
    run("check", ".", "--fix", cwd=drafts)
    assert "primay:" in (drafts / "exercises" / "typo.yaml").read_text()
    run("check", ".", "--fix", "--unsafe-fixes", cwd=drafts)
    assert "  primary: [gluteus-medius]" in (drafts / "exercises" / "typo.yaml").read_text()


def test_add_ignore_silences_everything_and_is_idempotent(drafts: Path) -> None:
    first = run("check", ".", "--add-ignore", "--reason", "adopting hipcheck", cwd=drafts)
    assert first.returncode == 0 and first.stdout.startswith("Added ")
    after = _files(drafts)
    clean = run("check", ".", "--format", "json", cwd=drafts)
    assert clean.returncode == 0, clean.stdout
    assert json.loads(clean.stdout)["diagnostics"] == []
    assert run("check", ".", "--add-ignore", cwd=drafts).stdout.startswith("Added 0 suppressions")
    assert _files(drafts) == after
    article = (drafts / "articles" / "hips-and-flat-feet.md").read_text("utf-8")
    assert "<!-- hipcheck: ignore[HC306] -- adopting hipcheck -->" in article  # a trailing comment in prose


def test_unused_suppression_is_reported_and_fixed(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "exercises/hip-circles.yaml": "# hipcheck: ignore[HC203]\nid: hip-circles\nname: Hip circles\n"
            "dosage: {sets: 1, reps: 10, per_side: true}\n",
        },
    )
    report = json.loads(run("check", ".", "--format", "json", cwd=tmp_path).stdout)
    assert [(d["code"], d["line"]) for d in report["diagnostics"] if d["code"] == "HC901"] == [("HC901", 1)]
    run("check", ".", "--fix", cwd=tmp_path)
    assert (tmp_path / "exercises/hip-circles.yaml").read_text().startswith("id: hip-circles\n")


def test_config_command_shows_values_and_origins(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "base.toml": 'commercial-terms = ["buy"]\n[severity]\nHC201 = "info"\n',
            "site/pyproject.toml": '[tool.hipcheck]\nextend = "../base.toml"\nsource-max-age = 10\n'
            '[tool.hipcheck.severity]\nHC202 = "error"\n',
            "site/exercises/a.yaml": "id: a\nname: A\n",
        },
    )
    done = run("config", "site", "--format", "json", cwd=tmp_path)
    document = json.loads(done.stdout)
    assert document["values"]["severity"] == {"HC201": "info", "HC202": "error"}  # tables merge
    assert document["values"]["source-max-age"] == 10
    assert document["origins"]["commercial-terms"].endswith("base.toml:1")
    assert document["origins"]["source-max-age"].endswith("pyproject.toml:3")
    assert document["origins"]["exclude"] == "default"
    report = json.loads(run("check", "site", "--format", "json", cwd=tmp_path).stdout)
    severities = {d["code"]: d["severity"] for d in report["diagnostics"]}
    assert severities["HC201"] == "info" and severities["HC202"] == "error"


def test_extend_cycle_and_per_file_ignores(tmp_path: Path) -> None:
    write_tree(tmp_path, {"a.toml": 'extend = "b.toml"\n', "b.toml": 'extend = "a.toml"\n'})
    write_tree(tmp_path, {"hipcheck.toml": 'extend = "a.toml"\n', "exercises/x.yaml": "id: x\nname: X\n"})
    done = run("check", ".", cwd=tmp_path)
    assert done.returncode == 2 and "'extend' goes in a circle" in done.stderr

    write_tree(
        tmp_path,
        {
            "hipcheck.toml": '[per-file-ignores]\n"exercises/draft-*.yaml" = ["exercise-missing-dosage"]\n',
            "exercises/draft-x.yaml": "id: draft-x\nname: X\n",
        },
    )
    report = json.loads(run("check", ".", "--format", "json", cwd=tmp_path).stdout)
    by_file = {(d["path"], d["code"]) for d in report["diagnostics"]}
    assert ("exercises/x.yaml", "HC203") in by_file
    assert ("exercises/draft-x.yaml", "HC203") not in by_file


def test_docs_rules_md_is_in_sync() -> None:
    assert (REPO / "docs" / "rules.md").read_text("utf-8") == rules_markdown(), "run: hipcheck rules --format markdown"


def test_config_schema_is_published_and_valid() -> None:
    schema = json.loads((REPO / "schemas" / CONFIG_SCHEMA_FILE).read_text("utf-8"))
    assert schema == config_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    assert validator.is_valid({"select": ["HC2"], "severity": {"HC201": "info"}, "source-max-age": 10})
    assert not validator.is_valid({"comercial-terms": ["buy"]})


def test_refs_import_bibtex_then_check(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bib = tmp_path / "library.bib"
    bib.write_text(
        "@article{niemuth2005,\n"
        "  title = {Hip muscle weakness and overuse injuries in recreational runners},\n"
        "  author = {Niemuth, P. E. and Johnson, R. J. and Myers, M. J. and Thieman, T. J.},\n"
        "  journal = {Clin J Sport Med}, year = {2005}, volume = {15}, number = {1}, pages = {14--21},\n"
        "  doi = {https://doi.org/10.1097/00042752-200501000-00004}\n}\n"
        "@article{broken, title = {x}\n",
        "utf-8",
    )
    content = tmp_path / "content"
    assert main(["refs", "import", str(bib), "--to", str(content)]) == 0
    out = capsys.readouterr()
    assert "niemuth2005.yaml" in out.out and "not valid BibTeX" in out.err
    record = (content / "references" / "niemuth2005.yaml").read_text("utf-8")
    assert "DOI: 10.1097/00042752-200501000-00004" in record
    assert "- family: Niemuth\n  given: P. E.\n" in record
    report = json.loads(run("check", str(content), "--format", "json", cwd=tmp_path).stdout)
    # Complete and valid; and a root with no article yet is a library, so not "never cited" (HC501) either.
    assert report["diagnostics"] == []


def test_refs_import_csl_json_with_zotero_ids(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    items = [
        {
            "id": "http://zotero.org/users/1/items/ABCD",
            "type": "article-journal",
            "title": "Example study",
            "author": [{"family": "Müller", "given": "J"}],
            "issued": {"date-parts": [[2020]]},
            "container-title": "Example Journal",
            "DOI": "doi:10.5555/example",
        }
    ]
    source = tmp_path / "export.json"
    source.write_text(json.dumps(items), "utf-8")
    assert main(["refs", "import", str(source), "--to", str(tmp_path / "content")]) == 0
    written = tmp_path / "content" / "references" / "muller2020.yaml"
    assert written.is_file(), capsys.readouterr().out
    text = written.read_text("utf-8")
    assert text.startswith("id: muller2020\n") and "DOI: 10.5555/example" in text
    assert main(["refs", "import", str(source), "--to", str(tmp_path / "content")]) == 0
    assert "exists" in capsys.readouterr().err  # never overwrites without --overwrite


def test_exclude_and_rule_options_through_the_cli(tmp_path: Path) -> None:
    article = "---\ntitle: Hips\n---\nOur new mat is 20% off with promo code HIPS.\n"
    write_tree(
        tmp_path,
        {
            "articles/sale.md": article,
            "exercises/archive/old.yaml": "id: old\nname: Old\n",
            "exercises/new.yaml": "id: new\nname: New\n",
        },
    )
    report = json.loads(run("check", ".", "--format", "json", "--select", "HC203,HC306", cwd=tmp_path).stdout)
    codes = {(d["path"], d["code"]) for d in report["diagnostics"]}
    assert ("articles/sale.md", "HC306") in codes and ("exercises/archive/old.yaml", "HC203") in codes

    (tmp_path / "hipcheck.toml").write_text('exclude = ["exercises/archive/*"]\ncommercial-terms = ["coupon"]\n')
    report = json.loads(run("check", ".", "--format", "json", "--select", "HC203,HC306", cwd=tmp_path).stdout)
    codes = {(d["path"], d["code"]) for d in report["diagnostics"]}
    assert codes == {("exercises/new.yaml", "HC203")}  # archive excluded; "promo code" no longer a term
    assert report["summary"]["files"] == 2
