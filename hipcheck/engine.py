"""The pipeline, top-down, for each content root (`check_target`):

plan (configuration, files, the cache) -> load and per-file stage -> index and cross-record stage (or
their cached results) -> suppress -> scope -> report. The engine knows no rule by name: what rules
need beyond that, they declare through the registry (`hipcheck.rules.registry`).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import fnmatch
import gc
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import hipcheck.rules  # noqa: F401  (registers every rule)
from hipcheck.bounds import within_files
from hipcheck.caching.digest import digest
from hipcheck.caching.results import ResultCache, Stats, Summary, settings_key, unchanged_files
from hipcheck.config import Config, check_selection_options, load_config, verification_cache
from hipcheck.context import Context
from hipcheck.diagnostics import Diagnostic, Finding, Span
from hipcheck.discovery import walk
from hipcheck.errors import UsageError
from hipcheck.file_listing import listing_digest
from hipcheck.file_reading import read_bytes
from hipcheck.incremental import CheckMemo, Remembered, TrackedIndex, TrackedNotes, carry_memos
from hipcheck.index import ContentIndex
from hipcheck.loader.records import Record, kind_of, read_records
from hipcheck.muscle_vocabulary import (
    base_entries,
    builtin_digest,
    configure_vocabulary,
    options_from,
    share_vocabulary,
    vocabulary_for,
)
from hipcheck.rules.file_format import UNREADABLE
from hipcheck.rules.registry import RULES, Check, file_pass_named, pass_name, selects
from hipcheck.rules.suppression import apply_suppressions
from hipcheck.run_result import RunResult
from hipcheck.stages import Emitter, FileResult, RunSettings, Todo, enabled_rules, process_file, process_files
from hipcheck.targets import Target, display_path, enclosing_root, plan_targets, scope_to_changed

__all__ = ["RunResult", "Target", "UsageError", "check_paths", "display_path", "plan_targets"]


def check_paths(
    paths: Iterable[str],
    cwd: Path | None = None,
    today: dt.date | None = None,
    select: list[str] | None = None,
    online: bool = False,
    ignore: list[str] | None = None,
    progress: bool = False,
    cache: bool = True,
    jobs: int | None = None,
    overlays: Mapping[Path, bytes] | None = None,
) -> RunResult:
    """Check files and folders; `select` and `ignore` override the configured rule selection.

    `jobs` worker processes share the per-file stage (default: one per CPU); `cache` reuses the
    results of unchanged files from `.hipcheck_cache/`. `overlays`: files' text as an editor holds it
    (absolute path -> bytes), read instead of the disk; no cache is read or written then.
    """
    check_selection_options(select, ignore)
    cwd = (cwd or Path.cwd()).resolve()
    result = RunResult()
    workers = jobs if jobs is not None else (os.cpu_count() or 1)
    collecting = gc.isenabled()
    gc.disable()  # the run builds many small acyclic objects; collection passes would only cost time
    try:
        for target in plan_targets(list(paths), cwd):
            when = today or dt.date.today()
            check_target(
                target,
                cwd,
                when,
                result,
                select,
                ignore=ignore,
                online=online,
                progress=progress,
                cache=cache and not overlays,
                jobs=workers,
                overlays=overlays,
            )
    finally:
        if collecting:
            gc.enable()
    result.diagnostics.sort(key=lambda d: d.sort_key)
    return result


def check_text(
    path: Path,
    text: bytes,
    cwd: Path | None = None,
    today: dt.date | None = None,
    select: list[str] | None = None,
    ignore: list[str] | None = None,
    jobs: int | None = None,
) -> RunResult:
    """Check `text` as if it were the file at `path` (which need not exist yet): the findings on it and
    on the records that refer to it, as `check_paths` reports a single file. A path outside any content
    root has nothing to check."""
    check_selection_options(select, ignore)
    cwd = (cwd or Path.cwd()).resolve()
    path = (cwd / path).resolve()
    result = RunResult()
    root = enclosing_root(path)
    if root is None:
        return result
    workers = jobs if jobs is not None else (os.cpu_count() or 1)
    when = today or dt.date.today()
    target = Target(root, {path})
    check_target(target, cwd, when, result, select, ignore=ignore, cache=False, jobs=workers, overlays={path: text})
    result.diagnostics.sort(key=lambda d: d.sort_key)
    return result


# --- one content root through the pipeline ----------------------------------------------------


@dataclass
class Plan:
    """What a run of one content root works from: its configuration, settings and files."""

    target: Target
    cwd: Path
    config: Config
    settings: RunSettings
    files: list[tuple[str, str]]  # (path relative to the root, kind), sorted
    leaving: dict[str, str]  # symbolic links out of the root, relative path -> where they lead: never read
    displays: dict[str, str]  # display path -> file path, in `files` order
    base: str  # what display paths start with ("" or "folder/")
    online: bool
    store: ResultCache | None  # None: no cache
    summary: Summary  # what the cache holds of the last run (empty without one)
    overlays: Mapping[str, bytes] = dataclasses.field(default_factory=dict)  # file path -> unsaved text


@dataclass
class PerFileResults:
    """The per-file stage's results: every file's digest, the fresh results and what each file says."""

    digests: dict[str, str]  # display path -> content digest ("" if unreadable)
    stats: Stats
    fresh: dict[str, FileResult]  # files read this run
    by_path: dict[str, FileResult]  # sparse: only files with something to say, fresh or cached


@dataclass
class CrossRecordResults:
    diagnostics: list[Diagnostic]
    errors: list[str]
    index_key: str  # what they were computed from ("" without a cache)
    outside: str  # the state of inputs besides content files they read
    from_cache: bool  # replayed: nothing changed since the last run
    delta: bool  # replayed although some files changed (their index facts did not): the cache adds a delta
    records_by_path: dict[str, list[Record]] | None  # the records they were computed from (None: replayed)


def check_target(
    target: Target,
    cwd: Path,
    today: dt.date,
    result: RunResult,
    select: list[str] | None = None,
    *,
    ignore: list[str] | None = None,
    online: bool = False,
    progress: bool = False,
    cache: bool = True,
    jobs: int = 1,
    overlays: Mapping[Path, bytes] | None = None,
) -> None:
    """One content root: plan -> load and per-file stage -> index and cross-record stage -> suppress ->
    scope -> report (into `result`)."""
    plan = plan_run(target, cwd, today, select, ignore, online=online, cache=cache, overlays=overlays)
    files = per_file_stage(plan, jobs)
    cross = cross_record_results(plan, files, progress)
    save_to_cache(plan, files, cross)
    kept = suppress(plan, files, cross)
    report(plan, files, cross, scope(plan, kept), result)


def plan_run(
    target: Target,
    cwd: Path,
    today: dt.date,
    select: list[str] | None,
    ignore: list[str] | None,
    *,
    online: bool,
    cache: bool,
    overlays: Mapping[Path, bytes] | None = None,
) -> Plan:
    """Configuration (with the command line's selection), files, and the last run's cached summary.
    `overlays` (unsaved text by absolute path) are read instead of the disk, and added to the files
    when they are content files the disk does not have yet."""
    config = load_config(target.root)
    overrides: dict[str, list[str]] = {}
    if select is not None:
        overrides.update(select=select, ignore=[])
    if ignore is not None:
        overrides["ignore"] = ignore
    if overrides:
        config = config.model_copy(update=overrides)
    verification_cache(config, target.root)  # refuses a cache that symbolic links lead out of the root
    settings = RunSettings(config, enabled_rules(config), today, for_cache=cache)
    leaving: dict[str, str] = {}
    files = walk(target.root, exclude=config.exclude, leaving=leaving)
    texts = {str(path): text for path, text in (overlays or {}).items()}
    if texts:
        files = _with_unsaved(files, target.root, texts)
    if settings.needs_muscles:
        _add_muscle_index(settings, target.root, files, texts)
    base = display_path(target.root, cwd)
    base = "" if base == "." else base + "/"
    top = str(target.root)
    displays = {base + relative: f"{top}/{relative}" for relative, _ in files}  # not pathlib: 100,000 files
    store = ResultCache.for_root(target.root, settings_key(settings, target.root, cwd)) if cache else None
    summary = store.load_summary() if store else Summary()
    if not _summary_fits(summary, displays):
        summary = Summary()  # written for other files than these: trust none of it
    return Plan(target, cwd, config, settings, files, leaving, displays, base, online, store, summary, texts)


def _with_unsaved(files: list[tuple[str, str]], root: Path, texts: Mapping[str, bytes]) -> list[tuple[str, str]]:
    """The files, with the unsaved content files of the root that the disk does not have yet."""
    known = {relative for relative, _ in files}
    added = []
    for name in texts:
        path = Path(name)
        kind = kind_of(path, root) if root in path.parents else None
        if kind is not None and (relative := path.relative_to(root).as_posix()) not in known:
            added.append((relative, kind))
    return sorted([*files, *added]) if added else files


def per_file_stage(plan: Plan, jobs: int) -> PerFileResults:
    """Reuse what the cache holds for unchanged bytes; load and check the rest, `jobs` processes at once."""
    summary = plan.summary
    trusted, stats = unchanged_files(summary, list(plan.displays.items())) if plan.store else ({}, {})
    todo: Todo = []
    digests: dict[str, str] = {}
    for (display, path), (_, kind) in zip(plan.displays.items(), plan.files, strict=True):
        digests[display] = trusted.get(display, "")
        if not digests[display]:  # new, changed or touched: the per-file stage reads and digests it
            todo.append((path, kind, display, summary.digests.get(display, "")))
    fresh: dict[str, FileResult] = {}
    for processed in process_planned(todo, plan, jobs):
        digests[processed.path] = processed.digest  # "" if unreadable: redone next time, and reported
        if not processed.unchanged:
            fresh[processed.path] = processed
    # Sparse: only files with something to say (findings, suppressions, citations); most have none.
    by_path = {d: r for d, r in summary.results.items() if d in digests and d not in fresh}
    by_path.update((d, r) for d, r in fresh.items() if not r.is_empty)
    return PerFileResults(digests, stats, fresh, by_path)


def process_planned(todo: Todo, plan: Plan, jobs: int) -> list[FileResult]:
    """The per-file stage on `todo`, in its order: unsaved files in this process (their text is not on
    disk for workers to read), the rest in `jobs` processes."""
    if not plan.overlays:
        return process_files(todo, plan.settings, jobs)
    unsaved = {i for i, (path, *_) in enumerate(todo) if path in plan.overlays}
    rest = iter(process_files([item for i, item in enumerate(todo) if i not in unsaved], plan.settings, jobs))
    return [
        process_file(path, kind, display, plan.settings, text=plan.overlays[path]) if i in unsaved else next(rest)
        for i, (path, kind, display, _) in enumerate(todo)
    ]


def cross_record_results(plan: Plan, files: PerFileResults, progress: bool) -> CrossRecordResults:
    """The cross-record findings: replayed from the cache when no file and no outside input changed, or
    when the changed files cannot change them (`_replay_holds`); else the index is built from every
    file's records, cached or fresh, and the cross-record stage runs."""
    summary, store = plan.summary, plan.store
    outside = index_key = ""
    if store is not None:
        outside = _outside_key(plan.target.root, plan.config, plan.online, plan.settings.index_checks)
        index_key = digest("\n".join([outside, *(f"{d}={h}" for d, h in sorted(files.digests.items()))]).encode())
    same_files = store is not None and set(files.digests) == set(summary.digests)
    unchanged = same_files and not files.fresh and index_key == summary.index_key
    delta = (
        not unchanged
        and same_files
        and store is not None
        and _replay_holds(summary, files.fresh, outside)
        and store.delta_has_room(set(files.fresh), len(files.digests))
    )
    if unchanged or delta:
        late, errors = summary.index_diagnostics, summary.index_errors
        return CrossRecordResults(late, errors, index_key, outside, unchanged, delta, None)
    records_by_path = load_records(plan, files)
    late, errors = cross_record_stage(files.by_path, records_by_path, plan.settings, plan, progress)
    return CrossRecordResults(late, errors, index_key, outside, False, False, records_by_path)


def load_records(plan: Plan, files: PerFileResults) -> dict[str, list[Record]]:
    """Every file's records: fresh ones, else the cache's, else the file is read and checked again."""
    store, fresh, digests = plan.store, files.fresh, files.digests
    cached_records = store.load_records(digests) if store and len(fresh) < len(digests) else {}
    records_by_path: dict[str, list[Record]] = {}
    for display in digests:
        cached = cached_records.get(display)
        if display in fresh:
            records_by_path[display] = fresh[display].records
        elif cached and all(r.path == display and r.source == plan.displays[display] for r in cached):
            records_by_path[display] = cached
        else:  # the records file is missing or stale: redo this file
            path = Path(plan.displays[display])
            kind = kind_of(path, plan.target.root) or ""
            redone = process_file(path, kind, display, plan.settings, text=plan.overlays.get(str(path)))
            fresh[display] = redone
            records_by_path[display] = redone.records
            if not redone.is_empty:
                files.by_path[display] = redone
    return records_by_path


def save_to_cache(plan: Plan, files: PerFileResults, cross: CrossRecordResults) -> None:
    """Write this run's results for the next run (nothing when nothing changed)."""
    store, fresh = plan.store, files.fresh
    if store is None or cross.from_cache:
        return
    kept = {d: _without_records(r) for d, r in files.by_path.items()}
    facts = {d: fresh[d].facts if d in fresh else plan.summary.facts.get(d, "") for d in files.digests}
    summary = Summary(
        digests=files.digests,
        stats=files.stats,
        results=kept,
        index_key=cross.index_key,
        index_diagnostics=cross.diagnostics,
        index_errors=cross.errors,
        outside=cross.outside,
        facts=facts,
    )
    if cross.delta:  # the records file is not loaded: add the changed files' records to its delta
        store.save(summary, {d: r.records for d, r in fresh.items()}, set(fresh), only_changed=True)
    else:
        assert cross.records_by_path is not None
        store.save(summary, cross.records_by_path, set(fresh))


def suppress(plan: Plan, files: PerFileResults, cross: CrossRecordResults) -> list[Diagnostic]:
    """Every finding, less those the configuration's per-file ignores and the files' suppression
    comments drop; plus the links not read, and the suppression rules' own findings."""
    emit = Emitter(plan.config, plan.settings.enabled)
    found = [d for r in files.by_path.values() for d in r.diagnostics] + list(cross.diagnostics)
    emit.diagnostics = within_files(found, plan.cwd, plan.overlays)
    for relative, outside in sorted(plan.leaving.items()):
        message = f"not read: a symbolic link to {outside}, outside the content root"
        emit(Finding(message, Span.start_of_file(), code=UNREADABLE.code), plan.base + relative)
    root, cwd = plan.target.root, plan.cwd
    emit.diagnostics = [d for d in emit.diagnostics if not _per_file_ignored(d, plan.config, root, cwd)]
    return apply_suppressions(emit, {d: r.suppressions for d, r in files.by_path.items()})


def scope(plan: Plan, diagnostics: list[Diagnostic]) -> list[Diagnostic]:
    """What was asked about: every finding for a whole root, else those on the given files and on the
    records that refer to theirs (pre-commit)."""
    if plan.target.files is None:
        return diagnostics
    return scope_to_changed(diagnostics, plan.target, plan.cwd, plan.overlays)


def report(
    plan: Plan, files: PerFileResults, cross: CrossRecordResults, diagnostics: list[Diagnostic], result: RunResult
) -> None:
    result.internal_errors.extend(e for r in files.by_path.values() for e in r.internal_errors)
    result.internal_errors.extend(cross.errors)
    if plan.target.files is not None:
        result.checked.extend(sorted(display_path(p, plan.cwd) for p in plan.target.files))
    else:
        result.checked.extend([*files.digests, *(plan.base + relative for relative in plan.leaving)])
    result.diagnostics.extend(diagnostics)


def _summary_fits(summary: Summary, displays: dict[str, str]) -> bool:
    """Whether the records a cached summary's notes refer to are these files (their text is read again
    from `source` to place a finding): a summary naming any other file is not this root's."""
    for display, result in summary.results.items():
        for name, note in result.notes.items():
            found = file_pass_named(name)
            records = found.records_of(note) if found is not None else ()
            if any(r.path != display or r.source != displays.get(display) for r in records):
                return False
    return True


def _add_muscle_index(
    settings: RunSettings, root: Path, files: list[tuple[str, str]], texts: Mapping[str, bytes]
) -> None:
    """Read the muscle records before the per-file stage, so that checks depending only on a file and
    the muscles (`muscle_check`, `file_pass`) run there, in parallel and cached. Their vocabulary is
    built here, once, before worker processes start (they inherit it)."""
    records, parts = [], []
    for relative in (relative for relative, kind in files if kind == "muscle"):
        path = root / relative
        raw: bytes | None = texts.get(str(path))
        if raw is None:
            try:
                raw = read_bytes(path)
            except OSError:
                raw = None  # read_records reports why
        records += read_records(path, "muscle", relative, raw)
        parts.append(f"{relative}={digest(raw) if raw is not None else ''}")
    options = options_from(settings.config)
    parts.append(f"built-in={builtin_digest() if base_entries(options) else ''}")
    settings.muscle_index = ContentIndex(records)
    configure_vocabulary(settings.muscle_index, options)  # the built-in vocabulary, unless configured off
    vocabulary_for(settings.muscle_index)
    settings.vocabulary_key = digest("\n".join(parts).encode())


def cross_record_stage(
    by_path: dict[str, FileResult],
    records_by_path: dict[str, list[Record]],
    settings: RunSettings,
    plan: Plan,
    progress: bool,
    memo: CheckMemo | None = None,
) -> tuple[list[Diagnostic], list[str]]:
    """Index every record, then run the checks that read other records (and online answers). With a
    `memo` (an editor's workspace), a check that read nothing an edit changed is replayed from it."""
    records = [record for records in records_by_path.values() for record in records]
    citations = {d: r.citations for d, r in by_path.items() if r.citations}
    index = None
    if memo is not None and memo.index is not None and memo.changed is not None and memo.replaced is not None:
        index = memo.index.replacing(records, citations, *memo.replaced)
        if index is not None:
            carry_memos(memo.index, index, memo.changed)
    if index is None:
        index = ContentIndex(records, citations)
    configure_vocabulary(index, options_from(settings.config))
    if memo is not None:
        if memo.vocabulary is not None and memo.changed is not None and "muscle" not in memo.changed:
            share_vocabulary(index, memo.vocabulary)  # no muscle record changed: the same vocabulary
        memo.vocabulary = vocabulary_for(index)  # built once here: checks see the index through views
        memo.index = index
    ctx = Context(
        config=settings.config,
        today=settings.today,
        index=index,
        verification=_verification(records, settings, plan, progress),
        notes=_file_notes(by_path, settings),
        root=plan.target.root,
        answers=_answers(records, settings, plan, progress),
    )
    emit = Emitter(settings.config, settings.enabled)
    for record in records:
        if record.loaded:
            for check in settings.late_record_checks[record.kind]:
                emit.run(check, record.path, check.fn, record, ctx)
    where = display_path(plan.target.root, plan.cwd)
    if memo is not None:
        memo.replayed = 0
    for place, check in enumerate(settings.index_checks):
        scoped, kinds = index, None
        if check in settings.per_file_index_checks:  # other files' findings came from the per-file stage
            depends = [r for kind in sorted(check.depends_on) for r in index.of_kind(kind)]
            scoped, kinds = index.scoped(depends), check.depends_on
        if memo is None:
            emit.run(check, where, check.fn, scoped, ctx)
            continue
        replayed = memo.replay(place)
        if replayed is not None:
            emit.diagnostics += replayed.diagnostics
            emit.internal_errors += replayed.internal_errors
            memo.replayed += 1
            continue
        read: set[str] = set()
        found, errors = len(emit.diagnostics), len(emit.internal_errors)
        notes = TrackedNotes(ctx.notes, read) if ctx.notes is not None else None
        tracked = TrackedIndex(scoped, read, kinds)
        emit.run(check, where, check.fn, tracked, dataclasses.replace(ctx, index=tracked, notes=notes))
        memo.remembered[place] = Remembered(read, emit.diagnostics[found:], emit.internal_errors[errors:])
    for record in records:
        record.release()  # positions of cross-record findings are computed; let the trees go
    return emit.diagnostics, emit.internal_errors


def _verification(records: list[Record], settings: RunSettings, plan: Plan, progress: bool) -> Mapping[str, Any]:
    """Online answers about the references' identifiers, when a rule that reads them runs. Offline this
    only reads the verification cache file; online it asks the services about expired ids."""
    wanted = any(settings.late_record_checks.values())
    if not wanted or not (plan.online or (plan.target.root / settings.config.online.cache).exists()):
        return {}
    from hipcheck.online import verify_references  # the network client is heavy; most runs need no part of it

    found: Mapping[str, Any] = verify_references(
        records, plan.target.root, settings.config.online, plan.online, progress
    )
    return found


def _answers(records: list[Record], settings: RunSettings, plan: Plan, progress: bool) -> dict[str, Mapping[str, Any]]:
    """The outside answers the enabled cross-record checks declared they read (registry.reads_outside),
    by check: asked of the network online; offline read from their cache file, when there is one."""
    found: dict[str, Mapping[str, Any]] = {}
    root, config = plan.target.root, settings.config
    for check in settings.index_checks:
        fetch, cache = check.reads.answers, check.reads.cache
        if fetch is not None and (plan.online or (cache is not None and (root / cache(config)).exists())):
            found[pass_name(check.fn)] = fetch(records, root, config, plan.online, progress)
    return found


def _file_notes(by_path: dict[str, FileResult], settings: RunSettings) -> dict[str, dict[str, Any]] | None:
    """What the per-file passes noted, by pass name and display path; None when they did not run."""
    if settings.muscle_index is None:
        return None
    notes: dict[str, dict[str, Any]] = {c.file_pass.name: {} for c in settings.index_checks if c.file_pass is not None}
    for display, file_result in by_path.items():
        for name, note in file_result.notes.items():
            notes.setdefault(name, {})[display] = note
    return notes


def _outside_key(root: Path, config: Config, online: bool, checks: list[Check]) -> str:
    """The state of what cross-record checks read besides content files: the digests of the answer files
    (the verification cache, and those the enabled checks declare; their bytes, not their stat: a
    same-size copy with the old mtime must not replay old results), and the names of the files under
    the root when an enabled check looks files up there (registry.reads_outside)."""
    if online:
        return ""  # online answers change without any file changing: never reuse
    caches = []
    for name in (config.online.cache, *(c.reads.cache(config) for c in checks if c.reads.cache is not None)):
        try:
            caches.append(digest(read_bytes(root / name)))
        except OSError:
            caches.append("none")
    listing = f" files:{listing_digest(root)}" if any(c.reads.listing for c in checks) else ""
    return " ".join(caches) + listing


def _replay_holds(summary: Summary, fresh: dict[str, FileResult], outside: str) -> bool:
    """Whether the last run's cross-record results hold after these changes to the same set of files
    (the pre-commit case: a few exercises edited). They do when every changed file is an exercise whose
    index facts (`EXERCISE_INDEX_FIELDS`; no prose) are what they were, and no
    cross-record finding is placed in or cites (`Diagnostic.cites`) a changed file, whose lines may
    have moved."""
    if not fresh or not outside or summary.outside != outside or summary.index_errors:
        return False
    if any(not r.facts or summary.facts.get(d) != r.facts for d, r in fresh.items()):
        return False
    return not any(d.path in fresh or not fresh.keys().isdisjoint(d.cites) for d in summary.index_diagnostics)


def _without_records(file_result: FileResult) -> FileResult:
    """What the summary keeps of a file (the records file keeps its records): everything else, the
    per-file passes' notes included, or the next run's cross-record checks would go without them."""
    return dataclasses.replace(file_result, records=[])


def _per_file_ignored(diagnostic: Diagnostic, config: Config, root: Path, cwd: Path) -> bool:
    if not config.per_file_ignores:
        return False
    path = (cwd / diagnostic.path).resolve()
    names = [path.relative_to(base).as_posix() for base in (config.base, root) if base and base in path.parents]
    rule = RULES[diagnostic.code]
    return any(
        any(fnmatch.fnmatch(name, pattern) for name in names) and any(selects(s, rule) for s in selectors)
        for pattern, selectors in config.per_file_ignores.items()
    )
