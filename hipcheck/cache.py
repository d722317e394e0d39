"""The result cache: per-file results keyed by content, settings and version, kept outside the work tree.

Where: in the user's cache folder (`HIPCHECK_CACHE_DIR`, else the platform's, e.g. `~/.cache/hipcheck`),
one folder per content root. Never in the checked folder: there a pull request could commit a cache
file, and a cache is trusted to stand for a verdict. (ruff keeps `.ruff_cache` in the project; for a
tool run on strangers' pull requests, that would let a committed file replay "no findings".) The
folder is chosen by the environment or the command line only, never by configuration, which the
checked repository provides.

What: JSON (hipcheck.cache_codec), read by strict decoders; a file of any doubtful shape is discarded
whole. Two files per content root and settings: a summary (each file's digest and stat, per-file
diagnostics and suppressions, and the cross-record diagnostics of the last run with the digests they
came from) and the records, each bound to the digest of the bytes it was read from. A run with nothing
changed reads only the summary; a run with a change re-reads the changed files and recomputes
cross-record checks from the cached records, without re-parsing the rest. Files are written whole to
a temporary name and renamed, so processes running at once (pre-commit) never see a torn cache: the
last writer wins, every reader sees a complete file, and a record is used only with its own digest.
"""

from __future__ import annotations

import hashlib
import os
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

from hipcheck import code_version
from hipcheck.cache_codec import (
    Invalid,
    diagnostic_in,
    diagnostic_out,
    dumps,
    edit_in,
    edit_out,
    flag,
    integer,
    items,
    list_of,
    loads,
    mapping,
    need,
    optional,
    plain_data,
    span_in,
    span_out,
    text,
    text_mapping,
    texts,
)
from hipcheck.cache_files import Stat, folder_for, prune, read_bounded, stat_of, write_whole
from hipcheck.citations import Citation
from hipcheck.diagnostics import Diagnostic
from hipcheck.index import IndexFields, keep_index_fields
from hipcheck.loader.records import Record
from hipcheck.loader.yaml_tree import LoaderIssue
from hipcheck.muscle_vocabulary import Mention, Term
from hipcheck.rules.prose import Definition
from hipcheck.stages import FileResult, RunSettings
from hipcheck.suppressions import FileSuppressions, Suppression

FORMAT = 8  # bump when what is stored changes shape
RACY_NS = 2_000_000_000  # a file changed this close to the cache write may share its mtime with the old bytes

Stats = dict[str, Stat]  # display path -> its stat


def unchanged_files(summary: Summary, files: list[tuple[str, str]]) -> tuple[dict[str, str], Stats]:
    """For (display path, file path) pairs: the digests the cache may be trusted for, and every file's
    stat. Trusted: stat unchanged, and the file older than the cache by RACY_NS (as git's index
    does). The per-file stage reads and digests the rest, and finds touched files unchanged."""
    trusted: dict[str, str] = {}
    stats: Stats = {}
    known_digests, known_stats, before = summary.digests, summary.stats, summary.written_ns - RACY_NS
    for display, path in files:  # a hundred thousand files: kept lean
        stat = stat_of(path)
        if stat is None:
            continue
        stats[display] = stat
        known = known_digests.get(display)
        if known and known_stats.get(display) == stat and stat[1] < before and stat[2] < before:
            trusted[display] = known
    return trusted, stats


def settings_key(settings: RunSettings, root: Path, cwd: Path) -> str:
    """Anything that can change a per-file result: version, configuration, rules, today, paths."""
    parts = [
        str(FORMAT),
        code_version(),
        sys.version.split()[0],
        str(root),
        str(cwd),  # diagnostics carry paths relative to it
        settings.config.model_dump_json(by_alias=True),
        ",".join(sorted(settings.enabled)),
        settings.today.isoformat(),
        settings.vocabulary_key,  # exercises' prose screens depend on the muscle records
    ]
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()[:32]


@dataclass
class Summary:
    digests: dict[str, str] = field(default_factory=dict)  # display path -> content digest
    stats: Stats = field(default_factory=dict)  # display path -> stat
    written_ns: int = 0  # when this summary was written
    results: dict[str, FileResult] = field(default_factory=dict)  # non-empty ones only; records left out
    index_key: str = ""  # digest of every file digest (and online state) the cross-record results used
    index_diagnostics: list[Diagnostic] = field(default_factory=list)
    index_errors: list[str] = field(default_factory=list)
    outside: str = ""  # the state of inputs besides content files that those results used ("": never reuse)
    facts: dict[str, str] = field(default_factory=dict)  # display path -> what cross-record checks read of it


# Records by display path, with the digest of the bytes they were read from.
CachedRecords = dict[str, tuple[str, list[Record]]]


