"""Where hipcheck's caches live, and how their files are read and written.

All caches live in the user's cache folder (`HIPCHECK_CACHE_DIR`, else the platform's, such as
`~/.cache/hipcheck`), never in the checked folder, which a pull request controls; the folder is chosen
by the environment only, never by configuration, which the checked repository provides. Files are
read with a size bound and written whole under a temporary name, then renamed: a reader sees the old
file or the new one, never a torn one.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import time
from pathlib import Path

from hipcheck.cache_codec import Invalid

MAX_CACHE_BYTES = 1 << 30  # a larger cache file is not read (100,000 records take about 60 MB)
PRUNE_AFTER_S = 7 * 86_400  # cache files unused this long (yesterday's dates, older versions) are removed

Stat = tuple[int, int, int, int]  # size, mtime_ns, ctime_ns, inode


def cache_home() -> Path:
    """The folder all of hipcheck's caches live in: `HIPCHECK_CACHE_DIR`, else the user cache folder."""
    configured = os.environ.get("HIPCHECK_CACHE_DIR")
    if configured:
        return Path(configured).expanduser().resolve()
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("hipcheck", appauthor=False))


def folder_for(root: Path, purpose: str) -> Path:
    """A content root's own cache folder: named by a digest of its absolute path."""
    name = hashlib.sha256(str(root.resolve()).encode()).hexdigest()[:24]
    return cache_home() / purpose / name


def stat_of(path: str) -> Stat | None:
    """What a file's metadata says of its bytes. The change time and inode are in it as in git's index:
    `cp -p`, `rsync -t` and `tar` keep size and mtime but cannot keep the ctime, so a same-size
    rewrite with an old mtime is still seen."""
    try:
        status = os.stat(path)
    except OSError:
        return None
    return status.st_size, status.st_mtime_ns, status.st_ctime_ns, status.st_ino


def read_bounded(path: Path) -> bytes:
    try:
        with path.open("rb") as stream:
            data = stream.read(MAX_CACHE_BYTES + 1)
    except OSError:
        raise Invalid("unreadable") from None
    if len(data) > MAX_CACHE_BYTES:
        raise Invalid("too large")
    return data


def write_whole(path: Path, content: str) -> None:
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(content)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def prune(directory: Path) -> None:
    """Remove this root's cache files that no run has written for PRUNE_AFTER_S (yesterday's settings)."""
    horizon = time.time() - PRUNE_AFTER_S
    for path in directory.iterdir():
        try:
            if path.stat().st_mtime < horizon:
                path.unlink()
        except OSError:
            pass
