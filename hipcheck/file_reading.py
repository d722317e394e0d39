"""Reading a file hipcheck did not write itself: at most a limit (MAX_FILE_BYTES for a content file),
and only a regular file.

Kept apart from the loader so that light callers (the reporters' excerpts, on the fast path that
replays a cached run) and the caches read files under the same rules without importing the YAML
machinery.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path as FsPath

# The largest content file read. Records are a few KiB and long articles a few dozen; past this a file is
# one HC006, and no scanner sees it. Reading stops here too, so `/dev/zero` behind a link ends.
MAX_FILE_BYTES = 4 * 1024 * 1024
TOO_LARGE = f"file too large: over {MAX_FILE_BYTES // (1024 * 1024)} MiB, the limit for a content file"


class FileTooLarge(OSError):
    """A file over its limit (an OSError: callers that read files already handle those)."""


def read_bytes(path: FsPath | str, limit: int = MAX_FILE_BYTES) -> bytes:
    """A file's bytes, at most `limit` of them (FileTooLarge past it). For the small files of a content root `open()`'s
    buffered file object costs more than the reading; the system calls alone take half the time.
    Opened without blocking and refused unless a regular file: a FIFO or device (behind a symbolic
    link in a pull request) would block or never end."""
    descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_BINARY", 0) | getattr(os, "O_NONBLOCK", 0))
    try:
        if not stat.S_ISREG(os.fstat(descriptor).st_mode):
            raise OSError(0, "not a regular file", str(path))
        chunks, size = [], 0
        step = 1 << 16 if limit <= MAX_FILE_BYTES else 1 << 22  # small reads for small files, few for caches
        while size <= limit and (chunk := os.read(descriptor, step)):
            chunks.append(chunk)
            size += len(chunk)
        if size > limit:
            raise FileTooLarge(0, TOO_LARGE if limit == MAX_FILE_BYTES else f"over {limit:,} bytes", str(path))
        return b"".join(chunks)
    finally:
        os.close(descriptor)
