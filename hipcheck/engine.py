"""The pipeline, top-down: find files -> load them -> build the content index -> run rules -> diagnostics."""

from __future__ import annotations

import datetime as dt
import fnmatch
import os
import subprocess
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import yaml

import hipcheck.rules  # noqa: F401  (registers every rule)
from hipcheck import suppressions
from hipcheck.config import Config, load_config
from hipcheck.context import Context
from hipcheck.diagnostics import Diagnostic, Finding, Severity
from hipcheck.index import ContentIndex
from hipcheck.loader.records import KIND_FOLDERS, Record, kind_of, read_records
from hipcheck.online import verify_references
from hipcheck.rules.online import ONLINE_RULES
from hipcheck.rules.registry import CHECKS, RULES, Check, Rule


class UsageError(Exception):
    """Bad command-line input (exit status 2)."""


@dataclass
class Target:
    """One content root to index, and which of its files to report on (None: all)."""

    root: Path
    files: set[Path] | None = None


@dataclass
class RunResult:
    diagnostics: list[Diagnostic] = field(default_factory=list)
    checked: list[str] = field(default_factory=list)  # display paths of the files reported on
    internal_errors: list[str] = field(default_factory=list)

    @property
    def files(self) -> int:
        return len(self.checked)

    def count(self, severity: Severity) -> int:
        return sum(1 for d in self.diagnostics if d.severity is severity)

    def count_errors(self) -> int:
        return self.count(Severity.ERROR)

    def summary(self) -> dict[str, int]:
        return {
            "files": self.files,
            "errors": self.count(Severity.ERROR),
            "warnings": self.count(Severity.WARNING),
            "infos": self.count(Severity.INFO),
        }


def check_paths(
    paths: Iterable[str],
    cwd: Path | None = None,
    today: dt.date | None = None,
    select: list[str] | None = None,
    online: bool = False,
    progress: bool = False,
) -> RunResult:
    """Check files and folders; `select` overrides the configured rule selection."""
    cwd = (cwd or Path.cwd()).resolve()
    result = RunResult()
    for target in plan_targets(list(paths), cwd):
        check_target(target, cwd, today or dt.date.today(), result, select, online=online, progress=progress)
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
        return path.parent, set(_discover(path.parent, within=path))
    configured = load_config(path).root_dir
    if configured is not None and (configured == path or path in configured.parents):
        return configured, None
    if configured is not None and configured in path.parents:
        return configured, set(_discover(configured, within=path))
    return path, None


def enclosing_root(path: Path) -> Path | None:
    """The nearest folder that holds `path` inside one of its kind folders."""
    for parent in path.parents:
        if parent.name in KIND_FOLDERS and kind_of(path, parent.parent):
            return parent.parent
    return None


def _has_kind_folders(path: Path) -> bool:
    return any((path / name).is_dir() for name in KIND_FOLDERS)


def _discover(root: Path, within: Path | None = None, exclude: Iterable[str] = ()) -> list[Path]:
    patterns = list(exclude)
    found = []
    for folder in KIND_FOLDERS:
        base = root / folder
        if not base.is_dir():
            continue
        for directory, subdirs, names in os.walk(base):
            subdirs[:] = sorted(d for d in subdirs if not d.startswith("."))
            for name in sorted(names):
                path = Path(directory, name)
                if within is not None and within != path and within not in path.parents:
                    continue
                relative = path.relative_to(root).as_posix()
                if kind_of(path, root) and not any(fnmatch.fnmatch(relative, p) for p in patterns):
                    found.append(path)
    return found


# --- running the rules -----------------------------------------------------------------------


