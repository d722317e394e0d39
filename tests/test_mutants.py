"""Tests that kill mutants a mutation pass found surviving (tools/mutation.py; issue 12).

Each test names the mutant it kills. They go through `check_paths` and the files a user writes, not private
helpers, so they keep meaning the same when rule modules move.
"""

from __future__ import annotations

import fnmatch
import math
import os
import stat
from pathlib import Path

import pytest
from rapidfuzz import fuzz

from hipcheck.cli import main
from hipcheck.diagnostics import Edit, Fix
from hipcheck.engine import check_paths
from hipcheck.fix_edits import apply_fixes

from helpers import REPO, TODAY, write_tree


def _found(root: Path, files: dict[str, str], code: str) -> list[str]:
    write_tree(root, files)
    result = check_paths([str(root)], cwd=root, today=TODAY, select=[code])
    return [f"{d.path}:{d.span.line}:{d.span.column} {d.message}" for d in result.diagnostics if d.code == code]


def _exercise(dosage: str) -> dict[str, str]:
    return {"exercises/side-plank.yaml": f"id: side-plank\nname: Side plank\ndosage:\n{dosage}"}


# --- HC203: a dosage needs sets and one of reps, hold_seconds or duration_seconds ------------------


def test_hc203_duration_seconds_counts_as_load(tmp_path: Path) -> None:
    """Kills "ignore duration_seconds in HC203"."""
    assert _found(tmp_path, _exercise("  sets: 3\n  duration_seconds: 30\n"), "HC203") == []


@pytest.mark.parametrize("empty", ["null", "~", '""', "[]", "{}"])
def test_hc203_an_empty_sets_value_is_missing(tmp_path: Path, empty: str) -> None:
    """Kills "treat sets: null as present" (and the other empty values)."""
    found = _found(tmp_path, _exercise(f"  sets: {empty}\n  reps: 10\n"), "HC203")
    assert found == ["exercises/side-plank.yaml:3:1 dosage gives no sets"]


@pytest.mark.parametrize("load", ["reps", "hold_seconds", "duration_seconds"])
def test_hc203_an_empty_load_value_is_missing(tmp_path: Path, load: str) -> None:
    found = _found(tmp_path, _exercise(f"  sets: 3\n  {load}: null\n"), "HC203")
    assert found == ["exercises/side-plank.yaml:3:1 dosage gives no reps, hold_seconds or duration_seconds"]


# --- HC404: citation keys are case-sensitive (Pandoc) ----------------------------------------------

_REFERENCE = "id: {key}\ntype: article-journal\ntitle: Hip strength\n"
_ARTICLE = "---\ntitle: Hips\n---\n\nHip strength predicts decline [@{key}].\n"


def test_hc404_a_key_differing_only_in_case_is_unknown(tmp_path: Path) -> None:
    """Kills "lower-case keys before HC404 lookup": `@Ikezoe2021` names no record `ikezoe2021`."""
    files = {
        "references/ikezoe2021.yaml": _REFERENCE.format(key="ikezoe2021"),
        "articles/hips.md": _ARTICLE.format(key="Ikezoe2021"),
    }
    (finding,) = _found(tmp_path, files, "HC404")
    assert finding.startswith("articles/hips.md:5:")
    assert "'@Ikezoe2021' has no reference record" in finding


def test_hc404_a_mixed_case_key_finds_its_record(tmp_path: Path) -> None:
    files = {
        "references/Ikezoe2021.yaml": _REFERENCE.format(key="Ikezoe2021"),
        "articles/hips.md": _ARTICLE.format(key="Ikezoe2021"),
    }
    assert _found(tmp_path, files, "HC404") == []


# --- HC506: check digits of 0 and X --------------------------------------------------------------


def _reference(field: str, value: str) -> dict[str, str]:
    text = f"id: winter1974\ntype: article-journal\ntitle: Kinematics\n{field}: '{value}'\n"
    return {"references/winter1974.yaml": text}


@pytest.mark.parametrize(
    ("field", "value"),
    [
        # Journal of Biomechanics (tests/realworld/pyomeca-joss/paper.bib): check digit 0, where
        # "drop the final % 11 of the ISSN check digit" gives 11.
        ("ISSN", "0021-9290"),
        ("ISSN", "0378-5955"),  # Hearing Research (tests/fixtures/rules/HC506.yaml)
    ],
)
def test_hc506_accepts_valid_check_digits(tmp_path: Path, field: str, value: str) -> None:
    assert _found(tmp_path, _reference(field, value), "HC506") == []


