"""A polite HTTP client: per-service rate limits and concurrency, retries that honour Retry-After, deadlines.

Every failure that is the network's or the service's, not the record's, becomes `Unverifiable`, which
the verifier turns into an "unverified" result: a slow or broken service must never fail a check.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import random
import re
import threading
import time
from collections.abc import Callable
from typing import Any

import httpx

from hipcheck.online.settings import OnlineSettings

Clock = Callable[[], float]
Sleep = Callable[[float], None]
Now = Callable[[], dt.datetime]

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
DOWN_AFTER = 3  # consecutive network failures before a service counts as unreachable for this run


class Unverifiable(Exception):
    """The service could not answer; the reason is shown to the user."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class RateLimiter:
    """A token bucket (as GCRA: one "theoretical arrival time"), thread-safe, with an injectable clock.

    `burst` 1 spaces requests evenly at 1/rate, never bunching them at a window's edge.
    """

    def __init__(self, rate: float, burst: int = 1, clock: Clock = time.monotonic, sleep: Sleep = time.sleep) -> None:
        if rate <= 0 or burst < 1:
            raise ValueError("rate must be positive and burst at least 1")
        self.configured = rate
        self.rate = rate
        self.burst = burst
        self._clock = clock
        self._sleep = sleep
        self._tat = clock()
        self._lock = threading.Lock()

    def acquire(self, deadline: float | None = None) -> float:
        """Wait for a slot; returns the (clock) time it was granted. Past `deadline`: Unverifiable."""
        with self._lock:
            now = self._clock()
            start = max(now, self._tat - (self.burst - 1) / self.rate)
            if deadline is not None and start > deadline:
                raise Unverifiable("the online check ran out of time waiting for its turn")
            self._tat = max(self._tat, now) + 1 / self.rate
        if start > now:
            self._sleep(start - now)
        return start

    def limit(self, rate: float) -> None:
        """Follow a service's announced limit, never above the configured rate."""
        with self._lock:
            self.rate = min(self.configured, rate) if rate > 0 else self.configured

    def defer(self, delay: float) -> None:
        """Nobody calls this service for `delay` seconds (it said Retry-After)."""
        with self._lock:
            self._tat = max(self._tat, self._clock() + delay + (self.burst - 1) / self.rate)


class Service:
    """One remote service: its name for messages, its limiter and its concurrency bound."""

    def __init__(self, name: str, rate: float, concurrency: int, clock: Clock, sleep: Sleep) -> None:
        self.name = name
        self.limiter = RateLimiter(rate, clock=clock, sleep=sleep)
        self.concurrency = concurrency
        self.slots = threading.BoundedSemaphore(concurrency)
        self._failures = 0
        self._last_failure = ""
        self._lock = threading.Lock()

    def failed(self, reason: str) -> None:
        with self._lock:
            self._failures += 1
            self._last_failure = reason

    def answered(self) -> None:
        with self._lock:
            self._failures = 0

    @property
    def down(self) -> str | None:
        """Why we stopped calling it (it failed DOWN_AFTER times in a row), or None."""
        with self._lock:
            return self._last_failure if self._failures >= DOWN_AFTER else None


def user_agent(version: str, mailto: str | None) -> str:
    return f"hipcheck/{version} (mailto:{mailto})" if mailto else f"hipcheck/{version}"


def retry_after(response: httpx.Response, now: dt.datetime) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or an HTTP date), or None."""
    value = response.headers.get("Retry-After", "").strip()
    if not value:
        return None
    if re.fullmatch(r"\d+(?:\.\d+)?", value):
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return max(0.0, (when - now).total_seconds())


def announced_rate(response: httpx.Response) -> float | None:
    """Requests per second from Crossref's X-Rate-Limit-Limit / X-Rate-Limit-Interval ("50", "1s")."""
    limit = response.headers.get("X-Rate-Limit-Limit", "")
    interval = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)?\s*", response.headers.get("X-Rate-Limit-Interval", ""))
    if not re.fullmatch(r"\s*\d+(?:\.\d+)?\s*", limit) or interval is None:
        return None
    seconds = float(interval.group(1)) * {"ms": 0.001, "s": 1, "m": 60, "h": 3600}[interval.group(2) or "s"]
    return float(limit) / seconds if seconds > 0 and float(limit) > 0 else None


