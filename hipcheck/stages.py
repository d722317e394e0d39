"""The per-file stage: load one file and run the rules that need only that file.

Its result is picklable and depends only on the file's bytes and the run settings, so it can be
cached between runs and computed in worker processes. Cross-record rules run later, in the engine.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from hipcheck import suppression_comments as suppressions
from hipcheck.caching.digest import digest
from hipcheck.citations import Citation, find_citations
from hipcheck.config import Config
from hipcheck.context import Context
from hipcheck.diagnostics import Diagnostic, Finding, Severity
from hipcheck.file_reading import read_bytes
from hipcheck.index import ContentIndex, index_facts, keep_index_fields
from hipcheck.kinds import KIND_FOLDERS
from hipcheck.loader.records import Record, read_records
from hipcheck.rules.registry import CHECKS, RULES, Check, FileNote, FilePassFn, Rule, selected

_NO_INDEX = ContentIndex([])  # what checks that read only the record see of the index


@dataclass
class RunSettings:
    """Everything besides a file's bytes that decides its per-file result."""

    config: Config
    enabled: dict[str, Rule]
    today: dt.date
    # The muscle records, for checks that depend on a file and them only (muscle_check, file_pass): None
    # when no such check runs. `vocabulary_key` is the digest of their files (part of the cache key).
    muscle_index: ContentIndex | None = None
    vocabulary_key: str = ""
    for_cache: bool = True  # results go to a cache: digest each file's bytes, note its index facts

    @cached_property
    def file_checks(self) -> dict[str, list[Check]]:
        """Per kind, the record checks that read only the record (cacheable with the file)."""
        return {
            kind: [c for c in _record_checks(self.enabled, kind) if not _online(c)] for kind in KIND_FOLDERS.values()
        }

    @cached_property
    def late_record_checks(self) -> dict[str, list[Check]]:
        """Per kind, record checks that read results from outside the file (online verification)."""
        kinds = KIND_FOLDERS.values()
        return {kind: [c for c in _record_checks(self.enabled, kind) if _online(c)] for kind in kinds}

    @cached_property
    def per_file_index_checks(self) -> list[Check]:
        return [c for c in self.index_checks if c.per_record is not None] if self.muscle_index else []

    @cached_property
    def per_file_index_checks_by_kind(self) -> dict[str, list[Check]]:
        checks = self.per_file_index_checks
        return {kind: [c for c in checks if c.kinds is None or kind in c.kinds] for kind in KIND_FOLDERS.values()}

    @cached_property
    def file_passes_by_kind(self) -> dict[str, list[Check]]:
        """Per kind, the enabled cross-record checks with a per-file pass over files of that kind."""
        checks = [c for c in self.index_checks if c.file_pass is not None] if self.muscle_index else []
        kinds = KIND_FOLDERS.values()
        return {kind: [c for c in checks if c.file_pass and kind in c.file_pass.kinds] for kind in kinds}

    @cached_property
    def needs_muscles(self) -> bool:
        """Whether a check that depends on a file and the muscle records only is enabled."""
        return any(c.per_record is not None or c.file_pass is not None for c in self.index_checks)

    @cached_property
    def file_context(self) -> Context:
        """The context of checks that read only the record (the same for every file)."""
        return Context(config=self.config, today=self.today, index=_NO_INDEX)

    @cached_property
    def muscle_context(self) -> Context | None:
        """The context of checks that depend on a record and the muscles only."""
        if self.muscle_index is None:
            return None
        return Context(config=self.config, today=self.today, index=self.muscle_index)

    @cached_property
    def index_checks(self) -> list[Check]:
        return [c for c in CHECKS if c.scope == "index" and any(r.code in self.enabled for r in c.rules)]


def _online(check: Check) -> bool:
    return check.reads_verification


def _record_checks(enabled: dict[str, Rule], kind: str) -> list[Check]:
    return [
        c
        for c in CHECKS
        if c.scope == "record" and (c.kinds is None or kind in c.kinds) and any(r.code in enabled for r in c.rules)
    ]


@dataclass
class FileResult:
    """What one file contributes to a run."""

    path: str  # display path
    records: list[Record]
    diagnostics: list[Diagnostic]
    suppressions: suppressions.FileSuppressions
    citations: list[Citation] = field(default_factory=list)  # an article body's citations
    internal_errors: list[str] = field(default_factory=list)
    notes: dict[str, Any] = field(default_factory=dict)  # per-file passes' notes, by pass name (file_pass)
    digest: str = ""  # of the bytes read; "" when the file could not be read
    facts: str = ""  # what cross-record checks read of the file, if only an exercise's index fields (index_facts)
    unchanged: bool = False  # the bytes have the digest the caller knew: nothing else was computed

    @property
    def is_empty(self) -> bool:
        """Nothing to remember but the records (the cache keeps those apart)."""
        return not (self.diagnostics or self.suppressions.items or self.citations or self.internal_errors or self.notes)


