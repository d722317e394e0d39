"""The names of the files under a content root, as one digest: cross-record checks that look files up
(relative links, images) give other results when a file appears or goes, though no content file changed."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

MAX_NAMES = 1_000_000  # files listed; past this the digest stands for "too many to list" (never reused)


def listing_digest(root: Path) -> str:
    """A digest of every non-hidden file and folder name under `root` (symbolic links not followed)."""
    names: list[str] = []
    top = str(root)
    for folder, subfolders, files in os.walk(top):
        subfolders[:] = [name for name in subfolders if not name.startswith(".")]
        relative = os.path.relpath(folder, top)
        names.extend(os.path.join(relative, name) for name in files + subfolders if not name.startswith("."))
        if len(names) > MAX_NAMES:
            return os.urandom(16).hex()  # too many to list: a value no later run repeats, so nothing is reused
    return hashlib.sha256("\n".join(sorted(names)).encode("utf-8", "surrogateescape")).hexdigest()
