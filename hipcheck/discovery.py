"""Finding content files: strings only, since a content root can hold a hundred thousand files."""

from __future__ import annotations

import fnmatch
import os
from collections.abc import Iterable
from pathlib import Path

from hipcheck.constants import BIBLIOGRAPHY_SUFFIXES, KIND_FOLDERS, KIND_SUFFIXES
from hipcheck.result import UsageError

# The most content files one root may hold: ten times the largest repository benchmarked. A root with more
# (a pull request adding millions of empty files) is refused with one line before any file is read.
MAX_FILES = 1_000_000


def walk(root: Path, within: Path | None = None, exclude: Iterable[str] = ()) -> list[tuple[str, str]]:
    """(path relative to `root` with forward slashes, kind) of every content file, sorted; strings only,
    since a content root can hold a hundred thousand files."""
    patterns = list(exclude)
    inside = within.relative_to(root).as_posix() if within is not None and within != root else None
    found = []
    top = str(root)
    for folder, kind in KIND_FOLDERS.items():
        base = os.path.join(top, folder)
        if not os.path.isdir(base):
            continue
        suffixes = KIND_SUFFIXES[kind]
        for directory, subdirs, names in os.walk(base):
            subdirs[:] = sorted(d for d in subdirs if not d.startswith("."))
            relative_dir = directory[len(top) + 1 :].replace(os.sep, "/")
            for name in sorted(names):
                if name.startswith("."):
                    continue
                file_kind = kind
                if kind == "article" and name.lower().endswith(BIBLIOGRAPHY_SUFFIXES):
                    file_kind = "reference"  # a bibliography beside the articles, read in place
                elif not name.endswith(suffixes):
                    continue
                relative = f"{relative_dir}/{name}"
                if inside is not None and relative != inside and not relative.startswith(inside + "/"):
                    continue
                if not any(fnmatch.fnmatch(relative, p) for p in patterns):
                    found.append((relative, file_kind))
                    if len(found) > MAX_FILES:
                        raise UsageError(f"{root}: more than {MAX_FILES:,} content files, the limit for one root")
    return found
