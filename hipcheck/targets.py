"""Which content roots a run covers and which of their files it reports on: the targets the command
line names (`plan_targets`), and, when it names files (pre-commit), the findings in scope: those on
the files and on the records that refer to theirs (`scope_to_changed`)."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

import yaml

from hipcheck.config import load_config
from hipcheck.diagnostics import Diagnostic
from hipcheck.discovery import walk
from hipcheck.errors import UsageError
from hipcheck.kinds import KIND_FOLDERS
from hipcheck.loader.records import kind_of, read_records


@dataclass
class Target:
    """One content root to index, and which of its files to report on (None: all)."""

    root: Path
    files: set[Path] | None = None


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


def display_path(path: Path, cwd: Path) -> str:
    return Path(os.path.relpath(path, cwd)).as_posix()


# --- pre-commit: report on the given files and the records they break --------------------------


def scope_to_changed(
    diagnostics: list[Diagnostic], target: Target, cwd: Path, texts: Mapping[str, bytes] | None = None
) -> list[Diagnostic]:
    """`texts`: unsaved text by file path, read instead of the disk."""
    assert target.files is not None
    given = {display_path(p, cwd) for p in target.files}
    texts = texts or {}
    keys = {
        f"{record.kind}:{record.id}"
        for path in target.files
        if (kind := kind_of(path, target.root))
        for record in read_records(path, kind, display_path(path, cwd), texts.get(str(path)))
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
