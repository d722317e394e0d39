"""What to ask the services: the identifiers the records name, and which of their aspects are due
(never checked, or expired by the configured time to live)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from hipcheck.identifiers import check_doi
from hipcheck.loader.records import Record
from hipcheck.online.results import DOI_ASPECTS, PMID_ASPECTS, Result, doi_cache_key, pmid_cache_key
from hipcheck.online.settings import OnlineSettings


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


@dataclass(frozen=True, slots=True)
class Planned:
    """One identifier to ask about: its value as sent, what the cache had, and which aspects are due."""

    value: str
    previous: Result | None
    due: tuple[str, ...]


def identifiers(records: Iterable[Record]) -> dict[str, str]:
    """Cache key -> identifier as sent to the service, for every valid DOI and PMID in reference records."""
    found: dict[str, str] = {}
    for record in records:
        if record.kind != "reference" or not record.loaded:
            continue
        doi, pmid = record.data.get("DOI"), record.data.get("PMID")
        if (key := doi_cache_key(doi)) is not None and isinstance(doi, str | int):  # the key says it is
            found.setdefault(key, check_doi(doi).normalized or key.removeprefix("doi:"))  # sent as written
        if (key := pmid_cache_key(pmid)) is not None:
            found.setdefault(key, key.removeprefix("pmid:"))
    return found


def ttl_days(aspect: str, settings: OnlineSettings) -> float:
    return settings.retraction_ttl_days if aspect == "retraction" else settings.existence_ttl_days


def due_aspects(key: str, previous: Result | None, now: dt.datetime, settings: OnlineSettings) -> tuple[str, ...]:
    """The aspects of an identifier that need asking about: never checked, or expired."""
    names = DOI_ASPECTS if key.startswith("doi:") else PMID_ASPECTS
    if previous is None:
        return names
    if previous.status == "not-found":
        exists = previous.aspects.get("exists")
        expired = exists is None or exists.expired(now, settings.not_found_ttl_days)
        return names if expired else ()
    return tuple(
        name
        for name in names
        if (aspect := previous.aspects.get(name)) is None or aspect.expired(now, ttl_days(name, settings))
    )
