"""Writing files whole: the one atomic write (caches, imported records, fixed content) and the
checks made before hipcheck rewrites a content file.

A write goes through a temporary file in the same folder and a rename, so a crash or a full disk
leaves the old file whole and a reader (another hipcheck at once, as pre-commit runs it) sees the old
file or the new one, never a torn one. A content file is read again just before it is replaced, and
one that changed since hipcheck read it is left alone.
"""

from __future__ import annotations

import os
import stat
import tempfile
from collections.abc import Iterable
from pathlib import Path

CHUNK_BYTES = 1 << 20  # lines are gathered into writes of this size: 100,000 records, not 100,000 calls


def write_atomically(
    path: Path, data: str | bytes | Iterable[str], *, mode: int | None = None, durable: bool = False
) -> None:
    """Write `data` (text is UTF-8, written as given: no newline translation) to `path` through a
    temporary file in its folder and a rename. `mode`: the new file's permission bits (default:
    private, 0600). `durable`: flush to the disk before the rename (content files; caches can be
    rebuilt). On any error the temporary file is removed and the error raised; `path` is untouched."""
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        try:
            for chunk in _chunks(data):
                view = memoryview(chunk)
                while view:
                    view = view[os.write(handle, view) :]
            if mode is not None:
                os.fchmod(handle, mode)
            if durable:
                os.fsync(handle)
        finally:
            os.close(handle)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def mode_of(path: Path, default: int = 0o644) -> int:
    """The permission bits a rewrite of `path` keeps: its own, or `default` for a new file."""
    try:
        return path.stat().st_mode & 0o777
    except OSError:
        return default


def _chunks(data: str | bytes | Iterable[str]) -> Iterable[bytes]:
    if isinstance(data, bytes):
        yield data
        return
    if isinstance(data, str):
        yield data.encode("utf-8")
        return
    gathered: list[bytes] = []
    size = 0
    for part in data:
        encoded = part.encode("utf-8")
        gathered.append(encoded)
        size += len(encoded)
        if size >= CHUNK_BYTES:
            yield b"".join(gathered)
            gathered, size = [], 0
    if gathered:
        yield b"".join(gathered)


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
    except OSError as error:
        raise WriteRefused(_cannot_write(error), name) from None
    try:
        write_atomically(target, data, mode=mode, durable=True)  # the old file's mode, not mkstemp's 0600
    except OSError as error:
        raise WriteRefused(_cannot_write(error), name) from None


def _cannot_write(error: OSError) -> str:
    return "cannot write {}: " + str(error.strerror or error).replace("{", "{{").replace("}", "}}")
