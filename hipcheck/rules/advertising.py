"""Advertising kept apart from editorial content: affiliate links, campaign tracking, products, sponsorship.

HC306 (undisclosed-promotion) looks for commercial words; these rules look at what the words do not show:
where links lead and what they carry, which products are named, and how sponsored content is labelled.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from urllib.parse import parse_qsl, urlsplit

from hipcheck.citations import code_mask, mask_comments, prose_mask
from hipcheck.context import Context
from hipcheck.diagnostics import Edit, Finding, Fix, Severity
from hipcheck.loader.records import Record
from hipcheck.rules.registry import record_check, rule
from hipcheck.textpos import LineIndex, line_index

ARTICLE = ("article",)

AFFILIATE_UNDISCLOSED = rule(
    "HC750",
    "undisclosed-affiliate-link",
    Severity.ERROR,
    """
    An article has an affiliate link but no disclosure.

    ## What it does
    Finds links in the body (Markdown, autolinks, bare URLs, HTML `<a href>`) that match an
    `affiliate-links` pattern and requires a non-empty `disclosure` when there is one. A pattern
    is `host?parameter` (a link to the host or a subdomain, carrying that query parameter) or
    `host`; `*` as the last label stands for a top-level domain (one or two labels of two or
    three letters: com, co.uk, com.au). The default holds only what a programme documents:
    `amazon.*?tag`, the Amazon Associates tracking ID.

    ## Why it matters
    An affiliate link earns the publisher money when a reader buys: advertising rules (the FTC's
    endorsement guides, the UK's CAP code) and HONcode's financial-disclosure principle require
    readers to be told.

    ## Example
    ```markdown
    We like [these insoles](https://www.amazon.com/dp/B000000000?tag=hipsite-20).
    ```

    ## Fix
    Add `disclosure: We earn a commission on purchases made through some links.` (in your words),
    or link without the affiliate tag.
    """,
    kinds=ARTICLE,
)

AFFILIATE_NOT_SPONSORED = rule(
    "HC751",
    "affiliate-link-not-sponsored",
    Severity.WARNING,
    """
    An affiliate link written in HTML lacks `rel="sponsored"`.

    ## What it does
    Checks each HTML `<a href>` (and each Markdown link with a Pandoc attribute block,
    `[text](url){rel=...}`) whose address matches an `affiliate-links` pattern for `sponsored`
    among its `rel` values. A plain Markdown link cannot carry `rel`: the site's renderer decides,
    so it is not reported.

    ## Why it matters
    Google asks sites in affiliate programmes to qualify those links with `rel="sponsored"`
    ("A reminder on qualifying links", Google Search Central, 26 July 2021); machines, like
    readers, should be able to tell advertising from editorial links.

    ## Example
    ```html
    <a href="https://www.amazon.co.uk/dp/B000000000?tag=hipsite-21">insoles</a>
    ```

    ## Fix
    `<a href="..." rel="sponsored">insoles</a>`.
    """,
    kinds=ARTICLE,
)

CAMPAIGN_TRACKING = rule(
    "HC752",
    "campaign-tracking-link",
    Severity.INFO,
    """
    A link carries campaign tracking parameters (`utm_source`, `utm_medium`, ...).

    ## What it does
    Reports links in the body whose query has `utm_` parameters, and offers a safe fix that
    removes them (and nothing else).

    ## Why it matters
    UTM parameters tag a link for a marketing campaign's analytics. In editorial content they are
    either copied by accident (they track readers for someone else) or the mark of a partner link
    that should be disclosed.

    ## Example
    ```markdown
    [guidance](https://example.org/hips?utm_source=newsletter&utm_medium=email)
    ```

    ## Fix
    `[guidance](https://example.org/hips)`; if the link is a paid placement, disclose it.
    """,
    kinds=ARTICLE,
    fixable=True,
)

PRODUCT_UNDISCLOSED = rule(
    "HC753",
    "undisclosed-product-mention",
    Severity.ERROR,
    """
    An article names one of the configured products but has no disclosure.

    ## What it does
    Looks for the names in `product-names` (default: none; exact case, whole words) in the title,
    summary and body prose, and requires a non-empty `disclosure` when it finds one. Code,
    quotations in code, link addresses and comments are not prose.

    ## Why it matters
    A publisher that sells or is paid for products must say so where it mentions them (FTC
    endorsement guides, CAP code, HONcode); a product's name is a surer sign than generic words
    such as "buy now", which undisclosed-promotion (HC306) looks for.

    ## Example
    With `product-names = ["Rock Mat"]`:
    ```markdown
    Stand on a Rock Mat for two minutes a day.
    ```

    ## Fix
    Add `disclosure:` saying the publisher's interest in the product, or remove the mention.
    """,
    kinds=ARTICLE,
)

SPONSORED_UNLABELLED = rule(
    "HC754",
    "sponsored-without-label",
    Severity.ERROR,
    """
    Sponsored content does not show the sponsorship label.

    ## What it does
    For an article with `sponsored: true`, requires the `sponsored-label` (default "Sponsored";
    any case) in its title, summary or disclosure, or in the first paragraph of the body (or a
    heading before it).

    ## Why it matters
    Advertising must be obviously identifiable as advertising before readers engage with it (CAP
    code rule 2.1, FTC guidance on native advertising, HONcode's principle of keeping advertising
    apart from editorial content).

    ## Example
    ```yaml
    title: Five insoles for hip pain
    sponsored: true
    ```

    ## Fix
    Show the label where readers see it first: `title: "Sponsored: five insoles for hip pain"`, or
    `disclosure: Sponsored by ...`.
    """,
    kinds=ARTICLE,
)

# Link targets: a Markdown destination, an autolink, a bare URL (up to whitespace, quotes, brackets).
_URL = re.compile(r"https?://[^\s<>\"'`)\]]+", re.I)
_ANCHOR = re.compile(r"<a\s[^<>]{0,4096}>", re.I)  # stops at the next `<`: linear on hostile input
_ATTRIBUTE = re.compile(r"""([\w:-]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))""")
_ATTRIBUTE_BLOCK = re.compile(r"\)\{([^{}\n]*)\}")  # Pandoc's `[text](url){rel=sponsored}`
_TLD_LABEL = re.compile(r"[a-z]{2,3}")
_TRAILING = ".,;:!?"


@dataclass(frozen=True, slots=True)
class Link:
    start: int  # offsets in the record's text
    end: int
    url: str
    rel: tuple[str, ...] | None  # the rel values; None when the link cannot carry any (plain Markdown)


def _value(match: re.Match[str]) -> str:
    return match.group(2) or match.group(3) or match.group(4) or ""


def links(record: Record) -> list[Link]:
    """Every http(s) link in the body outside code and comments, with its rel values where it has any."""
    body = mask_comments(code_mask(record.body))
    base = record.body_offset
    anchors: list[tuple[int, int, tuple[str, ...]]] = []  # (start, end, rel values) of each <a ...> tag
    for anchor in _ANCHOR.finditer(body):
        attributes = {m.group(1).lower(): _value(m) for m in _ATTRIBUTE.finditer(anchor.group(0))}
        anchors.append((anchor.start(), anchor.end(), tuple(attributes.get("rel", "").lower().split())))
    starts = [a[0] for a in anchors]
    found: list[Link] = []
    for match in _URL.finditer(body):
        url = match.group(0).rstrip(_TRAILING)
        start, end = match.start(), match.start() + len(url)
        i = bisect_right(starts, start) - 1  # the last <a ...> tag starting before the URL: is it inside?
        rel: tuple[str, ...] | None = anchors[i][2] if i >= 0 and end <= anchors[i][1] else None
        if rel is None and (block := _ATTRIBUTE_BLOCK.match(body, end)):
            values = [_value(m) for m in _ATTRIBUTE.finditer(block.group(1)) if m.group(1).lower() == "rel"]
            rel = tuple(" ".join(values).lower().split())
        found.append(Link(base + start, base + end, url.replace("&amp;", "&"), rel))
    return found


@cache
def _pattern(text: str) -> tuple[tuple[str, ...], bool, str | None]:
    host, _, parameter = text.partition("?")
    labels = tuple(host.lower().split("."))
    star = labels[-1] == "*"
    return (labels[:-1] if star else labels), star, (parameter or None)


def _host_matches(host: str, labels: tuple[str, ...], star: bool) -> bool:
    parts = host.lower().rstrip(".").split(".")
    for tail in (1, 2) if star else (0,):
        end = len(parts) - tail
        if tail and not all(_TLD_LABEL.fullmatch(p) for p in parts[end:]):
            continue
        start = end - len(labels)
        if start >= 0 and tuple(parts[start:end]) == labels:
            return True
    return False


def affiliate(url: str, patterns: list[str]) -> bool:
    """Whether `url` matches one of the `affiliate-links` patterns."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
    except ValueError:
        return False
    if not host:
        return False
    query = {name for name, value in parse_qsl(parts.query, keep_blank_values=True) if value.strip()}
    for text in patterns:
        labels, star, parameter = _pattern(text)
        if _host_matches(host, labels, star) and (parameter is None or parameter in query):
            return True
    return False


