"""The pipeline, top-down: find files -> load them -> build the content index -> run rules -> diagnostics."""

from __future__ import annotations

import dataclasses
import datetime as dt
import fnmatch
import gc
import os
import subprocess
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import yaml

import hipcheck.rules  # noqa: F401  (registers every rule)
from hipcheck import suppressions
from hipcheck.bounds import within_files
from hipcheck.cache import ResultCache, Summary, settings_key, unchanged_files
from hipcheck.config import Config, check_selection_options, load_config, verification_cache
from hipcheck.constants import KIND_FOLDERS
from hipcheck.content_digest import digest
from hipcheck.context import Context
from hipcheck.diagnostics import Diagnostic, Finding, Span
from hipcheck.discovery import walk
from hipcheck.index import ContentIndex
from hipcheck.loader.records import Record, kind_of, read_bytes, read_records
from hipcheck.muscle_vocabulary import (
    Vocabulary,
    base_entries,
    builtin_digest,
    configure_vocabulary,
    options_from,
    share_vocabulary,
)
from hipcheck.result import RunResult, UsageError
from hipcheck.rules.loader import UNREADABLE
from hipcheck.rules.online import ONLINE_RULES
from hipcheck.rules.prose import check_prose
from hipcheck.rules.registry import CHECKS, RULES, Rule
from hipcheck.stages import Emitter, FileResult, RunSettings, Todo, enabled_rules, process_file, process_files

PROSE_CODES = frozenset(rule.code for check in CHECKS if check.fn is check_prose for rule in check.rules)

__all__ = ["RunResult", "Target", "UsageError", "check_paths", "display_path", "plan_targets"]


