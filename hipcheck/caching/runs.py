"""Replay the result of an identical earlier run when none of its inputs changed.

A second run over unchanged content should cost little more than listing the files. Before the CLI
imports the engine, the rules or the models, it looks for the result of the same invocation (same
version, working directory, paths and date) and checks every input it recorded: each content file's
size, modification and change times and inode (trusted only when older than the record, as git does),
the files that could hold configuration (also the absent ones: a new `hipcheck.toml` counts), the
answer files the checks read (hipcheck.rules.registry.reads_outside), and the file listing of each
content root (every file's name, images and the like too, when a check looks files up there).
Anything different, and the run goes through the engine, which has its own caches. The record is in
the caches' one envelope in the user's cache folder (hipcheck.caching.files), read strictly: anything
of a doubtful shape means a real run.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import sys
import time
from pathlib import Path

from hipcheck import code_version
from hipcheck.caching.codec import Invalid, integer, items, mapping, run_result_in, run_result_out, text
from hipcheck.caching.files import (
    FORMAT,
    RACY_NS,
    Stat,
    envelope,
    folder_for,
    opened,
    prepare,
    prune,
    read_bounded,
    stat_of,
)
from hipcheck.discovery import walk
from hipcheck.file_listing import listing_digest
from hipcheck.file_writing import write_atomically
from hipcheck.run_result import RunResult

CONFIG_NAMES = ("hipcheck.toml", "pyproject.toml")


def _key(paths: list[str], cwd: Path, today: dt.date, options: tuple[str, ...]) -> str:
    given = [str((cwd / p).resolve()) for p in paths]
    parts = [str(FORMAT), code_version(), sys.version.split()[0], str(cwd), today.isoformat(), *options, "--", *given]
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()[:32]


def _file(cwd: Path, key: str) -> Path:
    return folder_for(cwd, "runs") / f"{key}.json"


def _listing(root: Path) -> str:
    names = "\n".join(relative for relative, _ in walk(root))
    return hashlib.blake2b(names.encode(), digest_size=16).hexdigest()


def replay(paths: list[str], cwd: Path, today: dt.date, options: tuple[str, ...] = ()) -> RunResult | None:
    """The recorded result if nothing it depended on changed; None otherwise (also for any record that
    is missing, torn, from another version or of a doubtful shape)."""
    key = _key(paths, cwd, today, options)
    try:
        record = mapping(opened(key, read_bounded(_file(cwd, key))))
        limit = integer(record.get("written_ns")) - RACY_NS
        for entry in items(record.get("inputs")):
            path, stat = items(entry, 2)
            now = stat_of(text(path))
            if (None if stat is None else tuple(integer(v) for v in items(stat, 4))) != now:
                return None
            if now is not None and max(now[1], now[2]) >= limit:
                return None
        for entry in items(record.get("roots")):
            root, listing, names = items(entry, 3)
            if _listing(Path(text(root))) != listing or (names and listing_digest(Path(text(root))) != names):
                return None
        return run_result_in(record.get("result"))
    except Invalid:
        return None


def remember(paths: list[str], cwd: Path, today: dt.date, result: RunResult, options: tuple[str, ...] = ()) -> None:
    """Record a finished run's result and everything it read (called after a full engine run)."""
    from hipcheck.config import load_config
    from hipcheck.engine import plan_targets
    from hipcheck.rules.registry import CHECKS  # the engine has registered every rule

    reads = [check.reads for check in CHECKS]
    inputs: dict[str, Stat | None] = {}
    roots: list[tuple[str, str, str]] = []
    for target in plan_targets(paths, cwd):
        root = target.root
        names = listing_digest(root) if any(r.listing for r in reads) else ""
        roots.append((str(root), _listing(root), names))
        for relative, _ in walk(root):
            full = os.path.join(root, relative)
            inputs[full] = stat_of(full)
        config = load_config(root)
        extra = {origin.rsplit(":", 1)[0] for origin in config.origins.values()}
        for folder in {root, cwd, *(cwd / p for p in paths)}:
            for directory in (folder, *folder.parents):
                for name in CONFIG_NAMES:
                    inputs[str(directory / name)] = stat_of(str(directory / name))
        answers = [str(root / r.cache(config)) for r in reads if r.cache is not None]
        for name in (*extra, str(root / config.online.cache), *answers):
            inputs[name] = stat_of(name)
    key = _key(paths, cwd, today, options)
    record = {
        "written_ns": time.time_ns(),
        "inputs": [[path, None if stat is None else list(stat)] for path, stat in sorted(inputs.items())],
        "roots": roots,
        "result": run_result_out(result),
    }
    target_file = _file(cwd, key)
    try:
        prepare(target_file.parent)
        write_atomically(target_file, envelope(key, record))
        prune(target_file.parent)  # records of other days and versions
    except (OSError, ValueError):
        pass  # an unwritable cache folder just never replays