@pytest.mark.parametrize(("value", "gives"), [("0021-9291", "0"), ("0021-929X", "0"), ("0021-9280", "2")])
def test_hc506_rejects_a_wrong_issn_check_digit(tmp_path: Path, value: str, gives: str) -> None:
    (finding,) = _found(tmp_path, _reference("ISSN", value), "HC506")
    assert "fails the ISSN check" in finding and f"the first 7 digits give '{gives}'" in finding


# --- HC610: the misspelling threshold is inclusive ------------------------------------------------

_MUSCLE = "id: piriformis\nkind: muscle\nname: piriformis\n"
_TYPO_ARTICLE = "---\ntitle: Hips\n---\n\nStretch the pirifomis after the walk.\n"


def _typo_files(score: float) -> dict[str, str]:
    return {
        "hipcheck.toml": f"[muscles]\nmisspelling-score = {score!r}\n",
        "muscles/piriformis.yaml": _MUSCLE,
        "articles/hips.md": _TYPO_ARTICLE,
    }


def test_hc610_reports_a_typo_scoring_exactly_the_threshold(tmp_path: Path) -> None:
    """Kills "`>=` -> `>` at HC610's threshold": a phrase as similar as the configured score is a typo."""
    score = fuzz.ratio("pirifomis", "piriformis")
    (finding,) = _found(tmp_path / "at", _typo_files(score), "HC610")
    assert "'pirifomis' looks like a misspelling of 'piriformis'" in finding
    assert _found(tmp_path / "above", _typo_files(math.nextafter(score, 100.0)), "HC610") == []


# --- found by tools/mutation.py ------------------------------------------------------------------


@pytest.mark.parametrize("issued", ["'2021'", "2021"])
def test_hc101_leaves_a_reference_date_written_as_text_to_hc510(tmp_path: Path, issued: str) -> None:
    """Kills `record.kind != "reference"` -> `not record.kind != "reference"` in the schema check's HC510
    exception: HC101 would report the date HC510 already reports with a fix."""
    write_tree(
        tmp_path, {"references/a2021.yaml": f"id: a2021\ntype: article-journal\ntitle: Hips\nissued: {issued}\n"}
    )
    result = check_paths([str(tmp_path)], cwd=tmp_path, today=TODAY, select=["HC101", "HC510"])
    assert [(d.code, d.span.line) for d in result.diagnostics] == [("HC510", 4)]


@pytest.mark.parametrize(
    ("name", "code", "message"),
    [
        ("\n  Hip: flexors", "HC003", "the ': ' after 'Hip' made this a mapping"),
        ('\n  "Hip": flexors', "HC101", "name should be text, found a mapping"),  # a quoted key was meant
        ("\n  Hip: 'flexors'", "HC101", "name should be text, found a mapping"),
        (" {Hip: [flexors]}", "HC101", "name should be text, found a mapping"),
    ],
)
def test_hc003_colon_trap_is_a_plain_key_and_plain_value_on_one_line(
    tmp_path: Path, name: str, code: str, message: str
) -> None:
    """Kills `and not value.style` -> `or not value.style` in HC003's colon trap."""
    write_tree(tmp_path, {"exercises/a.yaml": f"id: a\nname:{name}\n"})
    result = check_paths([str(tmp_path)], cwd=tmp_path, today=TODAY, select=["HC003", "HC101"])
    assert [d.code for d in result.diagnostics] == [code]
    assert message in result.diagnostics[0].message


def test_hc506_a_labelled_pmid_keeps_what_follows_a_slash(tmp_path: Path) -> None:
    """Kills `what == "URL"` -> `what >= "URL"` ("label" sorts after "URL"): only a URL's path and query are
    cut off; after a `PMID:` label, a '/' is part of the value and is reported."""
    files = {"references/a2021.yaml": "id: a2021\ntype: article-journal\ntitle: Hips\nPMID: 'PMID: 12345678/2'\n"}
    (finding,) = _found(tmp_path, files, "HC506")
    assert "remove the 'PMID:' label" in finding and "'12345678/2' contains '/'" in finding


_GROUP_MUSCLES = {
    "muscles/iliopsoas.yaml": "id: iliopsoas\nkind: group\nname: iliopsoas\nmembers: [iliacus, psoas-major]\n",
    "muscles/iliacus.yaml": "id: iliacus\nkind: muscle\nname: iliacus\npart_of: [iliopsoas]\n",
    "muscles/psoas-major.yaml": "id: psoas-major\nkind: muscle\nname: psoas major\npart_of: [iliopsoas]\n",
    "muscles/psoas-minor.yaml": "id: psoas-minor\nkind: muscle\nname: psoas minor\n",
}


