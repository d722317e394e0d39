"""Fuzz targets: the loader, the citation scanner and the prose scanner, each fed arbitrary bytes.

A target fails (raises) when the component raises, or when a position it returns lies outside the text.
`run.py` drives them, with atheris (coverage-guided) when it is installed, or with its own mutator.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache, lru_cache
from pathlib import Path
from types import SimpleNamespace

import yaml

from hipcheck.citations import code_mask, find_citations, prose_mask
from hipcheck.diagnostics import Span
from hipcheck.loader.records import Record, read_records
from hipcheck.loader.yaml_tree import walk_scalars
from hipcheck.muscle_vocabulary import MuscleOptions, Vocabulary, options_from
from hipcheck.rules.prose import article_prose
from hipcheck.textpos import LineIndex

REPO = Path(__file__).resolve().parents[1]


class OutOfText(AssertionError):
    """A position outside the text it was found in."""


def check_span(span: Span, text: str, what: str) -> None:
    """A span lies inside `text`: offsets in range, starting on a character when there is one, and lines
    and columns where the offsets are ("\\n" lines)."""
    if not 0 <= span.offset <= span.end_offset <= len(text) or (text and span.offset >= len(text)):
        raise OutOfText(f"{what}: {span} outside a text of {len(text)} characters")
    lines = _line_index(text)
    if (span.line, span.column) != lines.position(span.offset) or (span.end_line, span.end_column) != lines.position(
        span.end_offset
    ):
        raise OutOfText(f"{what}: {span} does not match its offsets")


@lru_cache(maxsize=4)
def _line_index(text: str) -> LineIndex:
    return LineIndex(text)  # once per text, not once per span: a file with thousands of findings


def check_record(record: Record, raw: bytes) -> None:
    # A file that is not UTF-8 has no text: its positions are in the text a reporter shows (U+FFFD for bad bytes).
    text = record.text or raw.decode("utf-8-sig", "replace")
    for issue in record.issues:
        check_span(issue.span, text, f"{issue.code} {issue.message[:60]}")
    doc = record.doc if record.loaded else None
    if doc is not None:
        for _, node in walk_scalars(doc.root):
            check_span(doc.span(node), text, "value")
        check_span(record.top_span(), text, "top")


def _decode(data: bytes) -> str:
    """Bytes as text the way a scanner sees a body: undecodable bytes as U+FFFD."""
    return data.decode("utf-8", "replace")


def fuzz_loader(data: bytes) -> None:
    """Every kind of record from the same bytes: YAML records (and reference collections) and articles."""
    for kind, name in (("reference", "x.yaml"), ("article", "x.md"), ("reference", "x.json")):
        for record in read_records(name, kind, name, data):
            check_record(record, data)


def fuzz_citations(data: bytes) -> None:
    body = _decode(data)
    prose_mask.cache_clear()
    code_mask.cache_clear()
    for masked in (prose_mask(body), code_mask(body)):
        if len(masked) != len(body):
            raise OutOfText("a mask changed the body's length")
    for citation in find_citations(body, 7):
        if not 7 <= citation.start < citation.end <= len(body) + 7:
            raise OutOfText(f"citation {citation} outside the body")


@cache
def _vocabulary() -> tuple[Vocabulary, MuscleOptions]:
    muscles = [yaml.safe_load(p.read_text("utf-8")) for p in sorted((REPO / "content" / "muscles").glob("*.yaml"))]
    return Vocabulary.from_data(muscles), options_from(SimpleNamespace(muscles=None))


def fuzz_prose(data: bytes) -> None:
    """The prose rules over an article (front matter and body) and an exercise from the same bytes."""
    vocabulary, options = _vocabulary()
    prose_mask.cache_clear()
    code_mask.cache_clear()
    for kind, name in (("article", "x.md"), ("exercise", "x.yaml")):
        for record in read_records(name, kind, name, data):
            if not record.loaded:
                continue
            findings, _ = article_prose(record, vocabulary, options)
            for finding in findings:
                check_span(finding.span, record.text, f"{finding.code} {finding.message[:60]}")
    text = _decode(data)
    mentions = vocabulary.scan(text)
    for mention in mentions:
        if not 0 <= mention.start < mention.end <= len(text):
            raise OutOfText(f"mention {mention} outside the text")
    for typo in vocabulary.misspellings(text, mentions):
        if not 0 <= typo.start < typo.end <= len(text):
            raise OutOfText(f"misspelling {typo} outside the text")


TARGETS: dict[str, Callable[[bytes], None]] = {
    "loader": fuzz_loader,
    "citations": fuzz_citations,
    "prose": fuzz_prose,
}
