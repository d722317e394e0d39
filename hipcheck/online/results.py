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

SHOWN_CHARS = 80  # of a value from a server or the cache file, quoted in a message


def shown(value: Any, limit: int = SHOWN_CHARS) -> str:
    """A value from outside (a server, the cache file) for a message: short, and no terminal control codes."""
    if isinstance(value, list | dict):
        text = f"a JSON {'list' if isinstance(value, list) else 'object'}"  # never repr(): it may nest deeply
    else:
        text = value if isinstance(value, str) else repr(value)
    cut = text[:limit]
    safe = "".join(c if c.isprintable() else repr(c)[1:-1] for c in cut)
    return safe + ("..." if len(text) > limit else "")


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


# Years of the timestamps hipcheck writes: others are not its own, and dates near the ends of
# datetime's range overflow the arithmetic of expiry.
STAMP_YEARS = range(2000, 3000)


# The longest re-check interval applied: a configured TTL beyond ten years means "rarely", and taken
# literally (1e9 days) it would overflow the date arithmetic of expiry.
MAX_TTL_DAYS = 3650


def ttl_span(days: float) -> dt.timedelta:
    return dt.timedelta(days=min(days, MAX_TTL_DAYS))


def format_time(when: dt.datetime) -> str:
    return when.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_time(text: Any) -> dt.datetime:
    if not isinstance(text, str):
        raise ValueError(f"not a timestamp: {shown(text)}")
    when = dt.datetime.fromisoformat(text)
    when = when if when.tzinfo else when.replace(tzinfo=dt.UTC)
    try:
        in_range = when.astimezone(dt.UTC).year in STAMP_YEARS
    except OverflowError:
        in_range = False
    if not in_range:
        raise ValueError(f"not a timestamp of hipcheck's: {shown(text)}")
    return when


@dataclass(frozen=True, slots=True)
class Aspect:
    """When one aspect of an identifier was verified, until when that holds, and what was asked."""

    checked: dt.datetime
    expires: dt.datetime
    service: str  # "doi.org", "Crossref" or "PubMed"
    asked: str  # the URL of the question (for PubMed, this PMID's part of the batched query)

    def expired(self, now: dt.datetime, ttl_days: float) -> bool:
        # The stored expiry is reviewable; a TTL configured shorter since then applies at once.
        return now >= min(self.expires, self.checked + ttl_span(ttl_days))


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
    # Read from the verification cache, not answered by a service in this run; not part of the file,
    # and not of equality (the same facts, wherever they came from).
    from_cache: bool = field(default=False, compare=False)

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
                name: {
                    "checked": format_time(a.checked),
                    "expires": format_time(a.expires),
                    "service": a.service,
                    "asked": a.asked,
                }
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
        """Read a cache entry; ValueError (or TypeError) when it is not one.

        A verdict ("found", "not-found") must say what was asked, of which service, and when: an entry
        without that is not one hipcheck wrote, and could make a non-existent DOI look verified.
        """
        if not isinstance(data, dict) or not isinstance(data.get("status"), str) or data["status"] not in STATUSES:
            raise ValueError("no valid status")
        kind = key.partition(":")[0]
        if kind not in ("doi", "pmid") or not key.partition(":")[2]:
            raise ValueError("not a doi: or pmid: key")
        aspects = _aspects_in(kind, data.get("aspects", {}))
        if data["status"] != "unverified" and not aspects:
            raise ValueError(f"a {data['status']} verdict without what was asked and when")
        if data["status"] == "not-found" and "exists" not in aspects:
            raise ValueError("a not-found verdict without the existence check")
        metadata = None if data.get("metadata") is None else _metadata_in(data["metadata"])
        updates = [_update_in(item) for item in _list(data.get("updates", []))]
        # Metadata and update relations are verdicts too: each needs the check that fetched it.
        if metadata is not None and ("metadata" if kind == "doi" else "exists") not in aspects:
            raise ValueError("metadata without the check that fetched it")
        if updates and "retraction" not in aspects:
            raise ValueError("update relations without the retraction check that found them")
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
            from_cache=True,
        )


def _aspects_in(kind: str, raw: Any) -> dict[str, Aspect]:
    aspects = {}
    for name, value in _mapping(raw).items():
        if name not in (DOI_ASPECTS if kind == "doi" else PMID_ASPECTS):
            raise ValueError(f"unknown aspect {shown(name)}")
        value = _mapping(value)
        if not isinstance(value.get("service"), str) or not isinstance(value.get("asked"), str):
            raise ValueError(f"aspect {name} does not say what was asked of which service")
        aspects[name] = Aspect(
            parse_time(value.get("checked")), parse_time(value.get("expires")), value["service"], value["asked"]
        )
    return aspects


def _metadata_in(raw: Any) -> Metadata:
    meta = _mapping(raw)
    if meta.get("source") not in ("crossref", "pubmed"):
        raise ValueError("metadata without a source")
    return Metadata(
        source=meta["source"],
        title=_optional_str(meta.get("title")),
        subtitle=_optional_str(meta.get("subtitle")),
        years=tuple(_year(y) for y in _list(meta.get("years", []))),
        first_author=_optional_str(meta.get("first_author")),
        journals=tuple(_str(j) for j in _list(meta.get("journals", []))),
        doi=_optional_str(meta.get("doi")),
    )


def _update_in(raw: Any) -> Update:
    item = _mapping(raw)
    if item.get("relation") not in ("updated-by", "update-to"):
        raise ValueError("update without a relation")
    return Update(
        relation=item["relation"],
        type=_str(item.get("type")),
        doi=_optional_str(item.get("DOI")),
        date=_optional_str(item.get("date")),
        source=_optional_str(item.get("source")),
        label=_optional_str(item.get("label")),
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


def _year(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1000 <= value < 3000:
        raise ValueError("expected a four-digit year")
    return value
