"""Citation scanning against Pandoc itself: hipcheck finds the citation keys `pandoc -f markdown` finds.

The oracle is every `Cite` node's `citationId` in the document body of `pandoc -f markdown -t json`
(pypandoc-binary, in the `test` extra). The comparison is of sets of keys per file: Pandoc repeats a
figure's caption in its image's alt text, so a key cited there is counted twice; hipcheck reports each
place once. Two things are set aside, each exactly:

- Manubot citation-tag definitions, `[@tag:x]: doi:...` lines: Manubot reads them as definitions
  before Pandoc runs, hipcheck does the same, and Pandoc alone reads each as a paragraph citing
  `@tag:x`. They are blanked (newlines kept) in the text Pandoc is given.
- Cross-references (`@fig:x`, `@fig-x`, ...): Pandoc without pandoc-crossref or Quarto reads them as
  citations, and so does `find_citations`; the rules then tell them apart. The first test compares
  everything Pandoc reads; the second, what the rules treat as citations of references, which is
  Pandoc's keys minus those with a cross-reference prefix and minus `@{{...}}` template expressions
  (Jinja, rendered by Manubot before Pandoc sees the text; Pandoc alone reads `{...}` as a key).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from hipcheck.citations import find_citations
from hipcheck.config import DEFAULT_CROSSREF_PREFIXES
from hipcheck.engine import check_paths
from hipcheck.loader.records import read_record

from helpers import TODAY

TESTS = Path(__file__).parent
MANUSCRIPTS = sorted(
    [p for p in (TESTS / "realworld").glob("*/*") if p.suffix in (".md", ".Rmd", ".qmd")]
    + sorted((TESTS / "fixtures" / "citations").glob("*.md")),
)
_TAG_DEFINITION = re.compile(r"^ {0,3}\[@[^\]\n]+\]:.*$", re.M)


def _name(path: Path) -> str:
    return str(path.relative_to(TESTS))


def _hipcheck_keys(path: Path) -> set[str]:
    record = read_record(path.name, "article", path.name, path.read_bytes())
    return {citation.key for citation in find_citations(record.body, record.body_offset)}


def _cite_ids(node: Any, out: set[str]) -> set[str]:
    if isinstance(node, dict):
        if node.get("t") == "Cite":
            out.update(citation["citationId"] for citation in node["c"][0])
        for value in node.values():
            _cite_ids(value, out)
    elif isinstance(node, list):
        for value in node:
            _cite_ids(value, out)
    return out


def _pandoc_keys(path: Path) -> set[str]:
    pypandoc = pytest.importorskip("pypandoc", reason="pypandoc (pip install pypandoc-binary: the test extra)")
    text = _TAG_DEFINITION.sub("", path.read_text("utf-8"))
    document = json.loads(pypandoc.convert_text(text, "json", format="markdown"))
    return _cite_ids(document["blocks"], set())  # the body only, as hipcheck scans it (not the metadata)


@pytest.mark.parametrize("path", MANUSCRIPTS, ids=_name)
def test_citation_keys_equal_pandocs(path: Path) -> None:
    assert _hipcheck_keys(path) == _pandoc_keys(path)


def _cites_a_reference(key: str) -> bool:
    """Pandoc's keys that name references: not a cross-reference with a default prefix, not a Jinja
    `{{...}}` read as a braced key, not `*`."""
    return not key.startswith(tuple(DEFAULT_CROSSREF_PREFIXES)) and key[:1] != "{" and key != "*"


@pytest.mark.parametrize("path", MANUSCRIPTS, ids=_name)
def test_citation_rules_see_pandocs_keys_minus_crossrefs(path: Path, tmp_path: Path) -> None:
    """End to end: with no reference records, unknown-citation and unresolved-identifier-citation
    report every key that cites a reference, so the keys they report are exactly Pandoc's minus the
    cross-references (and a Manubot part's tag definitions are definitions, not citations)."""
    (tmp_path / "articles").mkdir()
    (tmp_path / "articles" / "manuscript.md").write_bytes(path.read_bytes())
    result = check_paths([str(tmp_path)], cwd=tmp_path, today=TODAY, select=["HC404", "HC406"])
    reported = {r.removeprefix("reference:") for d in result.diagnostics for r in d.related if d.code != "HC102"}
    assert reported == {key for key in _pandoc_keys(path) if _cites_a_reference(key)}


def test_the_corpus_is_there() -> None:
    """A manuscript renamed or moved must not quietly drop out of the comparison."""
    assert len(MANUSCRIPTS) >= 20
