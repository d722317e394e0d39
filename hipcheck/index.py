"""The content index: every record of a content root, by kind and id, for cross-record rules."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from functools import cached_property
from typing import TypeVar

from hipcheck.citations import Citation, find_citations
from hipcheck.loader.records import Record

T = TypeVar("T")


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

    def scoped(self, records: list[Record]) -> ContentIndex:
        """An index that iterates only `records` but looks ids up in this whole index."""
        view = ContentIndex(records, {})
        view.by_kind = self.by_kind
        return view

    def memo(self, key: str, compute: Callable[[ContentIndex], T]) -> T:
        """A value derived from the whole index, computed once however many rules ask for it."""
        if key not in self._memo:
            self._memo[key] = compute(self)
        return self._memo[key]  # type: ignore[no-any-return]

    def has(self, kind: str, record_id: str) -> bool:
        return record_id in self.by_kind.get(kind, {})

    def get(self, kind: str, record_id: str) -> Record | None:
        found = self.by_kind.get(kind, {}).get(record_id)
        return found[0] if found else None

    def ids(self, kind: str) -> list[str]:
        return sorted(self.by_kind.get(kind, {}))

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
