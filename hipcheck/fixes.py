"""Apply fixes as exact text edits, and write files only when that is safe.

Everything outside an edit stays byte for byte. A write goes through a temporary file in the same
folder and a rename, so a crash or a full disk leaves the old file whole; before the rename the
file is read again, and one that changed since hipcheck read it is left alone.
"""

from __future__ import annotations

import os
import stat
import tempfile
from bisect import bisect_left
from collections.abc import Iterable
from itertools import pairwise
from pathlib import Path

from hipcheck.diagnostics import Edit, Fix


def apply_fixes(text: str, fixes: Iterable[Fix]) -> tuple[str, int]:
    """Apply non-overlapping fixes (the first of two overlapping ones wins); returns text and count.

    A fix with an edit outside the text is dropped (a stale or broken fix must not corrupt a file).
    O(n log n) in the edits, and the text is assembled from slices once.
    """
    starts: list[int] = []  # the chosen edits, sorted by start (they do not overlap)
    chosen: list[Edit] = []
    applied = 0
    candidates = [f for f in fixes if f.edits and all(0 <= e.start <= e.end <= len(text) for e in f.edits)]
    for fix in sorted(candidates, key=lambda f: min(e.start for e in f.edits)):
        edits = sorted(fix.edits, key=lambda e: e.start)
        if any(_overlaps(a, b) for a, b in pairwise(edits)) or any(_clashes(e, starts, chosen) for e in edits):
            continue  # the next run picks it up
        for edit in edits:
            at = bisect_left(starts, edit.start)
            starts.insert(at, edit.start)
            chosen.insert(at, edit)
        applied += 1
    parts: list[str] = []
    at = 0
    for edit in chosen:
        parts += [text[at : edit.start], edit.replacement]
        at = edit.end
    parts.append(text[at:])
    return "".join(parts), applied


def _clashes(edit: Edit, starts: list[int], chosen: list[Edit]) -> bool:
    """Whether `edit` overlaps a chosen edit: only its neighbours in start order can."""
    at = bisect_left(starts, edit.start)
    return any(_overlaps(edit, chosen[i]) for i in (at - 1, at) if 0 <= i < len(chosen))


def _overlaps(a: Edit, b: Edit) -> bool:
    return (a.start < b.end and b.start < a.end) or a.start == b.start


CHANGED = "{} changed while hipcheck was working on it; not written (run hipcheck again)"


class WriteRefused(Exception):
    """A file hipcheck must not or could not write: `reason` with `{}` where the file's name goes."""

    def __init__(self, reason: str, name: str = "") -> None:
        super().__init__(reason, name)
        self.reason, self.name = reason, name

    def __str__(self) -> str:
        return self.reason.format(self.name)


def writable_target(path: Path, root: Path, name: str) -> Path:
    """The file to write for `path`: itself, or a symbolic link's target when that lies inside `root`.

    A link is never replaced by a file; a read-only file is never written (a rename would go around
    its mode).
    """
    target = path
    if path.is_symlink():
        try:
            target = path.resolve(strict=True)
        except (OSError, RuntimeError):
            raise WriteRefused("{} is a broken symbolic link; not written", name) from None
        if not target.is_relative_to(root.resolve()):
            raise WriteRefused("{} is a symbolic link to a file outside the content root; not written", name)
    try:
        info = target.stat()
    except OSError as error:
        raise WriteRefused(_cannot_write(error), name) from None
    if not stat.S_ISREG(info.st_mode):
        raise WriteRefused("{} is not a regular file; not written", name)
    if not info.st_mode & 0o222 or not os.access(target, os.W_OK):
        raise WriteRefused("{} is read-only; not written", name)
    return target


def write_checked(path: Path, root: Path, name: str, data: bytes, expected: bytes) -> None:
    """Replace the file's bytes `expected` with `data`, keeping its mode; WriteRefused says why not."""
    target = writable_target(path, root, name)
    try:
        if target.read_bytes() != expected:
            raise WriteRefused(CHANGED, name)
        mode = stat.S_IMODE(target.stat().st_mode)
        handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    except OSError as error:
        raise WriteRefused(_cannot_write(error), name) from None
    try:
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(handle, view) :]
            os.fchmod(handle, mode)  # the new file gets the old one's mode, not mkstemp's 0600
            os.fsync(handle)
        finally:
            os.close(handle)
        os.replace(temporary, target)
    except OSError as error:
        Path(temporary).unlink(missing_ok=True)
        raise WriteRefused(_cannot_write(error), name) from None
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _cannot_write(error: OSError) -> str:
    return "cannot write {}: " + str(error.strerror or error).replace("{", "{{").replace("}", "}}")


def write_atomically(path: Path, text: str) -> None:
    """Write a file hipcheck owns (caches, imported records) via a temporary file and a rename."""
    mode = path.stat().st_mode & 0o777 if path.exists() else 0o644
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as stream:
            stream.write(text)
        os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
