"""The pipeline's contracts with the rules: one rule in one module, found by its code; the engine knows
no rule by name; a finding with an unregistered code is never dropped silently; cached cross-record
results are replayed from what findings depend on (their files and the files they cite), never from
their wording."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from hipcheck.caching.results import Summary
from hipcheck.cli import main
from hipcheck.config import Config
from hipcheck.diagnostics import Diagnostic, Finding, Severity, Span
from hipcheck.engine import _replay_holds, check_paths
from hipcheck.rules import RULES
from hipcheck.rules.registry import CHECKS, Check, selected
from hipcheck.stages import Emitter, FileResult, UnregisteredCode, enabled_rules
from hipcheck.suppression_comments import FileSuppressions

from helpers import REPO, TODAY

PIPELINE = ["engine.py", "stages.py", "context.py", "index.py", "loader/records.py", "loader/yaml_tree.py"]


def test_every_rule_names_the_module_that_defines_it(capsys: pytest.CaptureFixture[str]) -> None:
    for rule in RULES.values():
        source = Path(rule.source)
        assert source.is_file() and source.as_posix().endswith(rule.source_file), rule.code
        assert f'"{rule.code}"' in source.read_text("utf-8"), f"{rule.code} is not defined in {rule.source_file}"
    assert main(["rule", "HC607", "--source"]) == 0
    assert capsys.readouterr().out.strip() == RULES["HC607"].source
    assert main(["rule", "unused-suppression"]) == 0
    assert "Defined in hipcheck/rules/suppression.py." in capsys.readouterr().out


@pytest.mark.parametrize("module", PIPELINE)
def test_the_pipeline_names_no_rule(module: str) -> None:
    """Rules declare what they need through the registry; the loader reports through rule objects. (The
    code is read, not its comments and docstrings.)"""
    tree = ast.parse((REPO / "hipcheck" / module).read_text("utf-8"))
    docstrings = {id(n.value) for n in ast.walk(tree) if isinstance(n, ast.Expr) and isinstance(n.value, ast.Constant)}
    strings = [n.value for n in ast.walk(tree) if isinstance(n, ast.Constant) and id(n) not in docstrings]
    assert not [s for s in strings if isinstance(s, str) and re.search(r"HC\d{3}", s)]
    names = [n.id for n in ast.walk(tree) if isinstance(n, ast.Name)]
    names += [n.attr for n in ast.walk(tree) if isinstance(n, ast.Attribute)]
    names += [n.name for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.ClassDef)]
    # nor a rule family's: prose rules, link rules (their answers come through registry.reads_outside)
    assert not [name for name in names if "prose" in name.lower() or "link" in name.lower()]


def _emitter() -> Emitter:
    config = Config()
    return Emitter(config, enabled_rules(config))


def test_an_unregistered_code_raises_in_development() -> None:
    with pytest.raises(UnregisteredCode, match="HC999"):
        _emitter()(Finding("a typo in a rule", Span.start_of_file(), code="HC999"), "a.yaml")


def test_a_code_its_check_does_not_declare_raises_too() -> None:
    check = next(c for c in CHECKS if all(r.code != "HC001" for r in c.rules))
    with pytest.raises(UnregisteredCode, match="does not declare"):
        _emitter().run(check, "a.yaml", lambda: [Finding("x", Span.start_of_file(), code="HC001")])


def test_in_production_an_unregistered_code_is_an_internal_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("hipcheck.stages._DEVELOPMENT", False)
    emit = _emitter()
    emit(Finding("a typo in a rule", Span.start_of_file(), code="HC2O3"), "a.yaml")
    assert not emit.diagnostics
    assert len(emit.internal_errors) == 1 and "'HC2O3'" in emit.internal_errors[0]


def test_switched_off_rules_are_dropped_quietly() -> None:
    config = Config(select=["HC2"])
    emit = Emitter(config, enabled_rules(config))
    emit(Finding("fine", Span.start_of_file(), code="HC001"), "a.yaml")
    assert not emit.diagnostics and not emit.internal_errors


def test_rule_selection_is_decided_in_one_place() -> None:
    rule = RULES["HC607"]
    assert selected(rule, [], [])
    assert selected(rule, ["HC6"], []) and selected(rule, ["informal-muscle-name"], [])
    assert selected(rule, ["ALL"], []) and not selected(rule, ["ALL"], ["hc607"])
    assert not selected(rule, ["HC2"], [])


def test_file_passes_belong_to_registered_index_checks() -> None:
    passes = [c for c in CHECKS if c.file_pass is not None]
    assert passes and all(isinstance(c, Check) and c.scope == "index" for c in passes)
    assert len({c.file_pass.name for c in passes if c.file_pass}) == len(passes)


def test_outside_reads_belong_to_registered_index_checks() -> None:
    from hipcheck.rules.external_links import check_external_links
    from hipcheck.rules.links import check_relative_links
    from hipcheck.rules.registry import reads_outside

    declared = {c.fn: c.reads for c in CHECKS if c.reads.answers or c.reads.cache or c.reads.listing}
    assert declared[check_external_links].answers is not None
    assert declared[check_external_links].cache is not None
    assert declared[check_external_links].cache(Config()) == Config().links.cache
    assert declared[check_relative_links].listing and declared[check_relative_links].answers is None
    with pytest.raises(ValueError, match="not a registered index check"):
        reads_outside(lambda index, ctx: iter(()), listing=True)


def _diagnostic(path: str, cites: tuple[str, ...] = ()) -> Diagnostic:
    span = Span(1, 1, 1, 2)
    return Diagnostic(path, span, "HC104", "duplicate-id", Severity.ERROR, "also defined in b.yaml:1", cites=cites)


def _changed(path: str) -> dict[str, FileResult]:
    return {path: FileResult(path, [], [], FileSuppressions(), facts="same")}


@pytest.mark.parametrize(
    ("diagnostic", "holds"),
    [
        (_diagnostic("a.yaml"), True),  # the message names b.yaml, but the finding does not cite it
        (_diagnostic("a.yaml", cites=("b.yaml",)), False),  # b.yaml's lines may have moved
        (_diagnostic("b.yaml"), False),  # placed in the changed file
    ],
)
def test_cached_cross_record_results_replay_from_what_they_cite(diagnostic: Diagnostic, holds: bool) -> None:
    summary = Summary(outside="none", facts={"b.yaml": "same"}, index_diagnostics=[diagnostic])
    assert _replay_holds(summary, _changed("b.yaml"), "none") is holds


def test_findings_that_cite_other_files_say_so(tmp_path: Path) -> None:
    """Every cross-record finding whose message names another file lists it in `cites`."""
    result = check_paths(["examples/drafts"], cwd=REPO, today=TODAY, cache=False)
    checked = set(result.checked)
    cited = [d for d in result.diagnostics if d.cites]
    assert cited, "the drafts have a finding that cites another file"
    for diagnostic in result.diagnostics:
        named = {path for path in checked if path != diagnostic.path and path in diagnostic.message}
        assert named <= set(diagnostic.cites), diagnostic
