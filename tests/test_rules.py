"""Every rule's data fixtures (tests/fixtures/rules/HCnnn.yaml), run by one parametrized test.

A case writes `files` into a fresh content root, runs hipcheck with only that rule selected, and
compares `expect` (each "path:line:col", optionally with a message fragment) with what it reports.
A rule about other rules (unused suppressions) can name them in `also_run`; only its own findings count.
A case with `fixed` also applies every fix the rule offers and compares the files afterwards; its fixes
must all be safe (applied by `--fix`), or, with `unsafe: true`, all need judgment (`--unsafe-fixes`).
"""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

import pytest
import yaml

from hipcheck.engine import check_paths
from hipcheck.fix_edits import apply_fixes
from hipcheck.rules import RULES

from helpers import TODAY, write_tree

FIXTURES = Path(__file__).parent / "fixtures" / "rules"


def _cases() -> list[Any]:
    params = []
    for path in sorted(FIXTURES.glob("HC*.yaml")):
        data = yaml.safe_load(path.read_text("utf-8"))
        for case in data["cases"]:
            params.append(pytest.param(data["rule"], case, id=f"{data['rule']}-{case['name']}"))
    return params


CASES = _cases()


def _run(root: Path, code: str, also: list[str] | None = None) -> list[Any]:
    result = check_paths([str(root)], cwd=root, today=TODAY, select=[code, *(also or [])])
    return [d for d in result.diagnostics if d.code == code]


@pytest.mark.parametrize(("code", "case"), CASES)
def test_rule_fixture(tmp_path: Path, code: str, case: dict[str, Any]) -> None:
    root = tmp_path / "content"
    write_tree(root, case.get("files", {}))
    for relative, encoded in case.get("binary_files", {}).items():
        (root / relative).parent.mkdir(parents=True, exist_ok=True)
        (root / relative).write_bytes(base64.b64decode(encoded))
    diagnostics = _run(root, code, case.get("also_run"))

    expected = [e if isinstance(e, dict) else {"at": e} for e in case.get("expect", [])]
    got = [f"{d.path}:{d.span.line}:{d.span.column}" for d in diagnostics]
    assert got == [e["at"] for e in expected], [d.message for d in diagnostics]
    for want, diagnostic in zip(expected, diagnostics, strict=True):
        if "message" in want:
            assert want["message"] in diagnostic.message

    if "fixed" in case:
        by_file: dict[str, list[Any]] = {}
        for d in diagnostics:
            if d.fix is not None:
                by_file.setdefault(d.path, []).append(d.fix)
        assert by_file, "a fix case must offer a fix"
        safe = not case.get("unsafe", False)
        assert all(f.safe is safe for fixes in by_file.values() for f in fixes), f"every fix must have safe={safe}"
        for relative, want_text in case["fixed"].items():
            text = (root / relative).read_text("utf-8")
            fixed, _ = apply_fixes(text, by_file.get(relative, []))
            assert fixed == want_text
            (root / relative).write_text(fixed, "utf-8")
        remaining = _run(root, code, case.get("also_run"))
        assert not [d for d in remaining if d.path in case["fixed"]], "fixing must clear the finding"


def test_every_rule_has_passing_and_failing_fixtures() -> None:
    seen: dict[str, set[str]] = {code: set() for code in RULES}
    for param in CASES:
        code, case = param.values
        seen[code].add("fail" if case.get("expect") else "pass")
        if "fixed" in case:
            seen[code].add("fix")
    for code, rule in RULES.items():
        needed = {"pass", "fail"} | ({"fix"} if rule.fixable else set())
        assert needed <= seen[code], f"{code} {rule.name} lacks fixture cases: {sorted(needed - seen[code])}"
        # and the converse: a rule whose fixture fixes a file says it is fixable (`hipcheck rules`, the docs)
        assert rule.fixable or "fix" not in seen[code], f"{code} {rule.name} offers fixes but is not fixable"