def process_file(
    path: str | Path, kind: str, display: str, settings: RunSettings, known: str = "", *, text: bytes | None = None
) -> FileResult:
    """Load one file and run its per-file checks; when its bytes still have the digest `known` (a file
    touched but not changed), only say so. `text`: the file's bytes as an editor holds them (unsaved),
    read instead of the disk; its records keep that text, since the disk's would place findings wrongly."""
    raw: bytes | None = text
    if raw is None:
        try:
            raw = read_bytes(path)
        except OSError:
            raw = None  # read_records reports why
    content = digest(raw) if raw is not None and settings.for_cache else ""
    if known and content == known:
        return FileResult(display, [], [], suppressions.FileSuppressions(), digest=content, unchanged=True)
    records = read_records(path, kind, display, raw)
    emit = Emitter(settings.config, settings.enabled)
    ctx = settings.file_context
    for record in records:
        for issue in record.issues:
            emit(Finding(issue.message, issue.span, code=issue.code), display)
        if record.loaded:
            for check in settings.file_checks[kind]:
                emit.run(check, display, check.fn, record, ctx)
    if settings.muscle_index is not None and kind != "muscle":
        _muscle_dependent_checks(records, kind, display, settings, emit)
    first = records[0]
    notes, keep_whole = _file_passes(first, kind, display, settings, emit) if first.loaded else ({}, False)
    result = FileResult(
        path=display,
        records=records,
        diagnostics=emit.diagnostics,
        suppressions=suppressions.collect(first),
        citations=find_citations(first.body, first.body_offset) if kind == "article" else [],
        internal_errors=emit.internal_errors,
        notes=notes,
        digest=content,
    )
    for record in records:
        # The node tree and the text are the bulk of a record's memory (and of what a worker sends
        # back); cross-record rules need them only to place a finding, and rebuild them then.
        record.release()
        if text is None:
            record.drop_text()
        if not keep_whole:  # a file pass asked for the record whole in the cross-record stage
            keep_index_fields(record)
    result.facts = index_facts(records) if settings.for_cache else ""
    return result


def _muscle_dependent_checks(
    records: list[Record], kind: str, display: str, settings: RunSettings, emit: Emitter
) -> None:
    """Cross-record checks that need only this file and the muscles (`muscle_check`), run here."""
    index, ctx = settings.muscle_index, settings.muscle_context
    assert index is not None and ctx is not None
    for check in settings.per_file_index_checks_by_kind[kind]:
        per_record = check.per_record
        assert per_record is not None
        for record in records:
            if record.loaded:
                emit.run(check, display, per_record, record, index, ctx)


def _file_passes(
    first: Record, kind: str, display: str, settings: RunSettings, emit: Emitter
) -> tuple[dict[str, Any], bool]:
    """Run the per-file passes of cross-record checks (`file_pass`) on a file's first record: their
    notes by pass name, and whether one needs the record whole in the cross-record stage."""
    notes: dict[str, Any] = {}
    keep_whole = False
    for check in settings.file_passes_by_kind[kind]:
        found = check.file_pass
        assert found is not None and settings.muscle_index is not None and settings.muscle_context is not None
        result = emit.run_pass(check, display, found.fn, first, settings.muscle_index, settings.muscle_context)
        if result is not None and result.note is not None:
            notes[found.name] = result.note
        keep_whole = keep_whole or (result is not None and result.keep_record)
    return notes, keep_whole


class UnregisteredCode(Exception):
    """A finding names a code no rule registered, or one its check does not declare: a bug in a rule."""


# In development and tests (HIPCHECK_DEVELOPMENT=1, set by tests/conftest.py) such a finding raises; in
# production it becomes an internal error, which the report shows and which fails the run (exit 2).
_DEVELOPMENT = bool(os.environ.get("HIPCHECK_DEVELOPMENT"))


