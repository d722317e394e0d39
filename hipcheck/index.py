"""The content index: every record of a content root, by kind and id, for cross-record rules."""

from __future__ import annotations

import os
from collections import defaultdict
from collections.abc import Callable
from functools import cached_property
from typing import Any, TypeVar, cast

from hipcheck.citations import Citation, find_citations
from hipcheck.loader.records import Record

T = TypeVar("T")

# The fields of an exercise that cross-record checks read. Exercises are the bulk of a content root, so
# after the per-file stage the index keeps only these (in worker replies, in the cache, in memory); the
# checks that need more (muscle roles, prose) run in the per-file stage.
# Prescription links and programme doses (hipcheck.rules.prescription_links, .programs) read the rest.
EXERCISE_INDEX_FIELDS = frozenset({"id", "references", "progression", "regression", "level", "unilateral", "dosage"})


class IndexFields(dict[str, Any]):
    """An exercise's fields as the index keeps them (EXERCISE_INDEX_FIELDS)."""

    __slots__ = ()

    def __reduce__(self) -> tuple[Any, ...]:
        return type(self), (dict(dict.items(self)),)


class CheckedIndexFields(IndexFields):
    """IndexFields that raise when a check asks for any other field (dropped, not missing). Used when
    HIPCHECK_CHECK_INDEX_FIELDS is set, as the test suite does: a cross-record check that reads more
    fails the tests instead of silently seeing nothing."""

    __slots__ = ()

    def _allowed(self, key: object) -> None:
        if key not in EXERCISE_INDEX_FIELDS:
            raise LookupError(f"cross-record checks see only {sorted(EXERCISE_INDEX_FIELDS)} of an exercise: {key!r}")

    def __getitem__(self, key: str) -> Any:
        self._allowed(key)
        return dict.__getitem__(self, key)

    def get(self, key: str, default: Any = None) -> Any:
        self._allowed(key)
        return dict.get(self, key, default)

    def __contains__(self, key: object) -> bool:
        self._allowed(key)
        return dict.__contains__(self, key)

    def _whole(self, *_: object) -> Any:
        raise LookupError("cross-record checks cannot list an exercise's fields: they see only some of them")

    __iter__ = keys = items = values = _whole


_INDEX_FIELDS = CheckedIndexFields if os.environ.get("HIPCHECK_CHECK_INDEX_FIELDS") else IndexFields


def index_facts(records: list[Record]) -> str:
    """What cross-record checks read of a file, when that is a single exercise's index fields (its prose
    needs nothing from them); "" otherwise. Equal facts, equal cross-record results elsewhere."""
    if len(records) != 1 or not isinstance(records[0].data, IndexFields):
        return ""
    record = records[0]
    return repr((record.kind, record.loaded, record.prefix, sorted(dict.items(record.data))))


def keep_index_fields(record: Record) -> None:
    """Drop an exercise's fields that no cross-record check reads (see EXERCISE_INDEX_FIELDS)."""
    if record.kind == "exercise" and record.loaded and not isinstance(record.data, IndexFields):
        data = record.data
        record.data = _INDEX_FIELDS({key: data[key] for key in EXERCISE_INDEX_FIELDS if key in data})


class ContentIndex:
    def __init__(self, records: list[Record], citations: dict[str, list[Citation]] | None = None) -> None:
        self.records = records
        self._memo: dict[str, object] = {}
        if citations is not None:
            self.citations = citations  # computed in the per-file stage (and cached with it)
        self.by_kind: dict[str, dict[str, list[Record]]] = defaultdict(lambda: defaultdict(list))
        for record in records:
            if record.id is not None:
                self.by_kind[record.kind][record.id].append(record)

    def replacing(
        self, records: list[Record], citations: dict[str, list[Citation]], old: list[Record], new: list[Record]
    ) -> ContentIndex | None:
        """The index of `records`, built from this one, in which `new` took the places of `old`: the
        same kinds and ids, in the same order (an edit that renames nothing). None otherwise: build it
        whole. This index is left as it is (another thread may be reading it)."""
        if len(old) != len(new) or any((a.kind, a.id) != (b.kind, b.id) for a, b in zip(old, new, strict=True)):
            return None
        patched = ContentIndex([], citations)
        patched.records = records
        by_kind: dict[str, dict[str, list[Record]]] = defaultdict(lambda: defaultdict(list))
        by_kind.update(self.by_kind)
        copied: set[str] = set()
        for before, after in zip(old, new, strict=True):
            if after.id is None:
                continue
            if after.kind not in copied:  # copy on write: the kinds an edit touched, one level deep
                by_kind[after.kind] = defaultdict(list, by_kind[after.kind])
                copied.add(after.kind)
            same = by_kind[after.kind][after.id]
            by_kind[after.kind][after.id] = [after if r is before else r for r in same]
        patched.by_kind = by_kind
        return patched

    def scoped(self, records: list[Record]) -> ContentIndex:
        """An index that iterates only `records` but looks ids up in this whole index."""
        view = ContentIndex([], {})  # its tables are this index's: none built for the view
        view.records = records
        view.by_kind = self.by_kind
        return view

    def memo(self, key: str, compute: Callable[[ContentIndex], T]) -> T:
        """A value derived from the whole index, computed once however many rules ask for it."""
        if key not in self._memo:
            self._memo[key] = compute(self)
        return cast(T, self._memo[key])

    def has(self, kind: str, record_id: str) -> bool:
        return record_id in self.by_kind.get(kind, {})

    def get(self, kind: str, record_id: str) -> Record | None:
        found = self.by_kind.get(kind, {}).get(record_id)
        return found[0] if found else None

    def ids(self, kind: str) -> list[str]:
        """The ids of a kind, sorted (computed once: did-you-mean suggestions ask for them per finding)."""
        return self.memo(f"ids:{kind}", lambda index: sorted(index.by_kind.get(kind, {})))

    def of_kind(self, kind: str) -> list[Record]:
        return self._by_kind_list.get(kind, [])

    @cached_property
    def _by_kind_list(self) -> dict[str, list[Record]]:
        lists: dict[str, list[Record]] = defaultdict(list)
        for record in self.records:
            lists[record.kind].append(record)
        return lists

    @cached_property
    def citations(self) -> dict[str, list[Citation]]:
        """Citations in each article body, by article path."""
        return {r.path: find_citations(r.body, r.body_offset) for r in self.records if r.kind == "article"}
