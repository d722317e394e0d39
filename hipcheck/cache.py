"""The result cache in `.hipcheck_cache/`: per-file results keyed by content, settings and version.

Two files per content root and settings: a small summary (each file's digest, per-file diagnostics
and suppressions, and the cross-record diagnostics of the last run with the digests they came from)
and the records themselves. A run with nothing changed reads only the summary; a run with a change
re-reads the changed files and recomputes cross-record checks from the cached records, without
re-parsing the rest. Files are written whole to a temporary name and renamed, so processes running
at once (pre-commit) never see a torn cache: the last writer wins, every reader sees a complete file.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hipcheck import code_version
from hipcheck.diagnostics import Diagnostic
from hipcheck.stages import FileResult, RunSettings

CACHE_DIR = ".hipcheck_cache"
FORMAT = 6  # bump when what is pickled changes shape


RACY_NS = 2_000_000_000  # a file changed this close to the cache write may share its mtime with the old bytes


Stats = dict[str, tuple[int, int]]  # display path -> (size, mtime_ns)


def unchanged_files(summary: Summary, files: list[tuple[str, str]]) -> tuple[dict[str, str], Stats]:
    """For (display path, file path) pairs: the digests the cache may be trusted for, and every file's
    (size, mtime). Trusted: size and mtime unchanged, and the file older than the cache by RACY_NS (as
    git's index does). The per-file stage reads and digests the rest, and finds touched files unchanged."""
    trusted: dict[str, str] = {}
    stats: Stats = {}
    known_digests, known_stats, before = summary.digests, summary.stats, summary.written_ns - RACY_NS
    stat_of = os.stat
    for display, path in files:  # a hundred thousand files: kept lean
        try:
            status = stat_of(path)
        except OSError:
            continue
        stat = stats[display] = (status.st_size, status.st_mtime_ns)
        known = known_digests.get(display)
        if known and known_stats.get(display) == stat and status.st_mtime_ns < before:
            trusted[display] = known
    return trusted, stats


def settings_key(settings: RunSettings, root: Path, cwd: Path) -> str:
    """Anything that can change a per-file result: version, configuration, rules, today, paths."""
    parts = [
        str(FORMAT),
        code_version(),
        sys.version.split()[0],
        str(root),
        str(cwd),  # diagnostics carry paths relative to it
        settings.config.model_dump_json(by_alias=True),
        ",".join(sorted(settings.enabled)),
        settings.today.isoformat(),
        settings.vocabulary_key,  # exercises' prose screens depend on the muscle records
    ]
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()[:32]


@dataclass
class Summary:
    digests: dict[str, str] = field(default_factory=dict)  # display path -> content digest
    stats: dict[str, tuple[int, int]] = field(default_factory=dict)  # display path -> (size, mtime_ns)
    written_ns: int = 0  # when this summary was written
    results: dict[str, FileResult] = field(default_factory=dict)  # non-empty ones only; records left out
    index_key: str = ""  # digest of every file digest (and online state) the cross-record results used
    index_diagnostics: list[Diagnostic] = field(default_factory=list)
    index_errors: list[str] = field(default_factory=list)
    outside: str = ""  # the state of inputs besides content files that those results used ("": never reuse)
    facts: dict[str, str] = field(default_factory=dict)  # display path -> what cross-record checks read of it


class ResultCache:
    def __init__(self, directory: Path, key: str) -> None:
        self.directory = directory
        self.summary_path = directory / f"{key}.summary.pickle"
        self.records_path = directory / f"{key}.records.pickle"
        self.delta_path = directory / f"{key}.delta.pickle"

    @classmethod
    def for_root(cls, base: Path, key: str) -> ResultCache:
        return cls(base / CACHE_DIR, key)

    def load_summary(self) -> Summary:
        loaded = _load(self.summary_path)
        return loaded if isinstance(loaded, Summary) else Summary()

    def load_records(self) -> dict[str, Any]:
        """Records by display path: the full file, overlaid with the delta of later small changes."""
        records = _load_chunks(self.records_path)
        delta = _load(self.delta_path)
        if records and isinstance(delta, dict):
            records.update(delta)
        return records

    def save(
        self, summary: Summary, records: dict[str, Any] | None, changed: set[str], *, only_changed: bool = False
    ) -> None:
        """Write the summary, and the records: only the `changed` ones (a delta) when they are few.

        With `only_changed`, `records` holds just the changed files' records (the caller checked
        `delta_has_room`); should the delta have grown meanwhile (another process), the records file is
        removed rather than rewritten from a part: the next run redoes the files it lacks.
        """
        try:
            self._prepare()
            if records is not None:
                for file_records in records.values():
                    for record in file_records:
                        record.drop_text()  # the bytes are on disk under the same digest
                delta = _load(self.delta_path) if self.records_path.exists() else None
                delta = delta if isinstance(delta, dict) else {}
                delta.update({path: records[path] for path in changed if path in records})
                total = len(summary.digests) if only_changed else len(records)
                if self.records_path.exists() and len(delta) <= _delta_limit(total):
                    _dump(delta, self.delta_path)
                elif only_changed:
                    self.records_path.unlink(missing_ok=True)
                    self.delta_path.unlink(missing_ok=True)
                else:
                    _dump_chunks(records, self.records_path)
                    self.delta_path.unlink(missing_ok=True)
            summary.written_ns = time.time_ns()
            _dump(summary, self.summary_path)
        except OSError:
            pass  # a read-only checkout still gets its results, just not faster next time

    def delta_has_room(self, changed: set[str], total: int) -> bool:
        """Whether the records of `changed` files can go into the delta, leaving the records file as it is."""
        if not self.records_path.exists():
            return False
        delta = _load(self.delta_path)
        return len(changed.union(delta if isinstance(delta, dict) else ())) <= _delta_limit(total)

    def _prepare(self) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        ignore = self.directory / ".gitignore"
        if not ignore.exists():
            ignore.write_text("# Created by hipcheck: this folder is a cache.\n*\n", encoding="utf-8")
            (self.directory / "CACHEDIR.TAG").write_text(
                "Signature: 8a477f597d28d172789f06886806bc55\n# hipcheck result cache\n", encoding="utf-8"
            )


def _load(path: Path) -> Any:
    try:
        with path.open("rb") as stream:
            return pickle.load(stream)
    except (OSError, EOFError, pickle.UnpicklingError, AttributeError, ImportError, ValueError, TypeError):
        return None  # missing, torn by a crash, or from another version: start afresh


def _delta_limit(total: int) -> int:
    """Most files the delta holds before the records file is written whole again."""
    return max(50, total // 20)


CHUNK = 2000  # records per pickle frame: pickle remembers every object of a frame until it ends


def _dump_chunks(records: dict[str, Any], path: Path) -> None:
    """Write `records` as a series of pickled dicts, so writing 100,000 records needs no more memory
    than writing 2,000."""
    items = list(records.items())
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as stream:
            for start in range(0, len(items), CHUNK):
                pickle.dump(dict(items[start : start + CHUNK]), stream, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _load_chunks(path: Path) -> dict[str, Any]:
    records: dict[str, Any] = {}
    try:
        with path.open("rb") as stream:
            while True:
                try:
                    chunk = pickle.load(stream)
                except EOFError:
                    return records
                if not isinstance(chunk, dict):
                    return {}
                records.update(chunk)
    except (OSError, pickle.UnpicklingError, AttributeError, ImportError, ValueError, TypeError):
        return {}  # missing, torn, or from another version: the engine re-reads what it lacks


def _dump(value: Any, path: Path) -> None:
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as stream:
            pickle.dump(value, stream, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
