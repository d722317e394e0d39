"""A polite HTTP client: per-service rate limits and concurrency, retries that honour Retry-After, deadlines.

Every failure that is the network's or the service's, not the record's, becomes `Unverifiable`, which
the verifier turns into an "unverified" result: a slow or broken service must never fail a check.

Answers are treated as hostile: each request has a total time bound (connecting, headers and body
together; httpx's own timeouts apply to each read, so a server trickling a byte at a time would
never trip them), bodies are streamed under a size cap, and redirects are not followed.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import json
import random
import re
import threading
import time
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import httpcore
import httpx

from hipcheck.online.results import shown
from hipcheck.online.settings import OnlineSettings

Clock = Callable[[], float]
Sleep = Callable[[float], None]
Now = Callable[[], dt.datetime]

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
ANSWER_STATUSES = frozenset({200, 404})  # the only statuses whose body is read: the services' answers
DOWN_AFTER = 3  # consecutive network failures before a service counts as unreachable for this run
MiB = 1024 * 1024
# The largest body read. The services' answers are far smaller (a Crossref work with thousands of
# references is about 2 MiB, an esummary of 200 PMIDs under 1 MiB); a larger body is not an answer.
MAX_BODY_BYTES = 8 * MiB
SHOWN_ERROR_CHARS = 300  # of a network error's text in a message (it may quote a server's words)
_DIGITS = re.compile(r"[0-9]+")  # ASCII only: str.isdigit() also accepts "²³", which int() refuses


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
    if re.fullmatch(r"[0-9]+(?:\.[0-9]+)?", value):
        return float(value)  # a huge value is inf: the caller gives up rather than waiting
    try:
        when = email.utils.parsedate_to_datetime(value)
        if when.tzinfo is None:
            when = when.replace(tzinfo=dt.UTC)
        return max(0.0, (when - now).total_seconds())
    except (TypeError, ValueError, OverflowError, IndexError):  # what the date parser raises for nonsense
        return None


def announced_rate(response: httpx.Response) -> float | None:
    """Requests per second from Crossref's X-Rate-Limit-Limit / X-Rate-Limit-Interval ("50", "1s")."""
    limit = response.headers.get("X-Rate-Limit-Limit", "")
    interval = re.fullmatch(
        r"\s*([0-9]+(?:\.[0-9]+)?)\s*(ms|s|m|h)?\s*", response.headers.get("X-Rate-Limit-Interval", "")
    )
    if not re.fullmatch(r"\s*[0-9]+(?:\.[0-9]+)?\s*", limit) or interval is None:
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

    def get(self, service: Service, url: str, params: dict[str, str] | None = None) -> Answer:
        """A 200 or 404 answer; anything else, after retries, raises Unverifiable."""
        retries = self.settings.retries
        for attempt in range(retries + 1):
            answer = self._once(service, url, params)
            status = answer.status_code
            if status in ANSWER_STATUSES:
                return answer
            if 300 <= status < 400:
                # Only the service's own answer counts: a redirect may lead to another host or scheme, or to
                # a page whose 404 says nothing about the identifier. The APIs asked never redirect.
                where = shown(answer.response.headers.get("Location", "nowhere"))
                raise Unverifiable(f"{service.name} redirected (HTTP {status}) to {where}; redirects are not followed")
            if status not in RETRY_STATUSES:
                raise Unverifiable(f"{service.name} answered HTTP {status}")
            if attempt == retries:
                raise Unverifiable(f"{service.name} answered HTTP {status} {retries + 1} times; gave up")
            asked = retry_after(answer.response, self._now())
            delay = asked if asked is not None else self._backoff(attempt)
            if asked is not None and asked > self.settings.max_retry_after:
                raise Unverifiable(f"{service.name} asked to wait {asked:.3g} s (HTTP {status}); gave up")
            if self._clock() + delay > self.deadline:
                raise Unverifiable(f"{service.name} answered HTTP {status}; no time left to retry")
            if asked is not None or status == 429:
                service.limiter.defer(delay)  # the service is overloaded: every request to it waits
            else:
                self._sleep(delay)
        raise AssertionError("unreachable")

    def _backoff(self, attempt: int) -> float:
        # Exponential, with jitter so that parallel workers do not retry in lockstep.
        return self.settings.backoff * 2.0**attempt * (0.5 + self._rng.random())

    def _once(self, service: Service, url: str, params: dict[str, str] | None) -> Answer:
        with turn(service, self.deadline, self.settings.timeout, self._clock) as budget:
            try:
                answer = _request(self.client, service, url, params, budget)
            except httpx.TimeoutException:
                cut = budget < self.settings.timeout  # the run's deadline, not the request's bound, ran out
                within = f"the online check's deadline ({self.settings.deadline:g} s)" if cut else f"{budget:g} s"
                reason = f"{service.name} did not answer within {within}"
                service.failed(reason)
                raise Unverifiable(reason) from None
            except (httpx.HTTPError, httpx.InvalidURL) as error:  # connection refused, DNS, TLS, a bad base URL
                reason = shown(f"{service.name}: {type(error).__name__}: {error}".rstrip(": "), SHOWN_ERROR_CHARS)
                service.failed(reason)
                raise Unverifiable(reason) from None
        service.answered()
        rate = announced_rate(answer.response)
        if rate is not None:
            service.limiter.limit(rate)
        return answer


