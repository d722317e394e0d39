"""What the vocabulary is made of: one entry per muscle or group record, the terms the scanner knows, and
what it finds in a text (mentions and misspellings)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from hipcheck.loader.records import Record

# name: the canonical name; synonym: an accepted name (an anatomical short form or an Uberon synonym), which
# prose may use; alias: an informal name or variant spelling, which prose should not; abbreviation: "TFL".
Role = Literal["name", "synonym", "alias", "abbreviation"]
_RANK: dict[str, int] = {"name": 0, "synonym": 1, "alias": 2, "abbreviation": 3}  # a record's strongest claim wins


def _strings(value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    return tuple(v for v in value if isinstance(v, str) and v.strip()) if isinstance(value, list) else ()


@dataclass(frozen=True, slots=True)
class Entry:
    """One muscle or group record, as the vocabulary sees it."""

    id: str
    kind: str
    name: str
    aliases: tuple[str, ...] = ()
    abbreviations: tuple[str, ...] = ()
    synonyms: tuple[str, ...] = ()
    members: tuple[str, ...] = ()
    part_of: tuple[str, ...] = ()
    actions: tuple[str, ...] = ()
    crosses: tuple[str, ...] = ()
    grouping: str | None = None
    region: str | None = None  # a body region (the built-in vocabulary's records have one)
    record: Record | None = field(default=None, compare=False, repr=False)

    @classmethod
    def from_data(cls, data: Mapping[str, Any], record: Record | None = None) -> Entry | None:
        record_id = data.get("id")
        if not isinstance(record_id, str) or not record_id:
            return None
        name, kind = data.get("name"), data.get("kind")
        return cls(
            id=record_id,
            kind=kind if isinstance(kind, str) else "muscle",
            name=name.strip() if isinstance(name, str) and name.strip() else record_id.replace("-", " "),
            aliases=_strings(data.get("aliases")),
            synonyms=_strings(data.get("synonyms")),
            abbreviations=_strings(data.get("abbreviations")),
            members=_strings(data.get("members")),
            part_of=_strings(data.get("part_of")),
            actions=_strings(data.get("actions")),
            crosses=_strings(data.get("crosses")),
            grouping=data.get("grouping") if isinstance(data.get("grouping"), str) else None,
            region=data.get("region") if isinstance(data.get("region"), str) else None,
            record=record,
        )

    def forms(self) -> Iterator[tuple[Role, int | None, str]]:
        """(role, index in its list, text) of the name, each synonym, each alias and each abbreviation."""
        yield "name", None, self.name
        for i, synonym in enumerate(self.synonyms):
            yield "synonym", i, synonym
        for i, alias in enumerate(self.aliases):
            yield "alias", i, alias
        for i, abbreviation in enumerate(self.abbreviations):
            yield "abbreviation", i, abbreviation


@dataclass(frozen=True, slots=True)
class Term:
    """A text form the scanner recognises, and what it stands for."""

    norm: str  # the form, normalized (an abbreviation keeps its case)
    ids: tuple[str, ...]  # the records it names; more than one when records claim the same form
    role: Role
    base: str  # the written form it comes from (a plural or singular variant has its base form here)
    number: Literal["", "plural", "singular"] = ""  # "": as written in the record

    @property
    def id(self) -> str | None:
        return self.ids[0] if len(self.ids) == 1 else None


@dataclass(frozen=True, slots=True)
class Mention:
    start: int  # offsets in the scanned text (plus the offset the caller gave)
    end: int
    text: str
    term: Term


@dataclass(frozen=True, slots=True)
class Misspelling:
    start: int
    end: int
    text: str
    suggestion: str  # the canonical name
    id: str
    score: float