@dataclass
class Target:
    """One content root to index, and which of its files to report on (None: all)."""

    root: Path
    files: set[Path] | None = None


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
) -> RunResult:
    """Check files and folders; `select` and `ignore` override the configured rule selection.

    `jobs` worker processes share the per-file stage (default: one per CPU); `cache` reuses the
    results of unchanged files from `.hipcheck_cache/`.
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
            options = {"online": online, "progress": progress, "cache": cache, "jobs": workers}
            check_target(target, cwd, when, result, select, ignore=ignore, **options)
    finally:
        if collecting:
            gc.enable()
    result.diagnostics.sort(key=lambda d: d.sort_key)
    return result


# --- which roots and files -------------------------------------------------------------------


def plan_targets(paths: list[str], cwd: Path) -> list[Target]:
    if not paths:
        config = load_config(cwd)
        return [Target(config.root_dir or cwd)]
    targets: dict[Path, Target] = {}
    for raw in paths:
        path = (cwd / raw).resolve()
        if not path.exists():
            raise UsageError(f"{raw}: no such file or directory")
        root, files = _root_and_files(path)
        if root is None:
            continue  # a file outside any content folder: nothing to check (pre-commit may pass those)
        target = targets.setdefault(root, Target(root, set()))
        if files is None or target.files is None:
            target.files = None
        else:
            target.files |= files
    return list(targets.values())


def _root_and_files(path: Path) -> tuple[Path | None, set[Path] | None]:
    if path.is_file():
        root = enclosing_root(path)
        return root, {path} if root else None
    if _has_kind_folders(path):
        return path, None
    if path.name in KIND_FOLDERS:
        return path.parent, {p for p, _ in _discover(path.parent, within=path)}
    configured = load_config(path).root_dir
    if configured is not None and (configured == path or path in configured.parents):
        return configured, None
    if configured is not None and configured in path.parents:
        return configured, {p for p, _ in _discover(configured, within=path)}
    return path, None


def enclosing_root(path: Path) -> Path | None:
    """The nearest folder that holds `path` inside one of its kind folders."""
    for parent in path.parents:
        if parent.name in KIND_FOLDERS and kind_of(path, parent.parent):
            return parent.parent
    return None


def _has_kind_folders(path: Path) -> bool:
    return any((path / name).is_dir() for name in KIND_FOLDERS)


def _discover(root: Path, within: Path | None = None, exclude: Iterable[str] = ()) -> list[tuple[Path, str]]:
    """Content files under `root` (optionally only those under `within`) with their kinds, sorted."""
    return [(root / relative, kind) for relative, kind in walk(root, within, exclude)]


# --- running the rules -----------------------------------------------------------------------


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
) -> None:
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
    leaving: dict[str, str] = {}  # links out of the root: reported, never read
    files = walk(target.root, exclude=config.exclude, leaving=leaving)
    _add_vocabulary(settings, target.root, files)
    store = None
    if cache:
        store = ResultCache.for_root(target.root, settings_key(settings, target.root, cwd))
    summary = store.load_summary() if store else Summary()

    # 1. Per-file stage: reuse what the cache holds for unchanged bytes, process the rest.
    todo: Todo = []
    digests: dict[str, str] = {}
    displays: dict[str, str] = {}
    base = display_path(target.root, cwd)
    base = "" if base == "." else base + "/"
    top = str(target.root)
    for relative, _ in files:
        displays[base + relative] = f"{top}/{relative}"  # strings, not pathlib: there can be 100,000 files
    if not _summary_fits(summary, displays):
        summary = Summary()  # written for other files than these: trust none of it
    trusted, stats = unchanged_files(summary, list(displays.items())) if store else ({}, {})
    for (display, path), (_, kind) in zip(displays.items(), files, strict=True):
        digests[display] = trusted.get(display, "")
        if not digests[display]:  # new, changed or touched: the per-file stage reads and digests it
            todo.append((path, kind, display, summary.digests.get(display, "")))
    fresh: dict[str, FileResult] = {}
    for processed in process_files(todo, settings, jobs):
        digests[processed.path] = processed.digest  # "" if unreadable: redone next time, and reported
        if not processed.unchanged:
            fresh[processed.path] = processed
    # Sparse: only files with something to say (findings, suppressions, citations); most have none.
    by_path = {d: r for d, r in summary.results.items() if d in digests and d not in fresh}
    by_path.update((d, r) for d, r in fresh.items() if not r.is_empty)

    # 2. Cross-record stage: from the cache when no file and no outside input changed, or when the changed
    # files are exercises whose index fields are as they were; else from all records, cached or fresh.
    outside = index_key = ""  # what decides whether cached cross-record results still hold
    if store is not None:
        outside = _outside_key(target.root, config, online)
        index_key = digest("\n".join([outside, *(f"{d}={h}" for d, h in sorted(digests.items()))]).encode())
    same_files = store is not None and set(digests) == set(summary.digests)
    unchanged = same_files and not fresh and index_key == summary.index_key
    records_by_path: dict[str, list[Record]] | None = None
    reused = (
        not unchanged
        and same_files
        and store is not None
        and _cross_record_results_hold(summary, fresh, outside)
        and store.delta_has_room(set(fresh), len(digests))
    )
    if unchanged or reused:
        late, late_errors = summary.index_diagnostics, summary.index_errors
    else:
        cached_records = store.load_records(digests) if store and len(fresh) < len(digests) else {}
        records_by_path = {}
        for display in digests:
            cached = cached_records.get(display)
            if display in fresh:
                records_by_path[display] = fresh[display].records
            elif cached and all(r.path == display and r.source == displays[display] for r in cached):
                records_by_path[display] = cached
            else:  # the records file is missing or stale: redo this file
                path = Path(displays[display])
                redone = process_file(path, kind_of(path, target.root) or "", display, settings)
                fresh[display] = redone
                records_by_path[display] = redone.records
                if not redone.is_empty:
                    by_path[display] = redone
        late, late_errors = _cross_record_stage(by_path, records_by_path, settings, target, cwd, online, progress)
    if store is not None and not unchanged:
        kept = {d: _without_records(r) for d, r in by_path.items()}
        facts = {d: fresh[d].facts if d in fresh else summary.facts.get(d, "") for d in digests}
        summary = Summary(
            digests=digests,
            stats=stats,
            results=kept,
            index_key=index_key,
            index_diagnostics=late,
            index_errors=late_errors,
            outside=outside,
            facts=facts,
        )
        if reused:  # the records file is not loaded: add the changed files' records to its delta
            store.save(summary, {d: r.records for d, r in fresh.items()}, set(fresh), only_changed=True)
        else:
            store.save(summary, records_by_path, set(fresh))

    # 3. Per-file ignores and suppressions, then the scope of what was asked.
    emit = Emitter(config, settings.enabled)
    emit.diagnostics = within_files([d for r in by_path.values() for d in r.diagnostics] + list(late), cwd)
    for relative, outside in sorted(leaving.items()):
        message = f"not read: a symbolic link to {outside}, outside the content root"
        emit(Finding(message, Span.start_of_file(), code=UNREADABLE.code), base + relative)
    emit.diagnostics = [d for d in emit.diagnostics if not _per_file_ignored(d, config, target.root, cwd)]
    reported = apply_suppressions(emit, {d: r.suppressions for d, r in by_path.items()})
    result.internal_errors.extend(e for r in by_path.values() for e in r.internal_errors)
    result.internal_errors.extend(late_errors)
    if target.files is not None:
        reported = _scope_to_changed(reported, target, cwd)
        result.checked.extend(sorted(display_path(p, cwd) for p in target.files))
    else:
        result.checked.extend([*digests, *(base + relative for relative in leaving)])
    result.diagnostics.extend(reported)


def _summary_fits(summary: Summary, displays: dict[str, str]) -> bool:
    """Whether the records a cached summary refers to are these files (their text is read again from
    `source` to place a finding): a summary naming any other file is not this root's."""
    return all(
        definition.record.path == display and definition.record.source == displays.get(display)
        for display, result in summary.results.items()
        for definition in result.prose_definitions
    )


