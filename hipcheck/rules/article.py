"""Article completeness: metadata readers and regulators expect, images, and disclosures."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from functools import cache
from typing import Any

from hipcheck.bibliography import is_bibliography_file, named_bibliographies, resolve
from hipcheck.citations import code_mask, prose_mask
from hipcheck.context import Context
from hipcheck.diagnostics import Finding, Severity
from hipcheck.index import ContentIndex
from hipcheck.loader.records import Record
from hipcheck.rules.registry import index_check, record_check, rule
from hipcheck.textpos import line_index

ARTICLE = ("article",)

MISSING_METADATA = rule(
    "HC301",
    "article-missing-metadata",
    Severity.ERROR,
    """
    An article lacks a title, summary, author or publication date.

    ## What it does
    Requires non-empty `title`, `summary`, at least one author, and `published`. An author is an
    entry of `authors` (a name, or a mapping with a `name` as JOSS and Manubot write it) or of a
    renderer's `author` (Pandoc, Quarto, R Markdown: a name, a list, or mappings with a `name`).

    ## Why it matters
    Readers and search engines judge health content by who wrote it and when; an anonymous,
    undated article is the first thing a medical reviewer or a platform policy rejects.

    ## Example
    ```markdown
    ---
    title: Are the hips and flat feet connected?
    ---
    ```

    ## Fix
    Add `summary`, `authors: [Name]` and `published: 2026-11-20` to the front matter.
    """,
    kinds=ARTICLE,
)

MISSING_REVIEW = rule(
    "HC302",
    "article-missing-review",
    Severity.ERROR,
    """
    An article has no reviewer or no last-reviewed date.

    ## What it does
    Requires at least one entry in `reviewed_by` and a `last_reviewed` date.

    ## Why it matters
    Health advice must be checked by a qualified reviewer and re-checked over time; readers are
    told who did it and when.

    ## Example
    ```yaml
    authors: [Jane Doe]
    published: 2026-11-20
    ```

    ## Fix
    Add `reviewed_by: [Reviewer Name]` and `last_reviewed: 2026-11-20`.
    """,
    kinds=ARTICLE,
)

DATE_ORDER = rule(
    "HC303",
    "article-date-order",
    Severity.ERROR,
    """
    An article's dates are out of order or in the future.

    ## What it does
    Requires `published` ≤ `updated`, and `updated` and `last_reviewed` not after today.

    ## Why it matters
    An update before publication, or a review dated next month, is a typo that tells readers the
    article is fresher than it is.

    ## Example
    ```yaml
    published: 2026-03-01
    updated: 2025-03-01
    ```

    ## Fix
    Correct the date that is wrong (often a year typo).
    """,
    kinds=ARTICLE,
)

IMAGE_CREDIT = rule(
    "HC304",
    "image-missing-credit",
    Severity.ERROR,
    """
    An image has no credit.

    ## What it does
    Requires a non-empty `credit` on every entry of `images`, and reports body lines such as
    "Photo source:" or "Image credit:" with nothing after them.

    ## Why it matters
    Publishing a photo without its credit breaks most image licences and is the first thing a
    rights holder's claim cites.

    ## Example
    ```yaml
    images:
      - src: images/foot-arches.jpg
        alt: The three arches of the foot
        credit: ""
    ```

    ## Fix
    Write the photographer or source and licence in `credit`, or remove the image.
    """,
    kinds=ARTICLE,
)

IMAGE_ALT = rule(
    "HC305",
    "image-missing-alt",
    Severity.WARNING,
    """
    An image has no alternative text.

    ## What it does
    Requires a non-empty `alt` on every entry of `images` and on every Markdown image in the body.

    ## Why it matters
    Screen-reader users get nothing from an image without alt text; accessibility rules (WCAG
    1.1.1) require it.

    ## Example
    ```markdown
    ![](images/hip-muscles.jpg)
    ```

    ## Fix
    Describe what the image shows: `![The muscles of the hip, front view](images/hip-muscles.jpg)`.
    """,
    kinds=ARTICLE,
)

UNDISCLOSED_PROMOTION = rule(
    "HC306",
    "undisclosed-promotion",
    Severity.ERROR,
    """
    An article promotes products without a disclosure.

    ## What it does
    Looks for commercial terms (configurable as `commercial-terms`; by default "products", "buy
    now", "discount", "promo code", "affiliate", "sponsored", ...) and trademark signs in the
    title, summary and body prose, and requires a non-empty `disclosure` when it finds one.

    ## Why it matters
    Advertising rules (the FTC's endorsement guides, the UK's CAP code) require readers to be told
    when content promotes the publisher's own or paid-for products, and health claims next to
    products draw the most scrutiny.

    ## Example
    ```markdown
    But what if your foot strength is good because you've been regularly using your
    Toe Spacer products (Toe Spacers + Mobility Band + Rock Mat)?
    ```

    ## Fix
    Add `disclosure: This article mentions products sold by the publisher.` (in your words) to
    the front matter, or remove the promotion.
    """,
    kinds=ARTICLE,
)

BIBLIOGRAPHY_NOT_READ = rule(
    "HC307",
    "bibliography-not-read",
    Severity.ERROR,
    """
    A bibliography the article names cannot be read.

    ## What it does
    An article's `bibliography:` (a file name or a list, relative to the article, as Pandoc,
    Quarto, R Markdown, Manubot and JOSS read it) names `.bib` (BibTeX), `.json` (CSL-JSON) or
    `.yaml` (CSL YAML: a `references:` list) files. hipcheck reads them in place as reference
    records: the article's citations resolve against them, and every reference rule checks their
    entries at their lines. This rule reports, at the name, a file that is not there, one of
    another format, one outside `articles/` (where hipcheck looks for bibliographies), and one that
    could not be read (its own findings say why) or holds no references.

    ## Why it matters
    The renderer stops, or renders every citation of the article as "(?)", when its bibliography
    is missing or broken.

    ## Example
    ```markdown
    ---
    title: Hip strength in runners
    bibliography: [refs.bib, old-refs.ris]
    ---
    ```
    with no `refs.bib` beside the article.

    ## Fix
    Add the file beside the article (or correct its name), convert it to BibTeX or CSL-JSON, or
    fix what the file's own findings report.
    """,
    kinds=ARTICLE,
)

# `[^\S\n]` is any whitespace but a newline: the seed's empty credit ends in a non-breaking space.
_CREDIT_LINE = re.compile(r"^[^\S\n]*(?:photo|image|picture)[^\S\n]+(?:source|credit)s?[^\S\n]*:[^\S\n]*$", re.I | re.M)
_BODY_IMAGE = re.compile(r"!\[(?P<alt>[^\]]*)\]\((?P<src>[^)\s]*)[^)]*\)")


def _filled(value: Any) -> bool:
    return isinstance(value, str) and bool(value.strip())


def _named(value: Any) -> bool:
    """A name as authors write one: text, or a mapping with a `name` (JOSS, Manubot, Quarto)."""
    if isinstance(value, dict):
        name = value.get("name")
        return _filled(name) or (isinstance(name, dict) and any(_filled(part) for part in name.values()))
    return _filled(value)


def _has_author(data: dict[str, Any]) -> bool:
    """hipcheck's `authors`, or a renderer's `author` (Pandoc, Quarto, R Markdown: text, a list, mappings)."""
    for key in ("authors", "author"):
        value = data.get(key)
        if any(_named(v) for v in (value if isinstance(value, list) else [value])):
            return True
    return False


@record_check(MISSING_METADATA)
def check_metadata(record: Record, ctx: Context) -> Iterator[Finding]:
    data = record.data
    for key, ok, what in (
        ("title", _filled(data.get("title")), "title"),
        ("summary", _filled(data.get("summary")), "summary"),
        ("authors", _has_author(data), "author"),
        ("published", _filled(data.get("published")), "published date"),
    ):
        if not ok:
            yield Finding(f"article has no {what}: add '{key}' to the front matter", record.span((key,)))


@record_check(MISSING_REVIEW)
def check_review(record: Record, ctx: Context) -> Iterator[Finding]:
    data = record.data
    reviewers = data.get("reviewed_by")
    if not (isinstance(reviewers, list) and any(_named(v) for v in reviewers)):  # names or {name, credentials}
        yield Finding("article has no reviewer: add 'reviewed_by' to the front matter", record.span(("reviewed_by",)))
    # A date in the wrong form (a bare year, 2020) is the schema's to report: the article has a review date.
    reviewed = data.get("last_reviewed")
    if not (_filled(reviewed) or (isinstance(reviewed, int) and not isinstance(reviewed, bool))):
        yield Finding(
            "article has no review date: add 'last_reviewed' to the front matter", record.span(("last_reviewed",))
        )


def _date(value: Any) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None  # reported by the schema rule


@record_check(DATE_ORDER)
def check_dates(record: Record, ctx: Context) -> Iterator[Finding]:
    published = _date(record.data.get("published"))
    updated = _date(record.data.get("updated"))
    if published and updated and updated < published:
        yield Finding(f"updated ({updated}) is before published ({published})", record.span(("updated",)))
    for key in ("updated", "last_reviewed"):
        value = _date(record.data.get(key))
        if value and value > ctx.today:
            yield Finding(f"{key} ({value}) is in the future (today is {ctx.today})", record.span((key,)))


def _images(record: Record) -> list[tuple[int, dict[str, Any]]]:
    images = record.data.get("images")
    if not isinstance(images, list):
        return []
    return [(i, image) for i, image in enumerate(images) if isinstance(image, dict)]


@record_check(IMAGE_CREDIT)
def check_image_credit(record: Record, ctx: Context) -> Iterator[Finding]:
    for i, image in _images(record):
        if not _filled(image.get("credit")):
            name = image.get("src") or f"images[{i}]"
            path = ("images", i, "credit") if "credit" in image else ("images", i, "src")
            yield Finding(f"image '{name}' has no credit", record.span(path))
    lines = line_index(record.text)
    prose = prose_mask(record.body)  # a credit line inside code or a comment is not a credit
    for match in _CREDIT_LINE.finditer(prose):
        following = prose[match.end() + 1 :].split("\n", 1)[0]
        if following.strip():
            continue  # "Photo source:" with the source on the next line: Markdown joins the two
        start = record.body_offset + match.start()
        line = match.group(0).strip()
        yield Finding(f"'{line}' names no source", lines.span(start, record.body_offset + match.end()))


@record_check(IMAGE_ALT)
def check_image_alt(record: Record, ctx: Context) -> Iterator[Finding]:
    for i, image in _images(record):
        if not _filled(image.get("alt")):
            path = ("images", i, "alt") if "alt" in image else ("images", i, "src")
            yield Finding(f"image '{image.get('src') or f'images[{i}]'}' has no alt text", record.span(path))
    lines = line_index(record.text)
    masked = code_mask(record.body)  # keep link destinations: the image's src is one
    for match in _BODY_IMAGE.finditer(masked):
        if not match.group("alt").strip():
            start = record.body_offset + match.start()
            yield Finding(
                f"image '{match.group('src')}' has no alt text",
                lines.span(start, record.body_offset + match.end()),
            )


@cache
def _promotion_pattern(terms: tuple[str, ...]) -> re.Pattern[str]:
    words = "|".join(re.escape(t).replace(r"\ ", r"\s+") for t in sorted(terms, key=len, reverse=True))
    # Up to three capitalised words before the term name the product ("Toe Spacer products").
    return re.compile(rf"(?:[A-Z][\w'-]*\s+){{0,3}}\b(?i:{words})\b|\b\w+[™®]")


@record_check(UNDISCLOSED_PROMOTION)
def check_promotion(record: Record, ctx: Context) -> Iterator[Finding]:
    if _filled(record.data.get("disclosure")) or not ctx.config.commercial_terms:
        return
    pattern = _promotion_pattern(tuple(ctx.config.commercial_terms))
    for key in ("title", "summary"):
        value = record.data.get(key)
        if isinstance(value, str) and (match := pattern.search(value)):
            yield Finding(_promotion_message(match.group(0)), record.span((key,)))
            return
    masked = prose_mask(record.body)
    match = pattern.search(masked)
    if match:
        lines = line_index(record.text)
        start, end = record.body_offset + match.start(), record.body_offset + match.end()
        yield Finding(_promotion_message(record.text[start:end]), lines.span(start, end))


def _promotion_message(phrase: str) -> str:
    phrase = " ".join(phrase.split())
    return f"article promotes products ('{phrase}') but has no disclosure in the front matter"


@index_check(BIBLIOGRAPHY_NOT_READ)
def check_bibliographies(index: ContentIndex, ctx: Context) -> Iterator[Finding]:
    # Looked up in the index, not on disk: the files the run read are the ones citations resolved against.
    by_path: dict[str, list[Record]] = {}
    for record in index.of_kind("reference"):
        by_path.setdefault(record.path, []).append(record)
    for article in index.of_kind("article"):
        if not article.loaded:
            continue
        for path, name in named_bibliographies(article.data):
            problem = _bibliography_problem(article.path, resolve(article.path, name), name, by_path)
            if problem:
                yield Finding(problem, article.span(path), path=article.path)


def _bibliography_problem(article: str, display: str, name: str, by_path: dict[str, list[Record]]) -> str | None:
    if not is_bibliography_file(name):
        return f"bibliography '{name}' is not read: hipcheck reads .bib, .json (CSL-JSON) and .yaml (CSL YAML) files"
    records = by_path.get(display)
    if records is None:
        parts = article.split("/")
        # The article's articles/ folder (its last one: a content root's own path may hold the word too).
        folder = "/".join(parts[: len(parts) - parts[::-1].index("articles")]) + "/" if "articles" in parts else ""
        if not display.startswith(folder):
            return f"bibliography '{name}' is outside articles/, where hipcheck reads bibliographies"
        return f"bibliography '{name}' not found"
    if any(r.loaded for r in records):
        return None
    if any(r.issues for r in records):
        return f"bibliography '{name}' could not be read: see the findings in that file"
    return f"bibliography '{name}' holds no references: a CSL-JSON array or a `references:` list"