@contextmanager
def turn(service: Service, deadline: float, timeout: float, clock: Callable[[], float]) -> Iterator[float]:
    """A request's turn at a service: refused while it is down, then one of its slots and a rate-limit turn;
    gives the seconds the request may take (its own bound, or what is left of the run's deadline)."""
    down = service.down
    if down is not None:
        raise Unverifiable(f"{service.name} unreachable ({down})")
    with service.slots:
        service.limiter.acquire(deadline)
        remaining = deadline - clock()
        if remaining <= 0:
            raise Unverifiable("the online check ran out of time")
        yield min(timeout, remaining)


@dataclass(frozen=True, slots=True)
class Answer:
    """A response, closed, and its body when it was one of the services' answers (200 or 404)."""

    response: httpx.Response  # status and headers
    content: bytes = b""

    @property
    def status_code(self) -> int:
        return self.response.status_code


def _request(client: httpx.Client, service: Service, url: str, params: dict[str, str] | None, budget: float) -> Answer:
    """One GET within `budget` seconds in all, its body streamed under MAX_BODY_BYTES."""
    ends = time.monotonic() + budget  # real time: the socket operations below wait in it
    _request_ends.at = ends
    try:
        with client.stream("GET", url, params=params, timeout=budget) as response:
            if response.status_code not in ANSWER_STATUSES:
                return Answer(response)
            return Answer(response, _body(response, service, ends))
    finally:
        _request_ends.at = None


def _body(response: httpx.Response, service: Service, ends: float) -> bytes:
    too_large = Unverifiable(f"{service.name} sent an answer larger than {MAX_BODY_BYTES / MiB:g} MiB; not read")
    declared = response.headers.get("Content-Length", "").strip().lstrip("0")
    # More digits than the cap has is larger (and int() refuses over 4300 digits).
    if _DIGITS.fullmatch(declared) and (len(declared) > len(str(MAX_BODY_BYTES)) or int(declared) > MAX_BODY_BYTES):
        raise too_large
    encoding = response.headers.get("Content-Encoding", "identity").strip().lower()
    if encoding not in ("", "identity"):  # asked for none: a compressed body could expand past any cap
        raise Unverifiable(f"{service.name} sent a compressed answer ({shown(encoding)}) though asked for none")
    body = bytearray()
    for chunk in response.iter_bytes():  # as sent: any Content-Encoding was refused above
        body += chunk
        if len(body) > MAX_BODY_BYTES:
            raise too_large
        if time.monotonic() > ends:  # the socket reads are bounded too; this covers any other transport
            raise httpx.ReadTimeout("the request's time bound ran out")
    return bytes(body)


# --- the total time bound of a request, at the socket ------------------------------------------------

_request_ends = threading.local()  # `at`: when the calling thread's request must be over (time.monotonic)


def _left(timeout: float | None, timed_out: type[Exception]) -> float | None:
    """`timeout` (one socket operation's) cut to what is left of this thread's request bound."""
    ends: float | None = getattr(_request_ends, "at", None)
    if ends is None:
        return timeout
    left = ends - time.monotonic()
    if left <= 0:
        raise timed_out("the request's time bound ran out")
    return left if timeout is None else min(timeout, left)


