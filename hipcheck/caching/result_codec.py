"""How the results cache stores a file's per-file results and its records: JSON lists, read back by
the strict readers of hipcheck.caching.codec (any doubt raises Invalid and the file is discarded).
A change to what is stored here must bump hipcheck.caching.files.FORMAT.
"""

from __future__ import annotations

from typing import Any, cast

from hipcheck.caching.codec import (
    diagnostic_in,
    diagnostic_out,
    edit_in,
    edit_out,
    flag,
    integer,
    items,
    list_of,
    mapping,
    need,
    optional,
    plain_data,
    span_in,
    span_out,
    text,
    texts,
)
from hipcheck.citations import Citation
from hipcheck.index import IndexFields, keep_index_fields
from hipcheck.loader.records import Record
from hipcheck.loader.yaml_tree import LoaderIssue
from hipcheck.rules.registry import FilePass, file_pass_named
from hipcheck.stages import FileResult
from hipcheck.suppression_comments import FileSuppressions, Suppression


def suppression_out(s: Suppression) -> list[Any]:
    return [
        s.path,
        s.directive,
        list(s.selectors),
        s.line,
        span_out(s.span),
        edit_out(s.removal),
        s.reason,
        s.covers,
        s.until,
        s.used,
    ]


def suppression_in(value: Any) -> Suppression:
    path, directive, selectors, line, span, removal, reason, covers, until, used = items(value, 10)
    need(text(directive) in {"ignore", "disable", "enable", "ignore-file"})
    return Suppression(
        text(path),
        directive,
        texts(selectors),
        integer(line),
        span_in(span),
        edit_in(removal),
        optional(text, reason),
        optional(integer, covers),
        optional(integer, until),
        flag(used),
    )


def suppressions_out(found: FileSuppressions) -> list[Any]:
    return [[suppression_out(s) for s in found.items], [[k, v] for k, v in found.logical_line.items()]]


def suppressions_in(value: Any) -> FileSuppressions:
    found, lines = items(value, 2)
    logical = {integer(k): integer(v) for k, v in (items(pair, 2) for pair in items(lines))}
    return FileSuppressions(list_of(suppression_in, found), logical)


def citation_out(c: Citation) -> list[Any]:
    return [c.key, c.start, c.end, c.bracketed]


def citation_in(value: Any) -> Citation:
    key, start, end, bracketed = items(value, 4)
    return Citation(text(key), integer(start), integer(end), flag(bracketed))


def issue_out(issue: LoaderIssue) -> list[Any]:
    return [issue.code, issue.message, span_out(issue.span)]


def issue_in(value: Any) -> LoaderIssue:
    code, message, span = items(value, 3)
    return LoaderIssue(text(code), text(message), span_in(span))


def _path_part(value: Any) -> str | int:
    need(type(value) in (str, int))
    return cast(str | int, value)


def record_out(record: Record) -> list[Any]:
    """A record without its text and node tree (read again from its file, whose digest is checked)."""
    trimmed = isinstance(record.data, IndexFields)
    data = dict(dict.items(record.data)) if trimmed else record.data
    front = None if record.front is None else list(record.front)
    return [
        record.kind,
        record.path,
        record.stem,
        data,
        trimmed,
        record.body_offset,
        front,
        [issue_out(i) for i in record.issues],
        list(record.prefix),
        record.loaded,
        record.source,
    ]


def record_in(value: Any) -> Record:
    kind, path, stem, data, trimmed, body_offset, front, issues, prefix, loaded, source = items(value, 11)
    need(type(data) is dict)
    record = Record(
        kind=text(kind),
        path=text(path),
        stem=text(stem),
        _text=None,
        data=plain_data(data),
        body_offset=integer(body_offset),
        front=None if front is None else cast(tuple[int, int], tuple(integer(v) for v in items(front, 2))),
        issues=list_of(issue_in, issues),
        prefix=tuple(_path_part(p) for p in items(prefix)),
        loaded=flag(loaded),
        source=text(source),
    )
    if flag(trimmed):
        need(record.kind == "exercise" and record.loaded)
        keep_index_fields(record)
    return record


def file_result_out(result: FileResult) -> list[Any]:
    """A file's per-file results, without its records (the records file keeps those, bound to the digest)."""
    return [
        result.path,
        [diagnostic_out(d) for d in result.diagnostics],
        suppressions_out(result.suppressions),
        [citation_out(c) for c in result.citations],
        result.internal_errors,
        notes_out(result.notes),
        result.digest,
        result.facts,
    ]


def file_result_in(value: Any) -> FileResult:
    path, diagnostics, found, citations, errors, notes, content, facts = items(value, 8)
    return FileResult(
        path=text(path),
        records=[],
        diagnostics=list_of(diagnostic_in, diagnostics),
        suppressions=suppressions_in(found),
        citations=list_of(citation_in, citations),
        internal_errors=list_of(text, errors),
        notes=notes_in(notes),
        digest=text(content),
        facts=text(facts),
    )


def notes_out(notes: dict[str, Any]) -> dict[str, Any]:
    """The notes of per-file passes, each encoded by its pass (registry.file_pass)."""
    return {name: _file_pass(name).encode(note) for name, note in notes.items()}


def notes_in(value: Any) -> dict[str, Any]:
    return {name: _file_pass(name).decode(note) for name, note in mapping(value).items()}


def _file_pass(name: str) -> FilePass:
    found = file_pass_named(name)
    need(found is not None)
    assert found is not None
    return found
