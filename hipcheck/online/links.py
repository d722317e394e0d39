"""External links (`hipcheck check --online`): does each http(s) link of an article answer, and where to.

`verify_links` is the whole job, as `verify_references` is for DOIs: read the answer cache, ask the hosts
(online only, and only about links whose cached answer has expired), write the cache back, and return
the answers for the links the articles have. Offline, only cached answers are returned.

A link is asked with HEAD; a host that refuses HEAD (405, 501, or 403, which some servers answer to
HEAD alone) is asked with GET, whose body is read up to `max-body-bytes` and dropped. Redirects are
followed by hand, up to `max-redirects`, only to http(s), a loop is named as one, and the first hop's
kind (301/308 permanent, else temporary) is kept. Each host has its own rate and concurrency bound;
every request has a total time bound (headers and body together) and the run a deadline.

Links to loopback, private or link-local addresses (and `localhost`) are not asked unless
`allow-private-hosts` is set: an article in a pull request must not make a CI runner call into its own
network. (A public name that resolves to a private address is not caught; the answer is a status only.)
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import sys
import time
import urllib.parse
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Literal

from hipcheck.caching.answers import AnswerFile, answers_path
from hipcheck.link_settings import LinkSettings
from hipcheck.loader.records import Record

Status = Literal["ok", "broken", "redirected", "unverified"]
STATUSES: tuple[Status, ...] = ("ok", "broken", "redirected", "unverified")
BROKEN_STATUSES = frozenset({404, 410})  # the page is not there: any other failure says nothing certain
HEAD_REFUSED = frozenset({403, 405, 501})  # answered to HEAD by servers that would answer GET
PERMANENT = frozenset({301, 308})
REDIRECTS = frozenset({301, 302, 303, 307, 308})
VERSION = 1
MAX_CACHE_BYTES = 16 * 1024 * 1024  # of the link cache
MAX_URL_CHARS = 2000  # a longer address (in an article or a Location header) is not asked about
ABOUT = (
    "hipcheck external-link answers (hipcheck check --online), keyed by address; each records the status, "
    "where a permanent redirect leads, and when it was checked. Delete an entry to have it checked again."
)

Report = Callable[[str], None]
Now = Callable[[], dt.datetime]


@dataclass(frozen=True, slots=True)
class LinkResult:
    url: str
    status: Status
    checked: dt.datetime
    http_status: int | None = None  # the last answer's status
    target: str | None = None  # where a permanent redirect (followed to its end) leads
    error: str | None = None  # why it could not be verified
    from_cache: bool = False

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"status": self.status, "checked": _format_time(self.checked)}
        if self.http_status is not None:
            data["http-status"] = self.http_status
        if self.target is not None:
            data["target"] = self.target
        if self.error is not None:
            data["error"] = self.error
        return data

    @classmethod
    def from_json(cls, url: str, data: Any) -> LinkResult:
        if not isinstance(data, dict) or data.get("status") not in STATUSES:
            raise ValueError("not a link answer")
        if not is_checkable(url):
            raise ValueError("not an http(s) address")
        http_status = data.get("http-status")
        if http_status is not None and (type(http_status) is not int or not 100 <= http_status <= 599):
            raise ValueError("http-status is not an HTTP status")
        target = data.get("target")
        if target is not None and (not isinstance(target, str) or not is_checkable(target)):
            raise ValueError("target is not an http(s) address")
        error = data.get("error")
        if error is not None and not isinstance(error, str):
            raise ValueError("error is not text")
        return cls(url, data["status"], _parse_time(data.get("checked")), http_status, target, error, True)

    def expired(self, now: dt.datetime, settings: LinkSettings) -> bool:
        if self.status == "unverified":
            return True
        days = settings.broken_ttl_days if self.status == "broken" else settings.ok_ttl_days
        return now >= self.checked + dt.timedelta(days=min(days, 3650))


def _format_time(when: dt.datetime) -> str:
    return when.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _parse_time(text: Any) -> dt.datetime:
    if not isinstance(text, str) or len(text) > 40:
        raise ValueError("not a timestamp")
    when = dt.datetime.fromisoformat(text)
    when = when if when.tzinfo else when.replace(tzinfo=dt.UTC)
    if not 2000 <= when.astimezone(dt.UTC).year < 3000:
        raise ValueError("not a timestamp of hipcheck's")
    return when


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


def _to_stderr(message: str) -> None:
    print(f"hipcheck: {message}", file=sys.stderr)


# --- which links ------------------------------------------------------------------------------------


def is_checkable(url: str) -> bool:
    """An http(s) address with a host, of sensible length, without spaces or control characters."""
    if len(url) > MAX_URL_CHARS or any(c.isspace() or ord(c) < 0x20 or ord(c) == 0x7F for c in url):
        return False
    try:
        parts = urllib.parse.urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for a bad port
    except ValueError:
        return False
    return parts.scheme.lower() in ("http", "https") and bool(parts.hostname)


def link_key(destination: str) -> str | None:
    """The address asked about for a link's destination: without its fragment (never sent); None when
    it is not a well-formed http(s) address (malformed-url's)."""
    from hipcheck.rules.links import url_problem  # the rule's own reading of well-formed

    url = destination.strip().split("#", 1)[0]
    if not is_checkable(url) or url_problem(url) is not None:
        return None
    return url


def external_links(records: Iterable[Record]) -> list[str]:
    """Every distinct well-formed http(s) link destination of the articles, in order of appearance."""
    from hipcheck.markdown_links import find_links

    found: dict[str, None] = {}
    for record in records:
        if record.kind != "article" or not record.body:
            continue
        for link in find_links(record.body):
            if link.is_template:
                continue
            key = link_key(link.destination)
            if key is not None:
                found.setdefault(key, None)
    return list(found)


def private_host(url: str) -> bool:
    host = (urllib.parse.urlsplit(url).hostname or "").rstrip(".").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return address.is_private or address.is_loopback or address.is_link_local or address.is_reserved


# --- the answer cache ---------------------------------------------------------------------------------


class LinkAnswers(AnswerFile[LinkResult]):
    """The link cache: the hosts' answers by address, in the answers caches' one layout (hipcheck.caching.answers)."""

    WHAT = "link cache"
    ABOUT = ABOUT
    VERSION = VERSION
    MAX_BYTES = MAX_CACHE_BYTES
    MALFORMED = "malformed link cache"

    @classmethod
    def decode(cls, key: str, value: Any) -> LinkResult:
        return LinkResult.from_json(key, value)

    @classmethod
    def encode(cls, answer: LinkResult) -> Any:
        return answer.to_json()


def load_cache(path: Path, now: dt.datetime, report: Report) -> LinkAnswers:
    """The cached answers, forged future ones dropped; a file that cannot be read is treated as empty
    (and the user told)."""
    cache = LinkAnswers.load(path)
    cache.drop_future(now, lambda answer: answer.checked)
    for problem in cache.problems:
        report(problem)
    return cache


# --- asking the hosts -------------------------------------------------------------------------------------


def verify_links(
    records: list[Record],
    root: Path,
    settings: LinkSettings,
    online: bool,
    *,
    user_agent: str = "hipcheck",
    now: Now | None = None,
    transport: Any = None,
    report: Report | None = None,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
) -> dict[str, LinkResult]:
    """Answers for the articles' external links, from the cache and (online) from the hosts.

    Never raises for network trouble or a bad cache: those become unverified answers and messages passed
    to `report` (default: stderr)."""
    report = report or _to_stderr
    path = answers_path(root, settings.cache)
    if path is None:
        report(f"the link cache {settings.cache!r} is not a relative path inside the content root; not used")
    moment = (now or utcnow)()
    cache = load_cache(path, moment, report).entries if path is not None else {}
    wanted = external_links(records)
    if online and settings.check_external and wanted:
        due = [url for url in wanted if url not in cache or cache[url].expired(moment, settings)]
        if len(due) > settings.max_links:
            report(f"{len(due)} external links are due; checking {settings.max_links} (max-links), the rest next run")
            due = due[: settings.max_links]
        if due:
            from hipcheck.online.link_checker import LinkChecker

            with LinkChecker(settings, user_agent, transport=transport, clock=clock, sleep=sleep) as checker:
                fresh = checker.check(due, moment)
            for url, result in fresh.items():
                previous = cache.get(url)
                if result.status == "unverified" and previous is not None and previous.status != "unverified":
                    # keep what an earlier run learned; say that this run could not confirm it
                    result = replace(previous, error=result.error, from_cache=True)
                cache[url] = result
            if path is not None:
                try:
                    LinkAnswers(path, cache).save()
                except OSError as error:
                    report(f"{path}: cannot write the link cache ({error.strerror or error}); results not kept")
    return {url: cache[url] for url in wanted if url in cache}