def _add_vocabulary(settings: RunSettings, root: Path, files: list[tuple[str, str]]) -> None:
    """Build the muscle vocabulary before the per-file stage, so that checks depending only on a file and
    the muscles (prose screening, muscle ids, muscles' actions) run there, in parallel and cached."""
    muscle_checks = any(check.per_record is not None for check in settings.index_checks)
    if not muscle_checks and not any(code in settings.enabled for code in PROSE_CODES):
        return
    records, parts = [], []
    for relative in (relative for relative, kind in files if kind == "muscle"):
        path = root / relative
        try:
            raw: bytes | None = read_bytes(path)
        except OSError:
            raw = None  # read_records reports why
        records += read_records(path, "muscle", relative, raw)
        parts.append(f"{relative}={digest(raw) if raw is not None else ''}")
    base = base_entries(options_from(settings.config))  # the built-in vocabulary, unless configured off
    parts.append(f"built-in={builtin_digest() if base else ''}")
    settings.vocabulary = Vocabulary.from_records(records, base)
    settings.muscle_index = ContentIndex(records)
    share_vocabulary(settings.muscle_index, settings.vocabulary)
    settings.vocabulary_key = digest("\n".join(parts).encode())


def _cross_record_stage(
    by_path: dict[str, FileResult],
    records_by_path: dict[str, list[Record]],
    settings: RunSettings,
    target: Target,
    cwd: Path,
    online: bool,
    progress: bool,
) -> tuple[list[Diagnostic], list[str]]:
    records = [record for records in records_by_path.values() for record in records]
    citations = {d: r.citations for d, r in by_path.items() if r.citations}
    index = ContentIndex(records, citations)
    configure_vocabulary(index, options_from(settings.config))
    # Offline this only reads the verification cache file; online it asks the services about expired ids.
    wanted = any(rule.code in settings.enabled for rule in ONLINE_RULES)
    verification = {}
    if wanted and (online or (target.root / settings.config.online.cache).exists()):
        from hipcheck.online import verify_references  # the network client is heavy; most runs need no part of it

        verification = verify_references(records, target.root, settings.config.online, online, progress)
    flags, definitions = None, []
    if settings.vocabulary is not None:  # exercises were screened and articles checked per file
        flags = frozenset(d for d, r in by_path.items() if r.prose_flag)
        definitions = [definition for r in by_path.values() for definition in r.prose_definitions]
    ctx = Context(
        config=settings.config,
        today=settings.today,
        index=index,
        verification=verification,
        prose_flags=flags,
        prose_definitions=definitions,
    )
    emit = Emitter(settings.config, settings.enabled)
    for record in records:
        if record.loaded:
            for check in settings.late_record_checks[record.kind]:
                emit.run(check, record.path, check.fn, record, ctx)
    where = display_path(target.root, cwd)
    for check in settings.index_checks:
        scope = index
        if check in settings.per_file_index_checks:  # other files' findings came from the per-file stage
            scope = index.scoped([r for r in records if r.kind in check.depends_on])
        emit.run(check, where, check.fn, scope, ctx)
    for record in records:
        record.release()  # positions of cross-record findings are computed; let the trees go
    return emit.diagnostics, emit.internal_errors


def _outside_key(root: Path, config: Config, online: bool) -> str:
    """The state of what cross-record checks read besides content files: the verification cache's digest
    (its bytes, not its stat: a same-size copy with the old mtime must not replay old results)."""
    if online:
        return ""  # online answers change without any file changing: never reuse
    try:
        return digest(read_bytes(root / config.online.cache))
    except OSError:
        return "none"


