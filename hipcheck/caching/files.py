"""Where the user-folder caches live, and the one envelope their files share.

The results cache and the run records live in the user's cache folder (`HIPCHECK_CACHE_DIR`, else
the platform's, such as `~/.cache/hipcheck`), never in the checked folder, which a pull request
controls; the folder is chosen by the environment only, never by configuration, which the checked
repository provides. Every file is one JSON envelope `{"hipcheck-cache": FORMAT, "key": ..., "body":
...}` (hipcheck.caching.codec), read with a size bound and written whole under a temporary name, then
renamed (hipcheck.file_writing): a reader sees the old file or the new one, never a torn one.
"""

from __future__ import annotations

import hashlib
import os
import time
from pathlib import Path
from typing import Any

from hipcheck.caching.codec import Invalid, dumps, loads, mapping
from hipcheck.file_reading import read_bytes

FORMAT = 12  # of every user-folder cache file; bump when what any of them stores changes shape
RACY_NS = 2_000_000_000  # a file changed this close to a cache write may share its mtime with the old bytes
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
    """A cache file's bytes, or Invalid when it is missing, unreadable, not a regular file or larger
    than any hipcheck writes."""
    try:
        return read_bytes(path, MAX_CACHE_BYTES)
    except OSError:  # FileTooLarge among them
        raise Invalid("unreadable or too large") from None


def prune(directory: Path) -> None:
    """Remove this root's cache files that no run has written for PRUNE_AFTER_S (yesterday's settings)."""
    horizon = time.time() - PRUNE_AFTER_S
    for path in directory.iterdir():
        try:
            if path.stat().st_mtime < horizon:
                path.unlink()
        except OSError:
            pass


def envelope(key: str, body: Any) -> str:
    """A cache file's text: the body, with the format and key it was written for."""
    return dumps({"hipcheck-cache": FORMAT, "key": key, "body": body})


def opened(key: str, data: bytes) -> Any:
    """The body of a cache file written for `key` by this format, or Invalid."""
    document = mapping(loads(data))
    if document.get("hipcheck-cache") != FORMAT or document.get("key") != key:
        raise Invalid("another format or key")
    return document.get("body")


def prepare(directory: Path) -> None:
    """Create a cache folder, and tag the cache home so backup tools skip it (https://bford.info/cachedir/)."""
    directory.mkdir(parents=True, exist_ok=True)
    tag = cache_home() / "CACHEDIR.TAG"
    if not tag.exists():
        tag.write_text("Signature: 8a477f597d28d172789f06886806bc55\n# hipcheck cache\n", encoding="utf-8")
