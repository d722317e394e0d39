"""README.md's rule list and docs/rules.md are generated from the rule registry (tools/docs.py), never edited
by hand: these tests fail when either drifts from what the registry says."""

from __future__ import annotations

import importlib.util
import re
from types import ModuleType

from hipcheck.rules import RULES

from helpers import REPO


def _docs_tool() -> ModuleType:
    spec = importlib.util.spec_from_file_location("docs_tool", REPO / "tools" / "docs.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


DOCS = _docs_tool()


def test_readme_and_rules_md_are_what_the_registry_generates() -> None:
    for path, text in DOCS.generated().items():
        assert path.read_text("utf-8") == text, f"{path.relative_to(REPO)} drifted: run python tools/docs.py"


def test_the_readme_rule_list_names_every_registered_rule_once_with_its_summary() -> None:
    readme = (REPO / "README.md").read_text("utf-8")
    block = readme[readme.index(DOCS.MARKER) :].split("```")[1]
    codes = re.findall(r"^(HC\d{3}) ", block, re.M)
    assert codes == sorted(RULES)
    for code in codes:
        rule = RULES[code]
        (line,) = [line for line in block.splitlines() if line.startswith(code)]
        assert rule.name in line.split() and line.endswith(rule.summary)


def test_the_generator_repairs_a_drifted_table() -> None:
    readme = (REPO / "README.md").read_text("utf-8")
    drifted = readme.replace(RULES["HC004"].summary, "A value carries a YAML tag outside the safe core set.", 1)
    assert drifted != readme
    assert DOCS.readme(drifted, DOCS.hipcheck("rules")) == readme


def test_rules_md_documents_every_rule_with_the_four_headings() -> None:
    text = (REPO / "docs" / "rules.md").read_text("utf-8")
    sections = re.split(r"^## (HC\d{3}) ", text, flags=re.M)[1:]
    documented = dict(zip(sections[::2], sections[1::2], strict=True))
    assert sorted(documented) == sorted(RULES)
    for code, body in documented.items():
        for heading in ("What it does", "Why it matters", "Example", "Fix"):
            assert f"### {heading}" in body, f"{code}: no '{heading}' section"
