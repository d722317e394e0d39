"""Verify references' DOIs and PMIDs against doi.org, Crossref and PubMed, through the cache.

`verify_references` is the whole job: read the cache, ask the services (only when online, and only
about identifiers whose cached aspects have expired), write the cache back, and return the results
for the identifiers the records name.
"""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from hipcheck.identifiers import check_doi
from hipcheck.loader.records import Record
from hipcheck.online.cache import Cache
from hipcheck.online.progress import Progress
from hipcheck.online.results import DOI_ASPECTS, PMID_ASPECTS, Result, doi_cache_key, pmid_cache_key
from hipcheck.online.settings import OnlineSettings

if TYPE_CHECKING:  # httpx loads only for an online run: offline runs (pre-commit) stay quick to start
    import httpx

    from hipcheck.online.verifier import Verifier

Report = Callable[[str], None]
Now = Callable[[], dt.datetime]


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


def _to_stderr(message: str) -> None:
    print(f"hipcheck: {message}", file=sys.stderr)


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
        if (key := doi_cache_key(doi)) is not None:
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


def verify_references(
    records: list[Record],
    root: Path,
    settings: OnlineSettings,
    online: bool,
    progress: bool,
    *,
    now: Now | None = None,
    transport: httpx.BaseTransport | None = None,
    report: Report | None = None,
    verifier: Verifier | None = None,
) -> dict[str, Result]:
    """Results for the DOIs and PMIDs of `records`, from the cache and (online) from the services.

    Offline, only cached identifiers have results. Online, identifiers with expired or missing aspects
    are verified and the cache is rewritten. Never raises for network trouble or a bad cache: those
    become unverified results and messages passed to `report` (default: stderr).
    """
    report = report or _to_stderr
    path = cache_path(root, settings.cache)
    if path is None:
        report(
            f"the verification cache {settings.cache!r} is not a relative path that stays inside the content root "
            "(symlinks resolved); it is neither read nor written"
        )
    cache = Cache.load(path) if path is not None else Cache(root)  # without a path: nothing read, never saved
    moment = (now or utcnow)()
    cache.vet(settings, moment)
    for problem in cache.problems:
        report(problem)
    wanted = identifiers(records)
    if online and wanted:
        plan = {
            key: Planned(value, cache.entries.get(key), due)
            for key, value in wanted.items()
            if (due := due_aspects(key, cache.entries.get(key), moment, settings))
        }
        if plan:
            if not settings.mailto:
                report("no mailto in [tool.hipcheck.online]: Crossref serves anonymous clients slowly; set one")
            from hipcheck.online.verifier import Verifier

            own = verifier is None
            active = verifier or Verifier(settings, transport=transport, now=now or utcnow)
            try:
                fresh = active.verify(plan, Progress(len(plan), enabled=progress))
            finally:
                if own:
                    active.client.close()
            cache.entries.update(fresh)
            try:
                if path is not None:
                    cache.save()
            except OSError as error:
                report(f"{path}: cannot write the verification cache ({error.strerror or error}); results not kept")
    return {key: cache.entries[key] for key in wanted if key in cache.entries}


def cache_path(root: Path, setting: str) -> Path | None:
    """The cache file `setting` names, when it is relative and stays inside `root` (symlinks resolved)."""
    try:
        relative = Path(setting)
        path = root / relative
        inside = not relative.is_absolute() and path.resolve().is_relative_to(root.resolve())
    except (OSError, ValueError, RuntimeError):  # a NUL byte, a symlink loop
        return None
    return path if inside and path.resolve() != root.resolve() else None
