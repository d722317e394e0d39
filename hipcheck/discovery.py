"""Finding content files: strings only, since a content root can hold a hundred thousand files."""

from __future__ import annotations

import fnmatch
import os
from collections.abc import Iterable
from pathlib import Path

from hipcheck.errors import UsageError
from hipcheck.kinds import BIBLIOGRAPHY_SUFFIXES, KIND_FOLDERS, KIND_SUFFIXES

# The most content files one root may hold: ten times the largest repository benchmarked. A root with more
# (a pull request adding millions of empty files) is refused with one line before any file is read.
MAX_FILES = 1_000_000


def walk(
    root: Path, within: Path | None = None, exclude: Iterable[str] = (), leaving: dict[str, str] | None = None
) -> list[tuple[str, str]]:
    """(path relative to `root` with forward slashes, kind) of every content file, sorted; strings only,
    since a content root can hold a hundred thousand files.

    A symbolic link whose target lies outside the root (`exercises/x.yaml -> /etc/passwd`, committed in a
    pull request) is left out, and noted in `leaving` (relative path -> target) for the caller to report:
    its bytes would otherwise end up in findings and excerpts in a public CI log. Links to directories
    are not followed at all. Only links cost a look-up: scandir knows which entries are links.

    One loop rather than helpers (hence its length): it runs once per file of a root that may hold a
    hundred thousand, and is most of the time a run with every result cached takes.
    """
    patterns = list(exclude)
    inside = within.relative_to(root).as_posix() if within is not None and within != root else None
    found: list[tuple[str, str]] = []
    top = str(root)
    real_top = os.path.realpath(top)
    for folder, kind in KIND_FOLDERS.items():
        base = os.path.join(top, folder)
        if not os.path.isdir(base):
            continue
        if os.path.islink(base) and not _within(os.path.realpath(base), real_top):
            if leaving is not None:
                leaving[folder] = os.path.realpath(base)
            continue
        suffixes = KIND_SUFFIXES[kind]
        stack = [(base, folder)]
        while stack:
            directory, relative_dir = stack.pop()
            try:
                with os.scandir(directory) as listing:
                    entries = sorted(listing, key=lambda e: e.name)
            except OSError:
                continue  # unreadable folder: nothing in it can be checked, as before
            subfolders = []
            for entry in entries:
                name = entry.name
                if name.startswith("."):
                    continue
                if entry.is_dir(follow_symlinks=False):
                    subfolders.append((entry.path, f"{relative_dir}/{name}"))
                    continue
                file_kind = kind
                if kind == "article" and name.lower().endswith(BIBLIOGRAPHY_SUFFIXES):
                    file_kind = "reference"  # a bibliography beside the articles, read in place
                elif not name.endswith(suffixes):
                    continue
                relative = f"{relative_dir}/{name}"
                if inside is not None and relative != inside and not relative.startswith(inside + "/"):
                    continue
                if any(fnmatch.fnmatch(relative, p) for p in patterns):
                    continue
                if entry.is_symlink():
                    target = os.path.realpath(entry.path)
                    if not _within(target, real_top):
                        if leaving is not None:
                            leaving[relative] = target
                        continue
                found.append((relative, file_kind))
                if len(found) > MAX_FILES:
                    raise UsageError(f"{root}: more than {MAX_FILES:,} content files, the limit for one root")
            stack.extend(reversed(subfolders))  # depth first, in name order, as os.walk listed them
    return found


def _within(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder.rstrip(os.sep) + os.sep)
