"""Asks the hosts about many external links at once, within each host's limits (see hipcheck.online.links)."""

from __future__ import annotations

import datetime as dt
import time
import urllib.parse
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from threading import Lock
from types import TracebackType
from typing import Any

import httpx

from hipcheck.link_settings import LinkSettings
from hipcheck.online.http import Service, Unverifiable, bounded_transport, time_bound, turn
from hipcheck.online.links import (
    BROKEN_STATUSES,
    HEAD_REFUSED,
    PERMANENT,
    REDIRECTS,
    LinkResult,
    is_checkable,
    private_host,
)
from hipcheck.online.results import shown

MAX_WORKERS = 16
SHOWN_ERROR_CHARS = 200


@dataclass(frozen=True, slots=True)
class Hop:
    status: int
    location: str | None


class LinkChecker:
    def __init__(
        self,
        settings: LinkSettings,
        user_agent: str,
        *,
        transport: httpx.BaseTransport | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.settings = settings
        self._clock = clock
        self._sleep = sleep
        self._hosts: dict[str, Service] = {}
        self._lock = Lock()
        self.deadline = clock() + settings.deadline
        self.client = httpx.Client(
            transport=transport or bounded_transport(),
            headers={"User-Agent": user_agent, "Accept-Encoding": "identity"},
            follow_redirects=False,  # followed by hand: each hop is checked and counted
        )

    def __enter__(self) -> LinkChecker:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None) -> None:
        self.client.close()

    def _host(self, url: str) -> Service:
        parts = urllib.parse.urlsplit(url)
        key = f"{parts.scheme.lower()}://{(parts.hostname or '').lower()}:{parts.port or ''}"
        with self._lock:
            if key not in self._hosts:
                settings = self.settings
                self._hosts[key] = Service(
                    parts.hostname or key, settings.host_rate, settings.host_concurrency, self._clock, self._sleep
                )
            return self._hosts[key]

    def check(self, urls: list[str], stamp: dt.datetime) -> dict[str, LinkResult]:
        results: dict[str, LinkResult] = {}
        with ThreadPoolExecutor(
            max_workers=min(MAX_WORKERS, max(1, len(urls))), thread_name_prefix="hipcheck-links"
        ) as pool:
            futures = {pool.submit(self.check_one, url, stamp): url for url in urls}
            for future in as_completed(futures):
                results[futures[future]] = future.result()
        return results

    def check_one(self, url: str, stamp: dt.datetime) -> LinkResult:
        try:
            return self._follow(url, stamp)
        except Unverifiable as error:
            return LinkResult(url, "unverified", stamp, error=shown(error.reason, SHOWN_ERROR_CHARS))

    def _follow(self, url: str, stamp: dt.datetime) -> LinkResult:
        seen = [url]
        first: int | None = None
        current = url
        for _ in range(self.settings.max_redirects + 1):
            if private_host(current) and not self.settings.allow_private_hosts:
                raise Unverifiable(f"not asked: {shown(current)} is a private or loopback address")
            hop = self._ask(current)
            if hop.status not in REDIRECTS:
                if first is None:
                    return self._final(url, hop.status, stamp)
                if first in PERMANENT and 200 <= hop.status < 300:
                    return LinkResult(url, "redirected", stamp, hop.status, target=current)
                result = self._final(url, hop.status, stamp)
                return result if result.status != "ok" else LinkResult(url, "ok", stamp, hop.status)
            if first is None:
                first = hop.status
            if hop.location is None:
                raise Unverifiable(f"HTTP {hop.status} redirect without a Location")
            following = urllib.parse.urljoin(current, hop.location)
            if not is_checkable(following):
                raise Unverifiable(f"redirected (HTTP {hop.status}) to {shown(following)}, which is not a web address")
            if following in seen:
                raise Unverifiable(f"redirect loop: {shown(following)} leads back to itself")
            seen.append(following)
            current = following
        raise Unverifiable(f"more than {self.settings.max_redirects} redirects (max-redirects)")

    def _final(self, url: str, status: int, stamp: dt.datetime) -> LinkResult:
        if 200 <= status < 300:
            return LinkResult(url, "ok", stamp, status)
        if status in BROKEN_STATUSES:
            return LinkResult(url, "broken", stamp, status)
        raise Unverifiable(f"the host answered HTTP {status}")

    def _ask(self, url: str) -> Hop:
        hop = self._request("HEAD", url)
        if hop.status in HEAD_REFUSED:
            hop = self._request("GET", url)
        return hop

    def _request(self, method: str, url: str) -> Hop:
        service = self._host(url)
        with turn(service, self.deadline, self.settings.timeout, self._clock) as budget:
            try:
                with time_bound(budget), self.client.stream(method, url, timeout=budget) as response:
                    if method == "GET":
                        self._drain(response)
                    hop = Hop(response.status_code, response.headers.get("Location"))
            except httpx.TimeoutException:
                reason = f"{service.name} did not answer within {budget:g} s"
                service.failed(reason)
                raise Unverifiable(reason) from None
            except (httpx.HTTPError, httpx.InvalidURL, UnicodeError, ValueError) as error:
                reason = shown(f"{service.name}: {type(error).__name__}: {error}".rstrip(": "), SHOWN_ERROR_CHARS)
                service.failed(reason)
                raise Unverifiable(reason) from None
        service.answered()
        return hop

    def _drain(self, response: Any) -> None:
        """Read at most max-body-bytes of the page (only its status counts), then stop."""
        read = 0
        for chunk in response.iter_raw():
            read += len(chunk)
            if read >= self.settings.max_body_bytes:
                break
