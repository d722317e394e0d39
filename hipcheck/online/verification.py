"""Verify references' DOIs and PMIDs against doi.org, Crossref and PubMed, through the answers cache.

`verify_references` is the whole job: read the cache, ask the services (only when online, and only
about identifiers whose cached aspects have expired), write the cache back, and return the results
for the identifiers the records name.
"""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from hipcheck.caching.answers import AnswerCache, answers_path
from hipcheck.loader.records import Record
from hipcheck.online.planning import Planned, due_aspects, identifiers, utcnow
from hipcheck.online.progress import Progress
from hipcheck.online.results import Result
from hipcheck.online.settings import OnlineSettings

if TYPE_CHECKING:  # httpx loads only for an online run: offline runs (pre-commit) stay quick to start
    import httpx

    from hipcheck.online.verifier import Verifier

Report = Callable[[str], None]
Now = Callable[[], dt.datetime]


def _to_stderr(message: str) -> None:
    print(f"hipcheck: {message}", file=sys.stderr)


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
    path = answers_path(root, settings.cache)
    if path is None:
        report(
            f"the verification cache {settings.cache!r} is not a relative path that stays inside the content root "
            "(symlinks resolved); it is neither read nor written"
        )
    # Without a path: nothing read, never saved.
    cache = AnswerCache.load(path) if path is not None else AnswerCache(root)
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