def test_hc611_a_definition_listing_exactly_two_members_is_checked(tmp_path: Path) -> None:
    """Kills `len(listed) >= 2` -> `> 2`: two muscles named before "join to form" define the group."""
    article = "---\ntitle: Hips\n---\nThe iliacus and the psoas minor join to form the iliopsoas.\n"
    (finding,) = _found(tmp_path, {**_GROUP_MUSCLES, "articles/hips.md": article}, "HC611")
    assert "not in the record: psoas minor" in finding


@pytest.mark.skipif(os.name != "posix", reason="POSIX modes")
def test_an_imported_record_is_written_with_mode_644(tmp_path: Path) -> None:
    """Kills `0o644` -> `421` (0o645) in the atomic writer's mode for a new file: `hipcheck refs import`
    writes ordinary, non-executable files whatever the umask."""
    source = tmp_path / "refs.json"
    source.write_text('[{"id": "winter1974", "type": "article-journal", "title": "Kinematics"}]', encoding="utf-8")
    assert main(["refs", "import", str(source), "--to", str(tmp_path / "content")]) == 0
    (written,) = (tmp_path / "content").rglob("*.yaml")
    assert stat.S_IMODE(written.stat().st_mode) == 0o644


def test_hc611_a_definition_ends_with_its_sentence(tmp_path: Path) -> None:
    """Kills `local + 500` -> `local >> 500` in the search for a definition's sentence end: the muscle named
    in the next sentence is not one of the group's members."""
    body = "The iliopsoas consists of the iliacus and the psoas major. The psoas minor lies in front.\n"
    article = f"---\ntitle: Hips\n---\n{body}"
    assert _found(tmp_path, {**_GROUP_MUSCLES, "articles/hips.md": article}, "HC611") == []
    article = article.replace("major. The", "major, the")
    (finding,) = _found(tmp_path / "one-sentence", {**_GROUP_MUSCLES, "articles/hips.md": article}, "HC611")
    assert "not in the record: psoas minor" in finding


def test_a_fix_overlapping_an_earlier_fix_waits_for_the_next_run() -> None:
    """Kills `at - 1` -> `at // 1` in the clash check: the edit chosen just before a new edit's start is the
    one that can reach over it."""
    text = "0123456789"
    wide = Fix("replace 1-8", (Edit(1, 8, "X"),))
    inside = Fix("replace 3-5", (Edit(3, 5, "Y"),))
    after = Fix("replace 8-9", (Edit(8, 9, "Z"),))
    assert apply_fixes(text, [inside, wide, after]) == ("0X" + "Z9", 2)


def test_find_rule_by_name_in_any_case(capsys: pytest.CaptureFixture[str]) -> None:
    """Kills `r.name == key.lower()` -> `r.name is key.lower()`: `hipcheck rule NAME` finds a rule by name."""
    for name in ("exercise-missing-dosage", "Exercise-Missing-Dosage"):
        assert main(["rule", name]) == 0
        assert capsys.readouterr().out.startswith("HC203 exercise-missing-dosage")


def test_the_mutation_tool_names_modules_and_tests_that_exist(monkeypatch: pytest.MonkeyPatch) -> None:
    """tools/mutation.py's MODULES and TESTS_FOR follow the package's layout: a renamed module must not
    silently drop out of the mutation run (a glob matching nothing is only a note there)."""
    import importlib.util
    import sys
    import types

    for name in ("cosmic_ray", "cosmic_ray.work_db", "cosmic_ray.work_item"):  # the `mutation` extra, not needed here
        stub = types.ModuleType(name)
        stub.__dict__.update(dict.fromkeys(["WorkDB", "use_db", "TestOutcome", "WorkerOutcome", "WorkResult"]))
        monkeypatch.setitem(sys.modules, name, stub)
    spec = importlib.util.spec_from_file_location("mutation_tool", REPO / "tools" / "mutation.py")
    assert spec is not None and spec.loader is not None
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)
    for pattern in tool.MODULES:
        assert list(REPO.glob(pattern)), f"MODULES: {pattern} matches no file"
    modules = tool.modules(REPO)
    named = {"hipcheck/identifiers.py", "hipcheck/fix_edits.py", "hipcheck/rules/reference_identifiers.py"}
    assert named <= set(modules)  # issue 12: the rules, identifiers and fixes modules
    for pattern, arguments in tool.TESTS_FOR:
        assert any(fnmatch.fnmatch(m, pattern) for m in modules), f"TESTS_FOR: {pattern} matches no module"
        for test_file in (a for a in [*arguments, *tool.TESTS] if a.startswith("tests/")):
            assert (REPO / test_file).is_file(), f"{pattern}: {test_file} does not exist"
    for test_file in tool.SLOW_TESTS:
        assert (REPO / test_file).is_file(), f"SLOW_TESTS: {test_file} does not exist"
    # a rule's own test files run too: those importing its module or naming its codes, not the slow ones
    online = tool.tests_for("hipcheck/rules/online.py", (REPO / "hipcheck/rules/online.py").read_text("utf-8"))
    assert online[1] == ["tests/test_online.py"]
    registry = tool.tests_for("hipcheck/rules/registry.py", (REPO / "hipcheck/rules/registry.py").read_text("utf-8"))
    assert "tests/test_cli.py" in registry[1]


