"""What online verification learned about one identifier: the cache entry, and what the rules read.

A result keeps the fetched metadata, not a verdict: the rules compare it with the record at check time,
so editing a record (or reading the cache offline) gives the right findings without asking again.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from hipcheck.identifiers import check_doi, check_pmid

Status = Literal["found", "not-found", "unverified"]
STATUSES: tuple[Status, ...] = ("found", "not-found", "unverified")

# Aspects are re-checked on their own schedules: whether a DOI exists (doi.org), what it names (Crossref
# metadata), and whether it was retracted (Crossref update relations, which change far more often).
DOI_ASPECTS = ("exists", "metadata", "retraction")
PMID_ASPECTS = ("exists",)

# Crossref update types, by what they mean for citing the work.
RETRACTION_TYPES = frozenset({"retraction", "partial_retraction", "withdrawal", "removal"})
CONCERN_TYPES = frozenset({"expression_of_concern"})


def doi_cache_key(value: Any) -> str | None:
    """`doi:<lowercased DOI>` for a syntactically valid DOI (as `hipcheck.identifiers` reads it), else None."""
    if isinstance(value, bool) or not isinstance(value, str | int):
        return None
    normalized = check_doi(value).normalized
    return f"doi:{normalized.lower()}" if normalized else None


def pmid_cache_key(value: Any) -> str | None:
    if isinstance(value, bool) or not isinstance(value, str | int):
        return None
    normalized = check_pmid(value).normalized
    return f"pmid:{normalized}" if normalized else None


def format_time(when: dt.datetime) -> str:
    return when.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_time(text: Any) -> dt.datetime:
    if not isinstance(text, str):
        raise ValueError(f"not a timestamp: {text!r}")
    when = dt.datetime.fromisoformat(text)
    return when if when.tzinfo else when.replace(tzinfo=dt.UTC)


@dataclass(frozen=True, slots=True)
class Aspect:
    checked: dt.datetime
    expires: dt.datetime

    def expired(self, now: dt.datetime, ttl_days: float) -> bool:
        # The stored expiry is reviewable; a TTL configured shorter since then applies at once.
        return now >= min(self.expires, self.checked + dt.timedelta(days=ttl_days))


@dataclass(frozen=True, slots=True)
class Update:
    """A Crossref update relation: `updated-by` (this work was updated by the notice `doi`) or
    `update-to` (this work is itself the notice that updates `doi`)."""

    relation: Literal["updated-by", "update-to"]
    type: str
    doi: str | None = None
    date: str | None = None
    source: str | None = None
    label: str | None = None

    @property
    def retraction(self) -> bool:
        return self.type in RETRACTION_TYPES

    @property
    def concern(self) -> bool:
        return self.type in CONCERN_TYPES


@dataclass(frozen=True, slots=True)
class Metadata:
    """The subset of a service's record that the comparisons use."""

    source: Literal["crossref", "pubmed"]
    title: str | None = None
    subtitle: str | None = None
    years: tuple[int, ...] = ()
    first_author: str | None = None
    journals: tuple[str, ...] = ()
    doi: str | None = None  # for a PMID: the DOI PubMed links it to


@dataclass(frozen=True, slots=True)
class Result:
    key: str  # "doi:10.1016/j.archger.2021.104499" or "pmid:12345678"
    status: Status
    checked: dt.datetime | None = None
    aspects: Mapping[str, Aspect] = field(default_factory=dict)
    metadata: Metadata | None = None
    updates: tuple[Update, ...] = ()
    error: str | None = None  # why the last attempt could not verify (part of) it; cleared on success
    note: str | None = None

    @property
    def kind(self) -> str:
        return self.key.partition(":")[0]

    @property
    def identifier(self) -> str:
        return self.key.partition(":")[2]

    def with_changes(self, **changes: Any) -> Result:
        return replace(self, **changes)

    # --- the cache file's JSON ----------------------------------------------------------------

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"status": self.status}
        if self.checked is not None:
            data["checked"] = format_time(self.checked)
        if self.aspects:
            data["aspects"] = {
                name: {"checked": format_time(a.checked), "expires": format_time(a.expires)}
                for name, a in self.aspects.items()
            }
        if self.metadata is not None:
            meta = self.metadata
            data["metadata"] = {
                k: v
                for k, v in (
                    ("source", meta.source),
                    ("title", meta.title),
                    ("subtitle", meta.subtitle),
                    ("years", list(meta.years)),
                    ("first_author", meta.first_author),
                    ("journals", list(meta.journals)),
                    ("doi", meta.doi),
                )
                if v not in (None, [])
            }
        if self.updates:
            data["updates"] = [
                {
                    k: v
                    for k, v in (
                        ("relation", u.relation),
                        ("type", u.type),
                        ("DOI", u.doi),
                        ("date", u.date),
                        ("source", u.source),
                        ("label", u.label),
                    )
                    if v is not None
                }
                for u in self.updates
            ]
        if self.error:
            data["error"] = self.error
        if self.note:
            data["note"] = self.note
        return data

    @classmethod
    def from_json(cls, key: str, data: Any) -> Result:
        """Read a cache entry; ValueError (or TypeError) when it is not one."""
        if not isinstance(data, dict) or data.get("status") not in STATUSES:
            raise ValueError("no valid status")
        kind = key.partition(":")[0]
        if kind not in ("doi", "pmid") or not key.partition(":")[2]:
            raise ValueError(f"unknown identifier key {key!r}")
        aspects = {}
        for name, value in _mapping(data.get("aspects", {})).items():
            if name not in (DOI_ASPECTS if kind == "doi" else PMID_ASPECTS):
                raise ValueError(f"unknown aspect {name!r}")
            value = _mapping(value)
            aspects[name] = Aspect(parse_time(value["checked"]), parse_time(value["expires"]))
        metadata = None
        if data.get("metadata") is not None:
            meta = _mapping(data["metadata"])
            if meta.get("source") not in ("crossref", "pubmed"):
                raise ValueError("metadata without a source")
            metadata = Metadata(
                source=meta["source"],
                title=_optional_str(meta.get("title")),
                subtitle=_optional_str(meta.get("subtitle")),
                years=tuple(_int(y) for y in _list(meta.get("years", []))),
                first_author=_optional_str(meta.get("first_author")),
                journals=tuple(_str(j) for j in _list(meta.get("journals", []))),
                doi=_optional_str(meta.get("doi")),
            )
        updates = []
        for item in _list(data.get("updates", [])):
            item = _mapping(item)
            if item.get("relation") not in ("updated-by", "update-to"):
                raise ValueError("update without a relation")
            updates.append(
                Update(
                    relation=item["relation"],
                    type=_str(item.get("type")),
                    doi=_optional_str(item.get("DOI")),
                    date=_optional_str(item.get("date")),
                    source=_optional_str(item.get("source")),
                    label=_optional_str(item.get("label")),
                )
            )
        checked = parse_time(data["checked"]) if data.get("checked") is not None else None
        return cls(
            key=key,
            status=data["status"],
            checked=checked,
            aspects=aspects,
            metadata=metadata,
            updates=tuple(updates),
            error=_optional_str(data.get("error")),
            note=_optional_str(data.get("note")),
        )


def _mapping(value: Any) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ValueError("expected a mapping")
    return value


def _list(value: Any) -> list[Any]:
    if not isinstance(value, list):
        raise ValueError("expected a list")
    return value


def _str(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError("expected text")
    return value


def _optional_str(value: Any) -> str | None:
    return None if value is None else _str(value)


def _int(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError("expected a whole number")
    return value
