"""Re-running only the cross-record checks an edit can change (the editor's workspace).

A cross-record check is a function of what it reads of the index, the per-file notes and the outside
answers. While it runs it sees the index through `TrackedIndex`, which records the kinds of records it
read (`*`: all of them, as when it iterates every record or reads the notes). After an edit that
changed only files of some kinds (no file added or removed, no muscle record, no outside input), a
check that read none of those kinds would read exactly what it read before, so it finds exactly what it
found: `CheckMemo` replays its findings instead of running it. A check that read a changed kind, or
anything it cannot name, runs again. This holds whatever the check does, as long as it reads records
only through the index it is given (the checks of `hipcheck.rules` do; tests/test_editor_support.py
compares the result with a full run after random edits).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from hipcheck.diagnostics import Diagnostic
from hipcheck.index import ContentIndex
from hipcheck.loader.records import Record
from hipcheck.muscle_vocabulary import Vocabulary

T = TypeVar("T")
EVERYTHING = "*"


class _TrackedKinds(Mapping[str, dict[str, list[Record]]]):
    """`index.by_kind`, recording the kinds looked up (iterating it reads every kind)."""

    def __init__(self, kinds: Mapping[str, dict[str, list[Record]]], read: set[str]) -> None:
        self._kinds = kinds
        self._read = read

    def __getitem__(self, kind: str) -> dict[str, list[Record]]:
        self._read.add(kind)
        return self._kinds[kind]

    def get(self, kind: str, default: Any = None) -> Any:
        self._read.add(kind)
        return self._kinds.get(kind, default)

    def __contains__(self, kind: object) -> bool:
        self._read.add(str(kind))
        return kind in self._kinds

    def __iter__(self) -> Iterator[str]:
        self._read.add(EVERYTHING)
        return iter(self._kinds)

    def __len__(self) -> int:
        self._read.add(EVERYTHING)
        return len(self._kinds)


class TrackedIndex(ContentIndex):
    """A view of an index that records which kinds of records a check read."""

    def __init__(self, base: ContentIndex, read: set[str], kinds: frozenset[str] | None = None) -> None:
        """`kinds`: the kinds of the records `base` iterates, when it is a view of some (None: all)."""
        self._base = base
        self._read = read
        self._kinds = kinds

    @property
    def records(self) -> list[Record]:  # type: ignore[override]
        self._read.update(self._kinds if self._kinds is not None else (EVERYTHING,))
        return self._base.records

    @property
    def by_kind(self) -> Any:  # type: ignore[override]
        return _TrackedKinds(self._base.by_kind, self._read)

    @property
    def citations(self) -> Any:
        self._read.add("article")
        return self._base.citations

    def scoped(self, records: list[Record]) -> ContentIndex:
        self._read.add(EVERYTHING)
        return self._base.scoped(records)

    def memo(self, key: str, compute: Callable[[ContentIndex], T]) -> T:
        """The base index's memo, with the kinds its computation read (recorded once, replayed on hits)."""
        reads: dict[str, set[str]] = self._base.__dict__.setdefault("_memo_reads", {})
        if key not in reads and key in self._base._memo:  # computed untracked: what it read is unknown
            reads[key] = {EVERYTHING}
        if key not in reads:
            inner: set[str] = set()
            value = self._base.memo(key, lambda _: compute(TrackedIndex(self._base, inner)))
            reads[key] = inner
            self._read |= inner
            return value
        self._read |= reads[key]
        return self._base.memo(key, compute)

    def has(self, kind: str, record_id: str) -> bool:
        self._read.add(kind)
        return self._base.has(kind, record_id)

    def get(self, kind: str, record_id: str) -> Record | None:
        self._read.add(kind)
        return self._base.get(kind, record_id)

    def ids(self, kind: str) -> list[str]:
        self._read.add(kind)
        return self._base.ids(kind)

    def of_kind(self, kind: str) -> list[Record]:
        self._read.add(kind)
        return self._base.of_kind(kind)

    # The same index for tables keyed by index (the muscle vocabulary built for it, its options). The
    # vocabulary is read this way, unrecorded: a muscle record's edit re-plans the whole workspace.
    def __eq__(self, other: object) -> bool:
        return self._base is (other._base if isinstance(other, TrackedIndex) else other)

    def __hash__(self) -> int:
        return hash(self._base)

    def __getattr__(self, name: str) -> Any:  # anything else (a vocabulary cached on the index): all of it
        self._read.add(EVERYTHING)
        return getattr(self._base, name)


class TrackedNotes(Mapping[str, Mapping[str, Any]]):
    """The per-file passes' notes: reading any of them counts as reading every kind."""

    def __init__(self, notes: Mapping[str, Mapping[str, Any]], read: set[str]) -> None:
        self._notes = notes
        self._read = read

    def __getitem__(self, name: str) -> Mapping[str, Any]:
        self._read.add(EVERYTHING)
        return self._notes[name]

    def __iter__(self) -> Iterator[str]:
        self._read.add(EVERYTHING)
        return iter(self._notes)

    def __len__(self) -> int:
        self._read.add(EVERYTHING)
        return len(self._notes)


@dataclass
class Remembered:
    read: set[str]
    diagnostics: list[Diagnostic]
    internal_errors: list[str]


@dataclass
class CheckMemo:
    """What each cross-record check read and found in the last run, and which kinds changed since.
    `changed` None: anything may have changed (the first run, a reload): every check runs."""

    changed: set[str] | None = None
    remembered: dict[int, Remembered] = field(default_factory=dict)  # by the check's place in CHECKS
    replayed: int = 0  # checks replayed in the last run (for tests and the benchmark)
    index: ContentIndex | None = None  # the index of the last run
    vocabulary: Vocabulary | None = None  # its muscle vocabulary: kept while no muscle record changes
    # The records an edit replaced (before, after): the next index is patched from the last one.
    replaced: tuple[list[Record], list[Record]] | None = None

    def replay(self, key: int) -> Remembered | None:
        found = self.remembered.get(key)
        if found is None or self.changed is None or EVERYTHING in found.read or found.read & self.changed:
            return None
        return found


def carry_memos(old: ContentIndex, new: ContentIndex, changed: set[str]) -> None:
    """Give `new` (patched from `old` after an edit of the `changed` kinds) the values `old` derived,
    through a tracked view, from kinds that did not change: the same inputs, the same values."""
    reads: dict[str, set[str]] = old.__dict__.get("_memo_reads", {})
    kept = {k: r for k, r in reads.items() if EVERYTHING not in r and not r & changed and k in old._memo}
    new._memo.update((k, old._memo[k]) for k in kept)
    new.__dict__["_memo_reads"] = dict(kept)