_HARD = """Patellofemoral pain syndrome is characterised by multifactorial biomechanical aetiology, including
diminished neuromuscular coordination of the hip abductors and external rotators, which consequently
precipitates excessive femoral adduction and internal rotation during weight-bearing activities.

Rehabilitation programmes emphasising progressive proximal strengthening demonstrate considerable
heterogeneity regarding intervention characteristics, dosage parameters and outcome measurement,
complicating interpretation of comparative effectiveness across methodologically diverse investigations.

Walk every day. Sit less. Stand up and move each hour. Rest when your hip hurts. Then walk again.
Keep your back straight. Bend your knees a bit. Lift the bag with your legs, not your back.
"""


def test_hc701_names_only_paragraphs_above_the_target(tmp_path: Path) -> None:
    """Kills `result.grade > limit` -> `!=` in the scoring of paragraphs: the plain last paragraph (grade
    below the target) is not one of the article's hardest."""
    files = {
        "hipcheck.toml": "[prose]\narticle-min-words = 40\nmin-words = 10\n",
        "articles/hard.md": f"---\ntitle: Hips\n---\n{_HARD}",
    }
    (finding,) = _found(tmp_path, files, "HC701")
    assert finding.endswith("above the target 9 for patient readers; hardest paragraphs: line 8 (33.1), line 4 (28.2)")


def test_hc763_a_credit_line_in_the_body_spans_the_credit(tmp_path: Path) -> None:
    """Kills `body_offset + match.end("credit")` -> `body_offset & ...`: the finding's range is the credit."""
    write_tree(
        tmp_path,
        {
            "hipcheck.toml": "[links]\nimage-credit-licence = true\n",
            "articles/hips.md": "---\ntitle: Hips\n---\n\nPhoto source: John Roe\n",
        },
    )
    result = check_paths([str(tmp_path)], cwd=tmp_path, today=TODAY, select=["HC763"])
    (finding,) = result.diagnostics
    span = finding.span
    assert (span.line, span.column, span.end_line, span.end_column) == (5, 15, 5, 23)


def test_hc611_members_after_a_closed_parenthesis_count(tmp_path: Path) -> None:
    """Kills `depth + count("(") - count(")")` -> `+ count(")")`: a member after an aside in parentheses
    is still listed, so the definition agrees with the record."""
    body = "The iliopsoas is made up of the iliacus (a fan-shaped muscle) and the psoas major.\n"
    article = f"---\ntitle: Hips\n---\n{body}"
    assert _found(tmp_path, {**_GROUP_MUSCLES, "articles/hips.md": article}, "HC611") == []


def test_hc766_a_moved_angle_bracketed_destination_keeps_its_brackets(tmp_path: Path) -> None:
    """Kills `link.kind != "autolink"` -> `link.kind <= "autolink"`: the fix of `[text](<url>)` writes the
    new address inside the brackets. (Only the link's own finding is looked at: the bracketed address is
    also read as an autolink one column on, a second finding left to markdown_links.py's owner.)"""
    cache = (
        '{"version": 1, "entries": {"http://example.org/hip-guide": {"status": "redirected", '
        '"checked": "2026-01-01T00:00:00Z", "http-status": 200, "target": "https://example.org/guides/hip"}}}'
    )
    article = "---\ntitle: Hips\n---\n\nRead [the guide](<http://example.org/hip-guide>).\n"
    write_tree(tmp_path, {".hipcheck/links.json": cache, "articles/hips.md": article})
    result = check_paths([str(tmp_path)], cwd=tmp_path, today=TODAY, select=["HC766"])
    (link,) = [d for d in result.diagnostics if (d.span.line, d.span.column) == (5, 18)]
    assert link.fix is not None and [e.replacement for e in link.fix.edits] == ["<https://example.org/guides/hip>"]
