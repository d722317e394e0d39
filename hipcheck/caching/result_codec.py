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
from hipcheck.rules.prose import Definition
from hipcheck.stages import FileResult
from hipcheck.suppressions import FileSuppressions, Suppression
from hipcheck.vocabulary import Mention, Term


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
        record.body_line,
        record.body_offset,
        front,
        [issue_out(i) for i in record.issues],
        list(record.prefix),
        record.loaded,
        record.source,
    ]


def record_in(value: Any) -> Record:
    kind, path, stem, data, trimmed, body_line, body_offset, front, issues, prefix, loaded, source = items(value, 12)
    need(type(data) is dict)
    record = Record(
        kind=text(kind),
        path=text(path),
        stem=text(stem),
        _text=None,
        data=plain_data(data),
        body_line=integer(body_line),
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


def _term_out(term: Term) -> list[Any]:
    return [term.norm, list(term.ids), term.role, term.base, term.number]


def _term_in(value: Any) -> Term:
    norm, ids, role, base, number = items(value, 5)
    need(role in ("name", "synonym", "alias", "abbreviation") and number in ("", "plural", "singular"))
    return Term(text(norm), texts(ids), role, text(base), number)


def mention_out(m: Mention) -> list[Any]:
    return [m.start, m.end, m.text, _term_out(m.term)]


def mention_in(value: Any) -> Mention:
    start, end, said, term = items(value, 4)
    return Mention(integer(start), integer(end), text(said), _term_in(term))


def definition_out(d: Definition) -> list[Any]:
    """A prose group definition. Its record is kept as what places a finding (kind, path, stem, file),
    not whole: an article's values would be stored again for each definition it makes."""
    members = None if d.members is None else [[k, mention_out(m)] for k, m in d.members.items()]
    where = [d.record.kind, d.record.path, d.record.stem, d.record.source]
    return [d.group, where, d.start, d.end, d.line, members, [mention_out(m) for m in d.listed], d.count]


def definition_in(value: Any) -> Definition:
    group, where, start, end, line, members, listed, count = items(value, 8)
    kind, path, stem, source = (text(v) for v in items(where, 4))
    return Definition(
        text(group),
        Record(kind=kind, path=path, stem=stem, _text=None, source=source, loaded=True),  # text read on use
        integer(start),
        integer(end),
        integer(line),
        None if members is None else {text(k): mention_in(m) for k, m in (items(p, 2) for p in items(members))},
        list_of(mention_in, listed),
        optional(integer, count),
    )


def file_result_out(result: FileResult) -> list[Any]:
    """A file's per-file results, without its records (the records file keeps those, bound to the digest)."""
    return [
        result.path,
        [diagnostic_out(d) for d in result.diagnostics],
        suppressions_out(result.suppressions),
        [citation_out(c) for c in result.citations],
        result.internal_errors,
        result.prose_flag,
        [definition_out(d) for d in result.prose_definitions],
        result.digest,
        result.facts,
    ]


def file_result_in(value: Any) -> FileResult:
    path, diagnostics, found, citations, errors, prose_flag, definitions, content, facts = items(value, 9)
    return FileResult(
        path=text(path),
        records=[],
        diagnostics=list_of(diagnostic_in, diagnostics),
        suppressions=suppressions_in(found),
        citations=list_of(citation_in, citations),
        internal_errors=list_of(text, errors),
        prose_flag=flag(prose_flag),
        prose_definitions=list_of(definition_in, definitions),
        digest=text(content),
        facts=text(facts),
    )