class Fetcher:
    """GET with the rate limit, concurrency bound, retries and deadline of the service it calls."""

    def __init__(
        self,
        client: httpx.Client,
        settings: OnlineSettings,
        deadline: float,
        *,
        clock: Clock = time.monotonic,
        sleep: Sleep = time.sleep,
        now: Now = lambda: dt.datetime.now(dt.UTC),
        rng: random.Random | None = None,
    ) -> None:
        self.client = client
        self.settings = settings
        self.deadline = deadline
        self._clock = clock
        self._sleep = sleep
        self._now = now
        self._rng = rng or random.Random()

    def get(self, service: Service, url: str, params: dict[str, str] | None = None) -> httpx.Response:
        """A 200 or 404 response; anything else, after retries, raises Unverifiable."""
        retries = self.settings.retries
        for attempt in range(retries + 1):
            response = self._once(service, url, params)
            status = response.status_code
            if status in (200, 404):
                return response
            if status not in RETRY_STATUSES:
                raise Unverifiable(f"{service.name} answered HTTP {status}")
            if attempt == retries:
                raise Unverifiable(f"{service.name} answered HTTP {status} {retries + 1} times; gave up")
            asked = retry_after(response, self._now())
            delay = asked if asked is not None else self._backoff(attempt)
            if asked is not None and asked > self.settings.max_retry_after:
                raise Unverifiable(f"{service.name} asked to wait {asked:g} s (HTTP {status}); gave up")
            if self._clock() + delay > self.deadline:
                raise Unverifiable(f"{service.name} answered HTTP {status}; no time left to retry")
            if asked is not None or status == 429:
                service.limiter.defer(delay)  # the service is overloaded: every request to it waits
            else:
                self._sleep(delay)
        raise AssertionError("unreachable")

    def _backoff(self, attempt: int) -> float:
        # Exponential, with jitter so that parallel workers do not retry in lockstep.
        return self.settings.backoff * 2**attempt * (0.5 + self._rng.random())

    def _once(self, service: Service, url: str, params: dict[str, str] | None) -> httpx.Response:
        down = service.down
        if down is not None:
            raise Unverifiable(f"{service.name} unreachable ({down})")
        with service.slots:
            service.limiter.acquire(self.deadline)
            remaining = self.deadline - self._clock()
            if remaining <= 0:
                raise Unverifiable("the online check ran out of time")
            timeout = min(self.settings.timeout, remaining)
            try:
                response = self.client.get(url, params=params, timeout=timeout)
            except httpx.TimeoutException:
                cut = timeout < self.settings.timeout  # the run's deadline, not the request's timeout, ran out
                within = f"the online check's deadline ({self.settings.deadline:g} s)" if cut else f"{timeout:g} s"
                reason = f"{service.name} did not answer within {within}"
                service.failed(reason)
                raise Unverifiable(reason) from None
            except (httpx.HTTPError, httpx.InvalidURL) as error:  # connection refused, DNS, TLS, a bad base URL
                reason = f"{service.name}: {type(error).__name__}: {error}".rstrip(": ")
                service.failed(reason)
                raise Unverifiable(reason) from None
        service.answered()
        rate = announced_rate(response)
        if rate is not None:
            service.limiter.limit(rate)
        return response


def json_body(response: httpx.Response, service: Service) -> Any:
    try:
        return response.json()
    except ValueError:
        raise Unverifiable(f"{service.name} sent a malformed answer (not JSON)") from None