class Emitter:
    """Turns findings into diagnostics with the rule's (configured) severity; contains rule crashes.

    A finding of a switched-off rule is dropped; one whose code no rule registered, or that its check
    does not declare, is never dropped silently (see UnregisteredCode)."""

    def __init__(self, config: Config, enabled: dict[str, Rule]) -> None:
        self.config = config
        self.enabled = enabled
        self.diagnostics: list[Diagnostic] = []
        self.internal_errors: list[str] = []

    def __call__(self, finding: Finding, default_path: str, check: Check | None = None) -> None:
        code = finding.code or (check.rules[0].code if check else "")
        if code not in RULES or (check is not None and all(r.code != code for r in check.rules)):
            self._unregistered(code, finding, check)
            return
        rule = self.enabled.get(code)
        if rule is None:
            return
        severity = Severity(self.config.severity.get(rule.code) or self.config.severity.get(rule.name) or rule.severity)
        path = finding.path or default_path
        # A .bib entry is placed at its head, not at the field: an edit there would corrupt the file.
        fix = None if path.lower().endswith(".bib") else finding.fix
        self.diagnostics.append(
            Diagnostic(
                path=path,
                span=finding.span,
                code=rule.code,
                name=rule.name,
                severity=severity,
                message=finding.message,
                fix=fix,
                related=finding.related,
                cites=finding.cites,
            )
        )

    def _unregistered(self, code: str, finding: Finding, check: Check | None) -> None:
        where = f" from the check of {', '.join(r.code for r in check.rules)}" if check else ""
        problem = f"internal error: a finding{where} has code {code!r}, " + (
            "which its check does not declare" if code in RULES else "which no rule registered"
        )
        if _DEVELOPMENT:
            raise UnregisteredCode(f"{problem}: {finding.message}")
        self.internal_errors.append(f"{problem}: {finding.message}")

    def run(self, check: Check, where: str, produce: Callable[..., Iterable[Finding]], *args: Any) -> None:
        """Emit what `produce(*args)` finds; a rule that crashes becomes an internal error."""
        try:
            for finding in produce(*args):
                self(finding, where, check)
        except UnregisteredCode:
            raise
        except Exception as error:  # a rule bug must not hide the other rules' findings
            self._crashed(check, where, error)

    def run_pass(self, check: Check, where: str, produce: FilePassFn, *args: Any) -> FileNote | None:
        """Emit the findings of a per-file pass and return its note; None when it crashed."""
        try:
            result = produce(*args)
            for finding in result.findings:
                self(finding, where, check)
        except UnregisteredCode:
            raise
        except Exception as error:
            self._crashed(check, where, error)
            return None
        return result

    def _crashed(self, check: Check, where: str, error: Exception) -> None:
        names = ", ".join(r.code for r in check.rules)
        self.internal_errors.append(f"internal error in {names} on {where}: {type(error).__name__}: {error}")


def enabled_rules(config: Config) -> dict[str, Rule]:
    return {code: rule for code, rule in RULES.items() if selected(rule, config.select, config.ignore)}


# --- running the per-file stage in worker processes ----------------------------------------------

_WORKER_SETTINGS: RunSettings | None = None


def _init_worker(settings: RunSettings) -> None:
    global _WORKER_SETTINGS
    _WORKER_SETTINGS = settings


Todo = list[tuple[str, str, str, str]]  # (path, kind, display path, digest known from the cache or "")


def _work(batch: Todo) -> list[FileResult | tuple[Any, ...]]:
    assert _WORKER_SETTINGS is not None
    return [_pack(process_file(path, kind, display, _WORKER_SETTINGS, known)) for path, kind, display, known in batch]


def _pack(result: FileResult) -> FileResult | tuple[Any, ...]:
    """What a worker sends back. Most files have nothing to report and one record: a tuple of its values
    costs a fraction of the objects to pickle and unpickle."""
    if not result.is_empty or result.unchanged or len(result.records) != 1:
        return result
    record = result.records[0]
    if record.issues or record.prefix or record.front is not None or record._text is not None or record.body_offset:
        return result
    return result.path, result.digest, result.facts, record.kind, record.stem, record.data, record.loaded, record.source


def _unpack(item: FileResult | tuple[Any, ...]) -> FileResult:
    if isinstance(item, FileResult):
        return item
    path, content, facts, kind, stem, data, loaded, source = item
    record = Record(kind=kind, path=path, stem=stem, _text=None, data=data, loaded=loaded, source=source)
    return FileResult(path, [record], [], suppressions.FileSuppressions(), digest=content, facts=facts)


def process_files(todo: Todo, settings: RunSettings, jobs: int) -> list[FileResult]:
    """Results in `todo` order, whatever the number of processes."""
    if jobs <= 1 or len(todo) < 200 or os.name != "posix":
        return [process_file(path, kind, display, settings, known) for path, kind, display, known in todo]
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    batches = _batches(todo, jobs)
    context = multiprocessing.get_context("fork")  # workers inherit the loaded rules and schemas
    with ProcessPoolExecutor(jobs, mp_context=context, initializer=_init_worker, initargs=(settings,)) as pool:
        done = pool.map(_work, [[todo[i] for i in batch] for batch in batches])
        results: list[FileResult | None] = [None] * len(todo)
        for batch, items in zip(batches, done, strict=True):
            for i, item in zip(batch, items, strict=True):
                results[i] = _unpack(item)
    assert all(result is not None for result in results)
    return results  # type: ignore[return-value]


# An article costs about ten times what another file does (its body is prose to check, and Markdown).
_COST = {"article": 10}


def _batches(todo: Todo, jobs: int) -> list[list[int]]:
    """Positions in `todo`, in batches of about equal cost, the costliest files first: the workers pick
    batches as they finish, so they end together when small batches of cheap files come last."""
    order = sorted(range(len(todo)), key=lambda i: -_COST.get(todo[i][1], 1))  # stable: kinds keep their order
    limit = max(25, min(200, sum(_COST.get(kind, 1) for _, kind, _, _ in todo) // (jobs * 4)))
    batches: list[list[int]] = []
    cost = limit
    for i in order:
        if cost >= limit:
            batches.append([])
            cost = 0
        batches[-1].append(i)
        cost += _COST.get(todo[i][1], 1)
    return batches
