"""External links checked online: broken, permanently moved, or not verifiable (hipcheck.online.links).

The check declares (registry.reads_outside) that it reads the answers of `verify_links` (from the link
cache, and from the hosts with `--online`); it asks no host itself, so offline runs report what the last
online run found.
"""

from __future__ import annotations

import datetime as dt
import urllib.parse
from collections.abc import Iterator, Mapping
from pathlib import Path

from hipcheck.config import Config
from hipcheck.context import Context
from hipcheck.diagnostics import Edit, Finding, Fix, Severity
from hipcheck.index import ContentIndex
from hipcheck.loader.records import Record
from hipcheck.markdown_links import find_links
from hipcheck.online.links import LinkResult, link_key
from hipcheck.online.results import shown
from hipcheck.rules.registry import index_check, reads_outside, rule
from hipcheck.textpos import LineIndex, line_index

ARTICLE = ("article",)

LINK_BROKEN = rule(
    "HC765",
    "external-link-broken",
    Severity.ERROR,
    """
    An external link leads to a page that is not there (HTTP 404 or 410).

    ## What it does
    With `hipcheck check --online`, asks the host of every `http:`/`https:` link of an article whether
    the page is there: HEAD first, then GET when the host refuses HEAD (405, 501, or 403), following
    redirects. It reports the link when the answer (after redirects) is 404 Not Found or 410 Gone; any
    other failure is `external-link-unverified`. Answers are kept in the link cache
    (`.hipcheck/links.json`, `cache` in `[tool.hipcheck.links]`), so runs without `--online` report
    them too. Each host is asked at most `host-rate` times a second and `host-concurrency` at once.

    ## Why it matters
    Health articles point readers to guidance, trials and support services; a dead link leaves a
    reader without the source the sentence relies on.

    ## Example
    ```markdown
    See the [NHS page on hip pain](https://www.nhs.uk/conditions/hip-pain-old/).
    ```
    answered with HTTP 404.

    ## Fix
    Find the page's new address (a search of the site, or an archived copy) and link to it, or remove
    the link and the claim that relies on it.
    """,
    kinds=ARTICLE,
)

LINK_REDIRECTED = rule(
    "HC766",
    "external-link-moved",
    Severity.WARNING,
    """
    An external link is permanently redirected (HTTP 301 or 308) to another address.

    ## What it does
    With `--online`, follows a link's redirects to their end; when the first answer is a permanent
    redirect and the last is a page (2xx), reports the link with the address it now lives at. The fix
    writes that address in place of the link's (keeping its `#fragment`); it is marked safe when the
    page stayed on the same host (ignoring `www.`) or only moved from `http:` to `https:`, and unsafe
    otherwise (a domain that changed hands redirects too). Temporary redirects (302, 303, 307) are
    not reported.

    ## Why it matters
    A permanent redirect says the old address is retired; the redirect may lapse, and a link through
    another domain is one a reader cannot judge by its address.

    ## Example
    ```markdown
    [Guidance](http://example.org/hip-guide)
    ```
    answered with `301 Moved Permanently`, `Location: https://example.org/guides/hip`.

    ## Fix
    Link to the new address (`hipcheck fix`, for the safe cases), after checking it is the same page.
    """,
    kinds=ARTICLE,
    fixable=True,
)

LINK_UNVERIFIED = rule(
    "HC767",
    "external-link-unverified",
    Severity.INFO,
    """
    An external link could not be verified online.

    ## What it does
    Reports, as information, a link the last online check could not confirm, and why: a timeout, a
    refused connection, a redirect loop or more than `max-redirects` redirects, a host that answered
    401, 403, 429 or 5xx, or a private address that is not asked (`allow-private-hosts`). When an
    earlier run had an answer, that answer still stands and the message says so.

    ## Why it matters
    Nothing is known to be wrong, but nothing was confirmed: the link may be dead.

    ## Example
    `link https://example.org/slow could not be verified: example.org did not answer within 10 s`.

    ## Fix
    Open the link yourself; run `hipcheck check --online` again later.
    """,
    kinds=ARTICLE,
)


def _day(when: dt.datetime) -> str:
    return when.date().isoformat()


def _cached(result: LinkResult) -> str:
    return f" (from the link cache, checked {_day(result.checked)})" if result.from_cache else ""


def _bare_host(url: str) -> str:
    host = (urllib.parse.urlsplit(url).hostname or "").lower()
    return host.removeprefix("www.")


def _safe_move(old: str, new: str) -> bool:
    before, after = urllib.parse.urlsplit(old), urllib.parse.urlsplit(new)
    same_host = _bare_host(old) == _bare_host(new)
    scheme_ok = before.scheme.lower() == after.scheme.lower() or after.scheme.lower() == "https"
    return same_host and scheme_ok


@index_check(LINK_BROKEN, LINK_REDIRECTED, LINK_UNVERIFIED)
def check_external_links(index: ContentIndex, ctx: Context) -> Iterator[Finding]:
    answers: Mapping[str, LinkResult] = ctx.answers_for(check_external_links)
    if not answers:
        return
    for article in index.of_kind("article"):
        body = article.body
        if not body:
            continue
        lines: LineIndex | None = None
        for link in find_links(body):
            if link.is_template:
                continue
            key = link_key(link.destination)
            result = answers.get(key) if key else None
            if result is None:
                continue
            lines = lines or line_index(article.text)
            start, end = article.body_offset + link.start, article.body_offset + link.end
            span = lines.span(start, end)
            shown_url = shown(key, 120)
            if result.status == "broken":
                message = f"link {shown_url} is broken: the host answered HTTP {result.http_status}{_cached(result)}"
                yield Finding(message, span, path=article.path, code=LINK_BROKEN.code)
            elif result.status == "redirected" and result.target:
                fragment = link.destination.split("#", 1)[1] if "#" in link.destination else None
                target = result.target if fragment is None or "#" in result.target else f"{result.target}#{fragment}"
                fix = None
                if "\n" not in link.raw and link.raw.startswith("<") == link.raw.endswith(">"):
                    replacement = f"<{target}>" if link.raw.startswith("<") and link.kind != "autolink" else target
                    safe = _safe_move(key or "", result.target) and not any(c in target for c in " ()<>\"'")
                    fix = Fix(f"link to {shown(target, 120)}", (Edit(start, end, replacement),), safe=safe)
                message = f"link {shown_url} has moved permanently to {shown(result.target, 120)}{_cached(result)}"
                yield Finding(message, span, path=article.path, fix=fix, code=LINK_REDIRECTED.code)
            if result.error:
                held = "" if result.status == "unverified" else f"; using the answer of {_day(result.checked)}"
                message = f"link {shown_url} could not be verified: {shown(result.error, 300)}{held}"
                yield Finding(message, span, path=article.path, code=LINK_UNVERIFIED.code)


def _link_answers(
    records: list[Record], root: Path, config: Config, online: bool, progress: bool
) -> Mapping[str, LinkResult]:
    from hipcheck import __version__
    from hipcheck.online.links import verify_links  # the network client is heavy; most runs need no part of it

    return verify_links(records, root, config.links, online, user_agent=f"hipcheck/{__version__}")


def _link_cache(config: Config) -> str:
    return config.links.cache


reads_outside(check_external_links, answers=_link_answers, cache=_link_cache)
