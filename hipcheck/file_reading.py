"""Reading a content file: at most MAX_FILE_BYTES, and only a regular file.

Kept apart from the loader so that light callers (the reporters' excerpts, on the fast path that
replays a cached run) read files under the same limits without importing the YAML machinery.
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
    """A content file over MAX_FILE_BYTES (an OSError: callers that read files already handle those)."""


def read_bytes(path: FsPath | str) -> bytes:
    """A file's bytes, at most MAX_FILE_BYTES of them. For the small files of a content root `open()`'s
    buffered file object costs more than the reading; the system calls alone take half the time.
    Opened without blocking and refused unless a regular file: a FIFO or device (behind a symbolic
    link in a pull request) would block or never end."""
    descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_BINARY", 0) | getattr(os, "O_NONBLOCK", 0))
    try:
        if not stat.S_ISREG(os.fstat(descriptor).st_mode):
            raise OSError(0, "not a regular file", str(path))
        chunks, size = [], 0
        while size <= MAX_FILE_BYTES and (chunk := os.read(descriptor, 1 << 16)):
            chunks.append(chunk)
            size += len(chunk)
        if size > MAX_FILE_BYTES:
            raise FileTooLarge(0, TOO_LARGE, str(path))
        return b"".join(chunks)
    finally:
        os.close(descriptor)