class _BoundedStream(httpcore.NetworkStream):
    def __init__(self, stream: httpcore.NetworkStream) -> None:
        self._stream = stream

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._stream.read(max_bytes, _left(timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._stream.write(buffer, _left(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self._stream.close()

    def start_tls(
        self, ssl_context: Any, server_hostname: str | None = None, timeout: float | None = None
    ) -> httpcore.NetworkStream:
        tls = self._stream.start_tls(ssl_context, server_hostname, _left(timeout, httpcore.ConnectTimeout))
        return _BoundedStream(tls)

    def get_extra_info(self, info: str) -> Any:
        return self._stream.get_extra_info(info)


class _BoundedBackend(httpcore.NetworkBackend):
    """httpcore's sockets, each connect, read and write waiting no longer than the request has left."""

    def __init__(self) -> None:
        self._backend = httpcore.SyncBackend()

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        left = _left(timeout, httpcore.ConnectTimeout)
        return _BoundedStream(self._backend.connect_tcp(host, port, left, local_address, socket_options))

    def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Iterable[Any] | None = None
    ) -> httpcore.NetworkStream:
        left = _left(timeout, httpcore.ConnectTimeout)
        return _BoundedStream(self._backend.connect_unix_socket(path, left, socket_options))

    def sleep(self, seconds: float) -> None:
        self._backend.sleep(seconds)


@contextmanager
def time_bound(seconds: float) -> Iterator[None]:
    """Within the block, this thread's requests on a bounded transport end within `seconds` in all."""
    _request_ends.at = time.monotonic() + seconds
    try:
        yield
    finally:
        _request_ends.at = None


def bounded_transport(proxy: str | None = None) -> httpx.HTTPTransport:
    """httpx's transport on sockets that honour the request's total time bound, directly or through
    an HTTP proxy (whose sockets honour it too).

    httpx offers no setting for this; its pool takes a network backend, so the pool is rebuilt with
    httpx's default limits around one.
    """
    transport = httpx.HTTPTransport()
    limits: dict[str, Any] = {"max_connections": 100, "max_keepalive_connections": 20, "keepalive_expiry": 5.0}
    backend = _BoundedBackend()
    if proxy is None:
        transport._pool = httpcore.ConnectionPool(
            ssl_context=httpx.create_ssl_context(), network_backend=backend, **limits
        )
    else:
        via = httpx.Proxy(proxy)  # takes credentials out of the URL into a Proxy-Authorization header
        transport._pool = httpcore.HTTPProxy(
            proxy_url=httpcore.URL(
                scheme=via.url.raw_scheme, host=via.url.raw_host, port=via.url.port, target=via.url.raw_path
            ),
            proxy_auth=via.raw_auth,
            proxy_headers=via.headers.raw,
            ssl_context=httpx.create_ssl_context(),
            network_backend=backend,
            **limits,
        )
    return transport


def _bypassed(host: str, proxies: dict[str, str]) -> bool:
    """Whether NO_PROXY (in `proxies`, as urllib reads the environment) exempts `host`."""
    bypass: Callable[[str, dict[str, str]], bool] = vars(urllib.request)["proxy_bypass_environment"]  # not in typeshed
    return bypass(host, proxies)


def proxy_mounts(urls: Iterable[str], environ: Mapping[str, str]) -> dict[str, httpx.BaseTransport]:
    """Bounded transports through the proxy the environment names (HTTPS_PROXY, HTTP_PROXY, ALL_PROXY,
    NO_PROXY, as curl and httpx read them) for each service address that should use one. A custom
    transport replaces httpx's own handling of these variables, so it is done here."""
    proxies = {
        name.lower().removesuffix("_proxy"): value
        for name, value in environ.items()
        if name.lower() in ("https_proxy", "http_proxy", "all_proxy", "no_proxy") and value
    }
    mounts: dict[str, httpx.BaseTransport] = {}
    for url in urls:
        parsed = urllib.parse.urlsplit(url)
        proxy = proxies.get(parsed.scheme) or proxies.get("all")
        host = parsed.hostname or ""
        if not proxy or _bypassed(host, proxies):
            continue
        key = f"{parsed.scheme}://{parsed.netloc}"
        mounts.setdefault(key, bounded_transport(proxy))
    return mounts


def json_body(answer: Answer, service: Service) -> Any:
    try:
        return json.loads(answer.content)
    except ValueError:  # not JSON, or not UTF-8
        raise Unverifiable(f"{service.name} sent a malformed answer (not JSON)") from None
    except RecursionError:  # nested deeper than the parser can go: no answer of ours looks like that
        raise Unverifiable(f"{service.name} sent a malformed answer (JSON nested too deeply)") from None