def _cross_record_results_hold(summary: Summary, fresh: dict[str, FileResult], outside: str) -> bool:
    """Whether the last run's cross-record results hold after these changes to the same set of files
    (the pre-commit case: a few exercises edited). They do when every changed file is an exercise whose
    index facts (id, references; no prose for the cross-record rules) are what they were, and no
    cross-record finding sits in or points at a changed file, whose lines may have moved."""
    if not fresh or not outside or summary.outside != outside or summary.index_errors:
        return False
    if any(not r.facts or summary.facts.get(d) != r.facts for d, r in fresh.items()):
        return False
    return not any(d.path in fresh or any(p in d.message for p in fresh) for d in summary.index_diagnostics)


def _without_records(file_result: FileResult) -> FileResult:
    """What the summary keeps of a file (the records file keeps its records): everything else, prose
    flags and definitions included, or the next run's cross-record checks would go without them."""
    return dataclasses.replace(file_result, records=[])


def apply_suppressions(emit: Emitter, by_file: dict[str, suppressions.FileSuppressions]) -> list[Diagnostic]:
    """Drop suppressed findings; report suppressions that are unused, unknown or lack a reason."""
    for found in by_file.values():
        for item in found.items:
            item.used = item.directive == "enable" and item.used  # cached objects: count afresh
    kept = [d for d in emit.diagnostics if d.path not in by_file or not by_file[d.path].suppresses(d, RULES[d.code])]
    emit.diagnostics = kept
    for found in by_file.values():
        for item in found.items:
            unknown = [s for s in item.selectors if not suppressions.known_selector(s)]
            if unknown:
                message = f"suppression names no rule: {', '.join(unknown)} (see 'hipcheck rules')"
                emit(Finding(message, item.span, code="HC902"), item.path)
            elif not item.used and _all_enabled(item, emit.enabled):
                message = f"'hipcheck: {item.directive}' suppresses nothing here"
                emit(Finding(message, item.span, fix=suppressions.removal_fix(item), code="HC901"), item.path)
            if emit.config.suppression_requires_reason and not item.reason and item.directive != "enable":
                message = f"'hipcheck: {item.directive}' needs a reason: add ' -- why' after it"
                emit(Finding(message, item.span, code="HC903"), item.path)
    return emit.diagnostics


def _per_file_ignored(diagnostic: Diagnostic, config: Config, root: Path, cwd: Path) -> bool:
    if not config.per_file_ignores:
        return False
    path = (cwd / diagnostic.path).resolve()
    names = [path.relative_to(base).as_posix() for base in (config.base, root) if base and base in path.parents]
    rule = RULES[diagnostic.code]
    return any(
        any(fnmatch.fnmatch(name, pattern) for name in names) and any(suppressions.selects(s, rule) for s in selectors)
        for pattern, selectors in config.per_file_ignores.items()
    )


def _all_enabled(item: suppressions.Suppression, enabled: dict[str, Rule]) -> bool:
    """Judge a suppression unused only if every rule it names ran (else it may be needed elsewhere)."""
    return all(rule.code in enabled for rule in RULES.values() if item.matches(rule))


def display_path(path: Path, cwd: Path) -> str:
    return Path(os.path.relpath(path, cwd)).as_posix()


# --- pre-commit: report on the given files and the records they break --------------------------


def _scope_to_changed(diagnostics: list[Diagnostic], target: Target, cwd: Path) -> list[Diagnostic]:
    assert target.files is not None
    given = {display_path(p, cwd) for p in target.files}
    keys = {
        f"{record.kind}:{record.id}"
        for path in target.files
        if (kind := kind_of(path, target.root))
        for record in read_records(path, kind, display_path(path, cwd))
        if record.id
    }
    keys |= _previous_keys(target.files, target.root)  # ids a change renamed away still matter
    return [d for d in diagnostics if d.path in given or keys.intersection(d.related)]


def _previous_keys(files: set[Path], root: Path) -> set[str]:
    """`kind:id` of the given files as committed in HEAD, when the root is in a git work tree."""
    keys: set[str] = set()
    for path in files:
        kind = kind_of(path, root)
        if kind is None:
            continue
        try:
            shown = subprocess.run(
                ["git", "show", f"HEAD:./{path.name}"],
                cwd=path.parent,
                capture_output=True,
                timeout=10,
                check=False,
            )
        except (OSError, subprocess.SubprocessError):
            return keys
        if shown.returncode != 0:
            continue
        text = shown.stdout.decode("utf-8", "replace")
        if kind == "article":
            keys.add(f"article:{path.stem}")
            continue
        try:
            data = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
        except yaml.YAMLError:
            continue
        if isinstance(data, dict) and isinstance(data.get("id"), str):
            keys.add(f"{kind}:{data['id']}")
    return keys
