"""A content root kept in memory for an editor: every file's per-file results and records, the unsaved
text of open documents, and the findings of the whole root, updated file by file.

The pipeline is the engine's (plan -> per-file stage -> index and cross-record stage -> suppress);
what the workspace adds is that a change re-runs the per-file stage only where it can change a
result — the changed file, or every file when a muscle record changes, since the per-file stage reads
the muscle vocabulary — and then the cross-record stage over the records it holds. No cache is read or
written: unsaved text must never reach `.hipcheck_cache/`.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from hipcheck.diagnostics import Diagnostic
from hipcheck.engine import (
    CrossRecordResults,
    PerFileResults,
    Plan,
    cross_record_stage,
    plan_run,
    process_planned,
    suppress,
)
from hipcheck.incremental import CheckMemo
from hipcheck.index import ContentIndex
from hipcheck.loader.records import Record, kind_of
from hipcheck.muscle_vocabulary import Vocabulary, vocabulary_for
from hipcheck.stages import FileResult, Todo
from hipcheck.targets import Target


@dataclass(frozen=True)
class Snapshot:
    """The records and vocabulary of the last completed check: what hover and completion read, while
    the next check may be running (it builds a new snapshot and swaps it in whole)."""

    index: ContentIndex
    vocabulary: Vocabulary


class Workspace:
    """One content root. Not thread-safe: one caller at a time changes it (the server's check thread);
    `snapshot` and `state` (findings and the text they came from) are replaced whole, so other threads
    may read them."""

    def __init__(self, root: Path, *, today: dt.date | None = None, jobs: int | None = None) -> None:
        self.root = root.resolve()
        self.today = today
        self.jobs = jobs if jobs is not None else (os.cpu_count() or 1)
        self.unsaved: dict[Path, bytes] = {}  # open documents' text, by absolute path
        # The root's findings by absolute path, and the unsaved text they were computed from: replaced as
        # one pair when a check ends, so a reader in another thread never pairs new text with old findings.
        self.state: tuple[dict[Path, list[Diagnostic]], dict[Path, bytes]] = ({}, {})
        self.internal_errors: list[str] = []
        self.plan: Plan
        self.memo = CheckMemo()  # what each cross-record check read and found: replayed when an edit cannot change it
        self.results: dict[str, FileResult] = {}  # display path -> the per-file stage's result
        self.by_path: dict[str, FileResult] = {}  # those with something to say
        self.records_by_path: dict[str, list[Record]] = {}
        self.snapshot: Snapshot
        self.reload()

    # --- changes ----------------------------------------------------------------------------------

    def reload(self) -> set[Path]:
        """Everything from scratch: the configuration, the file list, every file (a configuration file
        changed, or many files did, as in a git checkout). Returns the files whose findings changed."""
        self.plan = self._plan()
        self.memo.changed = None  # everything may have changed
        plan = self.plan
        todo = [(plan.displays[d], kind, d, "") for d, (_, kind) in zip(plan.displays, plan.files, strict=True)]
        self.results = {r.path: r for r in process_planned(todo, self.plan, self.jobs)}
        # What the cross-record stage reads of them, kept up to date file by file from here on.
        self.by_path = {d: r for d, r in self.results.items() if not r.is_empty}
        self.records_by_path = {d: r.records for d, r in self.results.items()}
        self.memo.replaced = None
        return self._cross_record()

    def update(self, changes: Iterable[tuple[Path, bytes | None]], *, reload: bool = False) -> set[Path]:
        """Files changed: (absolute path, the editor's unsaved text, or None to read the disk). A file
        that is no longer there is dropped; one not yet known is added. `reload`: and the configuration
        may have changed. Returns the files whose findings changed (those of other files too: a record
        that cites the changed one)."""
        touched: list[Path] = []
        outside = False  # a file under the root that is no record: an image, a link's target, an answer cache
        for path, text in changes:
            path = path.resolve()
            if text is None:
                self.unsaved.pop(path, None)
            else:
                self.unsaved[path] = text
            if kind_of(path, self.root) is not None:
                touched.append(path)
            elif self.root in path.parents:
                outside = True
        if reload:
            return self.reload()
        if not touched:
            if not outside:
                return set()
            self.memo.changed = None  # link and answer checks read such files: run every check
            return self._cross_record()
        if any(kind_of(p, self.root) == "muscle" for p in touched) or self._file_list_changed(touched):
            # The per-file stage of every file reads the muscle vocabulary; a new or removed file
            # changes the listing that link checks read: plan again, keep nothing.
            return self.reload()
        self.plan.overlays = {str(p): t for p, t in self.unsaved.items()}
        # A non-record file changed too: the checks that read files under the root must run again.
        self.memo.changed = None if outside else {kind_of(p, self.root) or "" for p in touched}
        todo: Todo = []
        for path in touched:
            display = path.relative_to(self.root).as_posix()
            todo.append((str(path), kind_of(path, self.root) or "", display, ""))
        before: list[Record] = []
        after: list[Record] = []
        for result in process_planned(todo, self.plan, 1):
            before += self.results[result.path].records
            after += result.records
            self.results[result.path] = result
            self.records_by_path[result.path] = result.records
            if result.is_empty:
                self.by_path.pop(result.path, None)
            else:
                self.by_path[result.path] = result
        self.memo.replaced = (before, after)
        return self._cross_record()

    # --- what it knows ----------------------------------------------------------------------------

    @property
    def findings(self) -> dict[Path, list[Diagnostic]]:
        return self.state[0]

    def findings_for(self, path: Path) -> list[Diagnostic]:
        return self.findings.get(path.resolve(), [])

    def findings_and_text(self, path: Path) -> tuple[list[Diagnostic], str | None]:
        """A file's findings and the text they were computed from, from one state."""
        findings, checked = self.state
        path = path.resolve()
        return findings.get(path, []), self._text(path, checked)

    def text_of(self, path: Path) -> str | None:
        """The file's text as the findings were computed from it (unsaved, else the disk's)."""
        return self._text(path.resolve(), self.state[1])

    @staticmethod
    def _text(path: Path, checked: dict[Path, bytes]) -> str | None:
        from hipcheck.file_reading import read_bytes

        raw = checked.get(path)
        if raw is None:
            try:
                raw = read_bytes(path)
            except OSError:
                return None
        return raw.decode("utf-8-sig", "replace")

    # --- the pipeline -----------------------------------------------------------------------------

    def _plan(self) -> Plan:
        when = self.today or dt.date.today()
        target = Target(self.root)
        return plan_run(target, self.root, when, None, None, online=False, cache=False, overlays=self.unsaved)

    def _file_list_changed(self, touched: list[Path]) -> bool:
        for path in touched:
            display = path.relative_to(self.root).as_posix()
            there = path in self.unsaved or path.is_file()
            if there != (display in self.plan.displays):
                return True
        return False

    def _cross_record(self) -> set[Path]:
        plan = self.plan
        checked = dict(self.unsaved)
        by_path, records_by_path = self.by_path, self.records_by_path
        files = PerFileResults({}, {}, {}, by_path)  # suppress reads only what files say
        late, errors = cross_record_stage(by_path, records_by_path, plan.settings, plan, False, self.memo)
        cross = CrossRecordResults(late, errors, "", "", False, False, records_by_path)
        kept = suppress(plan, files, cross)
        found: dict[Path, list[Diagnostic]] = {}
        for diagnostic in sorted(kept, key=lambda d: d.sort_key):
            found.setdefault(self.root / diagnostic.path, []).append(diagnostic)
        changed = {p for p in found.keys() | self.findings.keys() if found.get(p) != self.findings.get(p)}
        self.state = (found, checked)
        self.internal_errors = [e for r in by_path.values() for e in r.internal_errors] + errors
        assert self.memo.index is not None
        self.snapshot = Snapshot(self.memo.index, vocabulary_for(self.memo.index))
        return changed