def _filled(value: object) -> bool:
    return isinstance(value, str) and bool(value.strip())


@record_check(AFFILIATE_UNDISCLOSED, AFFILIATE_NOT_SPONSORED)
def check_affiliate_links(record: Record, ctx: Context) -> Iterator[Finding]:
    patterns = ctx.config.affiliate_links
    if not patterns:
        return
    lines: LineIndex | None = None
    disclosed = _filled(record.data.get("disclosure"))
    for link in links(record):
        if not affiliate(link.url, patterns):
            continue
        lines = lines or line_index(record.text)
        span = lines.span(link.start, link.end)
        if not disclosed:
            yield Finding(
                f"affiliate link '{_short(link.url)}' but the article has no disclosure in the front matter",
                span,
                code=AFFILIATE_UNDISCLOSED.code,
            )
        if link.rel is not None and "sponsored" not in link.rel:
            yield Finding(
                f"affiliate link '{_short(link.url)}' has no rel=\"sponsored\"", span, code=AFFILIATE_NOT_SPONSORED.code
            )


def _short(url: str, limit: int = 80) -> str:
    return url if len(url) <= limit else url[: limit - 3] + "..."


_QUERY_PIECE = re.compile(r"(?:&amp;|[&;])")


def without_tracking(url: str) -> str:
    """`url` (as written) with its `utm_` query parameters removed, and nothing else changed."""
    head, hash_, fragment = url.partition("#")
    path, question, query = head.partition("?")
    if not question:
        return url
    pieces = _QUERY_PIECE.split(query)
    separators = _QUERY_PIECE.findall(query)
    kept: list[str] = []
    for i, piece in enumerate(pieces):
        if piece.lower().startswith("utm_"):
            continue
        if kept:
            kept.append(separators[i - 1] if i else "&")
        kept.append(piece)
    rest = "".join(kept)
    return path + (question + rest if rest else "") + hash_ + fragment


