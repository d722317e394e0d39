"""The Verifier: asks doi.org, Crossref and PubMed about many identifiers at once, within each one's limits.

Threads (not asyncio): requests are few and slow, each service has its own concurrency bound, and
tests can inject the clock, the sleep and the transport.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import time
import urllib.parse
from collections.abc import Mapping
from concurrent.futures import Future, ThreadPoolExecutor, as_completed
from types import TracebackType

import httpx

from hipcheck import __version__
from hipcheck.online.http import (
    Clock,
    Fetcher,
    Now,
    Service,
    Sleep,
    Unverifiable,
    bounded_transport,
    proxy_mounts,
    user_agent,
)
from hipcheck.online.planning import Planned, ttl_days, utcnow
from hipcheck.online.progress import Progress
from hipcheck.online.questions import CROSSREF, DOI_ORG, PUBMED, crossref_url, doi_url, esummary_question
from hipcheck.online.results import Aspect, Result, Status, ttl_span
from hipcheck.online.services import crossref_work, doi_exists, pubmed_summaries
from hipcheck.online.settings import (
    CROSSREF_PUBLIC_CONCURRENCY,
    NCBI_RATE_WITH_KEY,
    NCBI_RATE_WITHOUT_KEY,
    OnlineSettings,
)

KEY_HOSTS = frozenset({"eutils.ncbi.nlm.nih.gov", "127.0.0.1", "::1", "localhost"})  # where an NCBI key may go
NOT_IN_CROSSREF = "Crossref does not know this DOI (another agency registered it): metadata and retractions unchecked"


class Verifier:
    """Asks the services about many identifiers at once, within each service's limits."""

    def __init__(
        self,
        settings: OnlineSettings,
        *,
        transport: httpx.BaseTransport | None = None,
        clock: Clock = time.monotonic,
        sleep: Sleep = time.sleep,
        now: Now = utcnow,
        rng: random.Random | None = None,
        environ: Mapping[str, str] | None = None,
    ) -> None:
        self.settings = settings
        self._clock = clock
        self._sleep = sleep
        self._now = now
        self._rng = rng
        environ = os.environ if environ is None else environ
        # The key is a secret of whoever runs hipcheck; the address comes from the checked repository's
        # configuration. Send it to NCBI (or this machine) only, never to an address a pull request set.
        to_ncbi = urllib.parse.urlsplit(settings.ncbi_api).hostname in KEY_HOSTS
        self.ncbi_api_key = (environ.get(settings.ncbi_api_key_env) or None) if to_ncbi else None
        crossref_concurrency = settings.crossref_concurrency if settings.mailto else CROSSREF_PUBLIC_CONCURRENCY
        ncbi_cap = NCBI_RATE_WITH_KEY if self.ncbi_api_key else NCBI_RATE_WITHOUT_KEY
        self.services = {
            "doi": Service(DOI_ORG, settings.doi_rate, settings.doi_concurrency, clock, sleep),
            "crossref": Service(CROSSREF, settings.crossref_rate, crossref_concurrency, clock, sleep),
            "ncbi": Service(PUBMED, min(settings.ncbi_rate, ncbi_cap), settings.ncbi_concurrency, clock, sleep),
        }
        addresses = [settings.doi_api, settings.crossref_api, settings.ncbi_api]
        self.client = httpx.Client(
            transport=transport or bounded_transport(),
            mounts=None if transport else proxy_mounts(addresses, environ),
            headers={
                "User-Agent": user_agent(__version__, settings.mailto),
                "Accept": "application/json",
                "Accept-Encoding": "identity",  # bodies are capped as sent: no compression to expand past the cap
            },
            follow_redirects=False,  # only the service's own answer counts (see Fetcher.get)
        )

    def __enter__(self) -> Verifier:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None) -> None:
        self.client.close()

    def verify(self, plan: Mapping[str, Planned], progress: Progress | None = None) -> dict[str, Result]:
        """Fresh results for every planned identifier (unverified ones carry the reason)."""
        stamp = self._now()
        fetcher = Fetcher(
            self.client,
            self.settings,
            self._clock() + self.settings.deadline,
            clock=self._clock,
            sleep=self._sleep,
            now=self._now,
            rng=self._rng,
        )
        dois = {key: item for key, item in plan.items() if key.startswith("doi:")}
        pmids = sorted((key, item) for key, item in plan.items() if key.startswith("pmid:"))
        batches = [pmids[i : i + self.settings.ncbi_batch] for i in range(0, len(pmids), self.settings.ncbi_batch)]
        workers = sum(service.concurrency for service in self.services.values())
        results: dict[str, Result] = {}
        executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="hipcheck-online")
        try:
            futures: dict[Future[dict[str, Result]], int] = {}
            for key, item in sorted(dois.items()):
                futures[executor.submit(self._verify_one_doi, fetcher, stamp, key, item)] = 1
            for batch in batches:
                futures[executor.submit(self._verify_pmids, fetcher, stamp, batch)] = len(batch)
            for future in as_completed(futures):
                results.update(future.result())
                if progress is not None:
                    progress.advance(futures[future])
        finally:
            executor.shutdown(wait=True, cancel_futures=True)
            if progress is not None:
                progress.close()
        return results

    def _days(self, days: float) -> dt.timedelta:
        return ttl_span(days)

    def _verify_one_doi(self, fetcher: Fetcher, stamp: dt.datetime, key: str, item: Planned) -> dict[str, Result]:
        return {key: self._verify_doi(fetcher, stamp, key, item)}

    def _verify_doi(self, fetcher: Fetcher, stamp: dt.datetime, key: str, item: Planned) -> Result:
        settings = self.settings
        base = item.previous or Result(key, "unverified")
        aspects = dict(base.aspects)
        status, metadata, updates, note = base.status, base.metadata, base.updates, base.note
        errors: list[str] = []
        if "exists" in item.due:
            try:
                exists = doi_exists(fetcher, self.services["doi"], settings.doi_api, item.value)
            except Unverifiable as error:
                errors.append(error.reason)
            else:
                ttl = settings.existence_ttl_days if exists else settings.not_found_ttl_days
                asked = doi_url(settings.doi_api, item.value)
                aspects["exists"] = Aspect(stamp, stamp + self._days(ttl), DOI_ORG, asked)
                if not exists:
                    return Result(key, "not-found", stamp, {"exists": aspects["exists"]})
                status = "found"
        if {"metadata", "retraction"} & set(item.due):
            try:
                work = crossref_work(
                    fetcher, self.services["crossref"], settings.crossref_api, item.value, settings.mailto
                )
            except Unverifiable as error:
                errors.append(error.reason)
            else:
                if work is None:
                    metadata, updates = None, ()
                    note = NOT_IN_CROSSREF
                else:
                    (metadata, updates), note = work, None
                    status = "found"  # Crossref having the work proves the DOI exists, even if doi.org did not answer
                asked = crossref_url(settings.crossref_api, item.value)
                for name in ("metadata", "retraction"):
                    aspects[name] = Aspect(stamp, stamp + self._days(ttl_days(name, settings)), CROSSREF, asked)
        problem = "; ".join(dict.fromkeys(errors)) or None
        answered = aspects != base.aspects  # else every verdict is still the cached one
        return Result(key, status, stamp, aspects, metadata, updates, problem, note, base.from_cache and not answered)

    def _verify_pmids(
        self, fetcher: Fetcher, stamp: dt.datetime, batch: list[tuple[str, Planned]]
    ) -> dict[str, Result]:
        settings = self.settings
        params = {"tool": "hipcheck"}
        if settings.mailto:
            params["email"] = settings.mailto
        if self.ncbi_api_key:
            params["api_key"] = self.ncbi_api_key
        try:
            found = pubmed_summaries(
                fetcher, self.services["ncbi"], settings.ncbi_api, [item.value for _, item in batch], params
            )
        except Unverifiable as error:
            return {key: self._failed(key, item, stamp, error.reason) for key, item in batch}
        results: dict[str, Result] = {}
        for key, item in batch:
            if item.value not in found:
                results[key] = self._failed(key, item, stamp, "PubMed's answer did not mention this PMID")
                continue
            metadata = found[item.value]
            ttl = settings.existence_ttl_days if metadata is not None else settings.not_found_ttl_days
            asked = esummary_question(settings.ncbi_api, item.value)
            aspects = {"exists": Aspect(stamp, stamp + self._days(ttl), PUBMED, asked)}
            status: Status = "found" if metadata is not None else "not-found"
            results[key] = Result(key, status, stamp, aspects, metadata)
        return results

    @staticmethod
    def _failed(key: str, item: Planned, stamp: dt.datetime, reason: str) -> Result:
        # Keep what an earlier run learned: a known retraction must not vanish because a re-check failed.
        return (item.previous or Result(key, "unverified")).with_changes(checked=stamp, error=reason)
