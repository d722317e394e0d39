"""Replay the result of an identical earlier run when none of its inputs changed.

A second run over unchanged content should cost little more than listing the files. Before the CLI
imports the engine, the rules or the models, it looks for the result of the same invocation (same
version, working directory, paths and date) and checks every input it recorded: each content file's
size and modification time (trusted only when older than the record, as git does), the files that
could hold configuration (also the absent ones: a new `hipcheck.toml` counts), and the file listing of
each content root. Anything different, and the run goes through the engine, which has its own caches.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import pickle
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from hipcheck import code_version
from hipcheck.discovery import walk
from hipcheck.result import RunResult

CACHE_DIR = ".hipcheck_cache"
RACY_NS = 2_000_000_000
FORMAT = 1
CONFIG_NAMES = ("hipcheck.toml", "pyproject.toml")

Stat = tuple[int, int] | None


def _key(paths: list[str], cwd: Path, today: dt.date, options: tuple[str, ...]) -> str:
    given = [str((cwd / p).resolve()) for p in paths]
    parts = [str(FORMAT), code_version(), sys.version.split()[0], str(cwd), today.isoformat(), *options, "--", *given]
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()[:32]


def _file(cwd: Path, key: str) -> Path:
    return cwd / CACHE_DIR / f"run-{key}.pickle"


def _stat(path: str) -> Stat:
    try:
        status = os.stat(path)
    except OSError:
        return None
    return status.st_size, status.st_mtime_ns


def _listing(root: Path) -> str:
    names = "\n".join(relative for relative, _ in walk(root))
    return hashlib.blake2b(names.encode(), digest_size=16).hexdigest()


def replay(paths: list[str], cwd: Path, today: dt.date, options: tuple[str, ...] = ()) -> RunResult | None:
    """The recorded result if nothing it depended on changed; None otherwise."""
    try:
        with _file(cwd, _key(paths, cwd, today, options)).open("rb") as stream:
            record: dict[str, Any] = pickle.load(stream)
    except Exception:  # missing, torn, or from another version: do the real run
        return None
    limit = record["written_ns"] - RACY_NS
    for path, stat in record["inputs"]:
        now = _stat(path)
        if now != stat or (now is not None and now[1] >= limit):
            return None
    if any(_listing(Path(root)) != listing for root, listing in record["roots"]):
        return None
    result: RunResult = record["result"]
    return result


def remember(paths: list[str], cwd: Path, today: dt.date, result: RunResult, options: tuple[str, ...] = ()) -> None:
    """Record a finished run's result and everything it read (called after a full engine run)."""
    from hipcheck.config import load_config
    from hipcheck.engine import plan_targets

    inputs: dict[str, Stat] = {}
    roots: list[tuple[str, str]] = []
    for target in plan_targets(paths, cwd):
        root = target.root
        roots.append((str(root), _listing(root)))
        for relative, _ in walk(root):
            full = os.path.join(root, relative)
            inputs[full] = _stat(full)
        config = load_config(root)
        extra = {origin.rsplit(":", 1)[0] for origin in config.origins.values()}
        for folder in {root, cwd, *(cwd / p for p in paths)}:
            for directory in (folder, *folder.parents):
                for name in CONFIG_NAMES:
                    inputs[str(directory / name)] = _stat(str(directory / name))
        for name in (*extra, str(root / config.online.cache)):
            inputs[name] = _stat(name)
    record = {"written_ns": time.time_ns(), "inputs": sorted(inputs.items()), "roots": roots, "result": result}
    target_file = _file(cwd, _key(paths, cwd, today, options))
    try:
        target_file.parent.mkdir(parents=True, exist_ok=True)
        ignore = target_file.parent / ".gitignore"
        if not ignore.exists():
            ignore.write_text("# Created by hipcheck: this folder is a cache.\n*\n", encoding="utf-8")
        handle, temporary = tempfile.mkstemp(dir=target_file.parent, prefix=".run-", suffix=".tmp")
        with os.fdopen(handle, "wb") as stream:
            pickle.dump(record, stream, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(temporary, target_file)
    except OSError:
        pass  # a read-only working directory just never replays