def _tracking(url: str) -> list[str]:
    head = url.partition("#")[0]
    query = head.partition("?")[2]
    return [piece.split("=", 1)[0] for piece in _QUERY_PIECE.split(query) if piece.lower().startswith("utm_")]


@record_check(CAMPAIGN_TRACKING)
def check_campaign_tracking(record: Record, ctx: Context) -> Iterator[Finding]:
    lines: LineIndex | None = None
    for link in links(record):
        written = record.text[link.start : link.end]
        names = _tracking(written)
        if not names:
            continue
        lines = lines or line_index(record.text)
        clean = without_tracking(written)
        fix = Fix(f"remove {', '.join(names)}", (Edit(link.start, link.end, clean),))
        yield Finding(
            f"link '{_short(link.url)}' carries campaign tracking ({', '.join(names)}): remove it, or disclose the "
            "partnership if the link is paid",
            lines.span(link.start, link.end),
            fix=fix,
        )


@cache
def _product_pattern(names: tuple[str, ...]) -> re.Pattern[str]:
    alternatives = "|".join(re.escape(n.strip()).replace(r"\ ", r"\s+") for n in sorted(names, key=len, reverse=True))
    return re.compile(rf"(?<![\w-])(?:{alternatives})(?![\w-])")


@record_check(PRODUCT_UNDISCLOSED)
def check_products(record: Record, ctx: Context) -> Iterator[Finding]:
    names = tuple(n for n in ctx.config.product_names if n.strip())
    if not names or _filled(record.data.get("disclosure")):
        return
    pattern = _product_pattern(names)
    for key in ("title", "summary"):
        value = record.data.get(key)
        if isinstance(value, str) and (match := pattern.search(value)):
            yield Finding(_product_message(match.group(0)), record.span((key,)))
            return
    match = pattern.search(prose_mask(record.body))
    if match:
        start, end = record.body_offset + match.start(), record.body_offset + match.end()
        yield Finding(_product_message(record.text[start:end]), line_index(record.text).span(start, end))


def _product_message(name: str) -> str:
    return f"article names the product '{' '.join(name.split())}' but has no disclosure in the front matter"


_BLOCK = re.compile(r"\S[^\n]*(?:\n[ \t]*\S[^\n]*)*")  # lines up to a blank line


def _opening(body: str) -> str:
    """The body's first paragraph, with the headings before it: what readers see first."""
    seen: list[str] = []
    for block in _BLOCK.finditer(body):
        seen.append(block.group(0))
        if not block.group(0).startswith("#"):
            break
    return "\n".join(seen)


@record_check(SPONSORED_UNLABELLED)
def check_sponsored_label(record: Record, ctx: Context) -> Iterator[Finding]:
    if record.data.get("sponsored") is not True:
        return
    label = " ".join(ctx.config.sponsored_label.split()).lower()
    places = [record.data.get(key) for key in ("title", "summary", "disclosure")]
    places.append(_opening(mask_comments(code_mask(record.body))))
    if any(isinstance(text, str) and label in " ".join(text.split()).lower() for text in places):
        return
    yield Finding(
        f"sponsored article does not show the label '{ctx.config.sponsored_label}' in its title, summary, "
        "disclosure or opening paragraph",
        record.span(("sponsored",)),
    )