class ResultCache:
    def __init__(self, directory: Path, key: str) -> None:
        self.directory = directory
        self.key = key
        self.summary_path = directory / f"{key}.summary.json"
        self.records_path = directory / f"{key}.records.jsonl"
        self.delta_path = directory / f"{key}.delta.json"

    @classmethod
    def for_root(cls, root: Path, key: str) -> ResultCache:
        return cls(folder_for(root, "results"), key)

    def load_summary(self) -> Summary:
        try:
            return _summary_in(self._read(self.summary_path))
        except Invalid:
            return Summary()  # missing, torn, forged or from another version: start afresh

    def load_records(self, digests: dict[str, str]) -> dict[str, list[Record]]:
        """Records by display path, for the files whose digest is still the one in `digests`: the full
        file, overlaid with the delta of later small changes."""
        try:
            records = _records_in_lines(self.records_path, self.key)
        except Invalid:
            return {}
        try:
            records.update(self._delta())
        except Invalid:
            return {}
        return {path: found for path, (content, found) in records.items() if content and digests.get(path) == content}

    def save(
        self,
        summary: Summary,
        records: dict[str, list[Record]] | None,
        changed: set[str],
        *,
        only_changed: bool = False,
    ) -> None:
        """Write the summary, and the records: only the `changed` ones (a delta) when they are few.

        With `only_changed`, `records` holds just the changed files' records (the caller checked
        `delta_has_room`); should the delta have grown meanwhile (another process), the records file is
        removed rather than rewritten from a part: the next run redoes the files it lacks.
        """
        try:
            self._prepare()
            if records is not None:
                digests = summary.digests
                stored = {path: (digests.get(path, ""), records[path]) for path in records}
                try:
                    delta = self._delta() if self.records_path.exists() else {}
                except Invalid:
                    delta = {}
                delta.update({path: stored[path] for path in changed if path in stored})
                total = len(summary.digests) if only_changed else len(records)
                if self.records_path.exists() and len(delta) <= _delta_limit(total):
                    write_whole(self.delta_path, _envelope(self.key, {p: _records_out(v) for p, v in delta.items()}))
                elif only_changed:
                    self.records_path.unlink(missing_ok=True)
                    self.delta_path.unlink(missing_ok=True)
                else:
                    _write_lines(self.records_path, self.key, stored)
                    self.delta_path.unlink(missing_ok=True)
            summary.written_ns = time.time_ns()
            write_whole(self.summary_path, _envelope(self.key, _summary_out(summary)))
            prune(self.directory)
        except (OSError, ValueError, TypeError):
            pass  # a read-only cache folder, or a value JSON cannot hold: the results stand, just not cached

    def delta_has_room(self, changed: set[str], total: int) -> bool:
        """Whether the records of `changed` files can go into the delta, leaving the records file as it is."""
        if not self.records_path.exists():
            return False
        try:
            delta = self._delta()
        except Invalid:
            delta = {}
        return len(changed.union(delta)) <= _delta_limit(total)

    def _read(self, path: Path) -> Any:
        return _opened(self.key, read_bounded(path))

    def _delta(self) -> CachedRecords:
        try:
            raw = self._read(self.delta_path)
        except Invalid:
            if not self.delta_path.exists():
                return {}
            raise
        return {text(path): _records_in(value) for path, value in mapping(raw).items()}

    def _prepare(self) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        tag = self.directory.parent.parent / "CACHEDIR.TAG"
        if not tag.exists():  # backup tools skip a folder with this tag (https://bford.info/cachedir/)
            tag.write_text("Signature: 8a477f597d28d172789f06886806bc55\n# hipcheck cache\n", encoding="utf-8")


def _envelope(key: str, body: Any) -> str:
    return dumps({"hipcheck-cache": FORMAT, "key": key, "body": body})


def _opened(key: str, data: bytes) -> Any:
    """The body of a cache file written for `key` by this format, or Invalid."""
    document = mapping(loads(data))
    if document.get("hipcheck-cache") != FORMAT or document.get("key") != key:
        raise Invalid("another format or key")
    return document.get("body")


def _delta_limit(total: int) -> int:
    """Most files the delta holds before the records file is written whole again."""
    return max(50, total // 20)


def _write_lines(path: Path, key: str, records: CachedRecords) -> None:
    """The records file: a header line, then one line per file, so 100,000 records are written and read
    without building one huge JSON text."""
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(_envelope(key, None) + "\n")
            for display, value in records.items():
                stream.write(dumps([display, _records_out(value)]) + "\n")
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _records_in_lines(path: Path, key: str) -> CachedRecords:
    lines = read_bounded(path).split(b"\n")
    if lines[-1:] != [b""]:
        raise Invalid("torn")  # a complete file ends with a newline
    _opened(key, lines[0])
    records: CachedRecords = {}
    for line in lines[1:-1]:
        display, value = items(loads(line), 2)
        records[text(display)] = _records_in(value)
    return records


# --- what the cache stores, in and out -----------------------------------------------------------


def _summary_out(s: Summary) -> dict[str, Any]:
    return {
        "digests": s.digests,
        "stats": {path: list(stat) for path, stat in s.stats.items()},
        "written_ns": s.written_ns,
        "results": {path: file_result_out(r) for path, r in s.results.items()},
        "index_key": s.index_key,
        "index_diagnostics": [diagnostic_out(d) for d in s.index_diagnostics],
        "index_errors": s.index_errors,
        "outside": s.outside,
        "facts": s.facts,
    }


def _summary_in(value: Any) -> Summary:
    data = mapping(value)
    stats: Stats = {}
    for path, stat in mapping(data.get("stats")).items():  # tens of thousands: checked inline
        need(type(stat) is list and len(stat) == 4 and all(type(v) is int for v in stat))
        stats[path] = (stat[0], stat[1], stat[2], stat[3])
    results = {text(path): file_result_in(r) for path, r in mapping(data.get("results")).items()}
    for path, result in results.items():
        if result.path != path:
            raise Invalid("a result filed under another path")
    return Summary(
        digests=text_mapping(data.get("digests")),
        stats=stats,
        written_ns=integer(data.get("written_ns")),
        results=results,
        index_key=text(data.get("index_key")),
        index_diagnostics=list_of(diagnostic_in, data.get("index_diagnostics")),
        index_errors=list_of(text, data.get("index_errors")),
        outside=text(data.get("outside")),
        facts=text_mapping(data.get("facts")),
    )


def _records_out(value: tuple[str, list[Record]]) -> list[Any]:
    content, records = value
    return [content, [record_out(r) for r in records]]


def _records_in(value: Any) -> tuple[str, list[Record]]:
    content, records = items(value, 2)
    return text(content), list_of(record_in, records)


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