def check_target(
    target: Target,
    cwd: Path,
    today: dt.date,
    result: RunResult,
    select: list[str] | None = None,
    *,
    online: bool = False,
    progress: bool = False,
) -> None:
    config = load_config(target.root)
    if select is not None:
        config = config.model_copy(update={"select": select, "ignore": []})
    files = _discover(target.root, exclude=config.exclude)
    records = [
        record
        for path in files
        for record in read_records(path, kind_of(path, target.root) or "", display_path(path, cwd))
    ]
    index = ContentIndex(records)
    enabled = enabled_rules(config)
    # Offline this only reads the cache file; online it asks the services about expired identifiers.
    wanted = any(rule.code in enabled for rule in ONLINE_RULES)
    verification = verify_references(records, target.root, config.online, online, progress) if wanted else {}
    ctx = Context(config=config, today=today, index=index, verification=verification)
    emit = _Emitter(config, enabled, result)

    for record in records:
        for issue in record.issues:
            emit(Finding(issue.message, issue.span, code=issue.code), record.path)
        if not record.loaded:
            continue
        for check in CHECKS:
            if check.scope == "record" and _applies(check, record.kind, enabled):
                emit.run(check, record.path, lambda c=check, r=record: c.fn(r, ctx))
    for check in CHECKS:
        if check.scope == "index" and any(r.code in enabled for r in check.rules):
            emit.run(check, display_path(target.root, cwd), lambda c=check: c.fn(index, ctx))

    emit.diagnostics = [d for d in emit.diagnostics if not _per_file_ignored(d, config, target.root, cwd)]
    reported = apply_suppressions(emit, records)
    if target.files is not None:
        reported = _scope_to_changed(reported, target, records, cwd)
        result.checked.extend(sorted(display_path(p, cwd) for p in target.files))
    else:
        result.checked.extend(display_path(p, cwd) for p in files)
    result.diagnostics.extend(reported)


def apply_suppressions(emit: _Emitter, records: list[Record]) -> list[Diagnostic]:
    """Drop suppressed findings; report suppressions that are unused, unknown or lack a reason."""
    by_file: dict[str, suppressions.FileSuppressions] = {}
    for record in records:
        if record.path not in by_file:
            by_file[record.path] = suppressions.collect(record)
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


def _applies(check: Check, kind: str, enabled: dict[str, Rule]) -> bool:
    kinds = check.kinds
    return (kinds is None or kind in kinds) and any(r.code in enabled for r in check.rules)


class _Emitter:
    """Turns findings into diagnostics with the rule's (configured) severity; contains rule crashes."""

    def __init__(self, config: Config, enabled: dict[str, Rule], result: RunResult) -> None:
        self.config = config
        self.enabled = enabled
        self.result = result
        self.diagnostics: list[Diagnostic] = []

    def __call__(self, finding: Finding, default_path: str, check: Check | None = None) -> None:
        code = finding.code or (check.rules[0].code if check else None)
        rule = self.enabled.get(code or "")
        if rule is None:
            return
        severity = Severity(_configured_severity(self.config, rule) or rule.severity)
        self.diagnostics.append(
            Diagnostic(
                path=finding.path or default_path,
                span=finding.span,
                code=rule.code,
                name=rule.name,
                severity=severity,
                message=finding.message,
                fix=finding.fix,
                related=finding.related,
            )
        )

    def run(self, check: Check, where: str, produce: object) -> None:
        try:
            for finding in produce():  # type: ignore[operator]
                self(finding, where, check)
        except Exception as error:  # a rule bug must not hide the other rules' findings
            names = ", ".join(r.code for r in check.rules)
            self.result.internal_errors.append(f"internal error in {names} on {where}: {type(error).__name__}: {error}")


def enabled_rules(config: Config) -> dict[str, Rule]:
    def matches(rule: Rule, selectors: list[str]) -> bool:
        return any(s.upper() == "ALL" or rule.code.startswith(s.upper()) or rule.name == s.lower() for s in selectors)

    return {
        code: rule
        for code, rule in RULES.items()
        if (not config.select or matches(rule, config.select)) and not matches(rule, config.ignore)
    }


def _configured_severity(config: Config, rule: Rule) -> str | None:
    return config.severity.get(rule.code) or config.severity.get(rule.name)


def display_path(path: Path, cwd: Path) -> str:
    return Path(os.path.relpath(path, cwd)).as_posix()


# --- pre-commit: report on the given files and the records they break --------------------------


def _scope_to_changed(
    diagnostics: list[Diagnostic], target: Target, records: list[Record], cwd: Path
) -> list[Diagnostic]:
    assert target.files is not None
    given = {display_path(p, cwd) for p in target.files}
    keys = {f"{r.kind}:{r.id}" for r in records if r.path in given and r.id}
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
