"""Currency: an article's review is kept up to date (JAMA "currency", DISCERN, PIF TICK, NHS review dates)."""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Iterator
from typing import Any

from hipcheck.context import Context
from hipcheck.diagnostics import Finding, Severity
from hipcheck.index import ContentIndex
from hipcheck.loader.records import Record
from hipcheck.rules.citekeys import resolver
from hipcheck.rules.reference_dates import date_parts
from hipcheck.rules.registry import index_check, record_check, rule
from hipcheck.textpos import LineIndex, line_index

ARTICLE = ("article",)

REVIEW_OVERDUE = rule(
    "HC730",
    "review-overdue",
    Severity.WARNING,
    """
    An article's last review is older than the review interval.

    ## What it does
    Reports `last_reviewed` when more than `review-interval` months (default 36; 0 turns the rule
    off) have passed since it, as of the day of the run. A review date written as a year alone
    (`last_reviewed: 2020`) or a month (`2020-05`) counts as its last day, so it is reported only
    when even that day is overdue; the schema rules report its form.

    ## Why it matters
    Health guidance changes. The JAMA benchmarks and DISCERN ask readers to check when information
    was produced, and health publishers review on a schedule: the NHS and the HSE show "Page last
    reviewed" and "Next review due" three years apart. An overdue page tells readers the advice
    may be stale.

    ## Example
    ```yaml
    last_reviewed: 2022-03-01
    ```
    checked on 2026-11-21 with the default interval of 36 months (due 2025-03-01).

    ## Fix
    Review the article against current evidence and set `last_reviewed` to the day of the review.
    """,
    kinds=ARTICLE,
)

UNREVIEWED_CHANGES = rule(
    "HC731",
    "changes-not-reviewed",
    Severity.WARNING,
    """
    An article was updated after its last review.

    ## What it does
    Reports `updated` when it is later than `last_reviewed` and than `published` (an `updated`
    equal to `published` records no change since publication, which a review before publishing
    covers).

    ## Why it matters
    The review date promises readers that a qualified person checked what they read; changes made
    since then were not checked. The NHS service manual's review-date pattern is not to be used
    when a page changed but was not reviewed as a whole.

    ## Example
    ```yaml
    updated: 2026-10-02
    last_reviewed: 2026-03-01
    ```

    ## Fix
    Have the changes reviewed and set `last_reviewed`; if the update was a typo fix that needs no
    review, keep `updated` at the last change that did.
    """,
    kinds=ARTICLE,
)

SOURCE_AFTER_REVIEW = rule(
    "HC732",
    "source-after-review",
    Severity.INFO,
    """
    An article cites a source issued after its last review.

    ## What it does
    Compares `last_reviewed` with the `issued` date of every source the article cites, at the
    source's precision (a source of 2026 is not after a review on 2026-03-01; one of 2026-05 is).
    A source issued after the article was published is source-after-article's (HC511) to report.

    ## Why it matters
    The reviewer cannot have checked a source that did not exist yet: it was added after the
    review, or the review date is stale. Worth a look, not necessarily wrong.

    ## Example
    `last_reviewed: 2025-01-10`, `published: 2026-02-01`, and the body cites `[@smith2025]`,
    issued 2025-06.

    ## Fix
    Have the new source and the text that relies on it reviewed, then update `last_reviewed`.
    """,
    kinds=ARTICLE,
)

_PARTIAL = re.compile(r"^\s*(\d{4})(?:-(\d{2}))?\s*$")


def review_date(value: Any) -> tuple[dt.date, bool] | None:
    """The day a review date stands for, and whether it was given in full. A year (2020, "2020") or a
    month ("2020-05") stands for its last day: the latest it can mean, so nothing is reported early."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip()), True
        except ValueError:
            pass
        match = _PARTIAL.match(value)
        if not match:
            return None
        year, month = int(match.group(1)), int(match.group(2) or 12)
    elif isinstance(value, int):
        year, month = value, 12
    else:
        return None
    if not (dt.MINYEAR <= year <= dt.MAXYEAR and 1 <= month <= 12):
        return None
    return dt.date(year, month, calendar.monthrange(year, month)[1]), False


def add_months(day: dt.date, months: int) -> dt.date | None:
    """`day` plus whole months (the 31st becomes the month's last day); None past the calendar's end."""
    total = day.year * 12 + day.month - 1 + months
    year, month = divmod(total, 12)
    if year > dt.MAXYEAR:
        return None
    return dt.date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def _full_date(value: Any) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None


@record_check(REVIEW_OVERDUE, UNREVIEWED_CHANGES)
def check_review_currency(record: Record, ctx: Context) -> Iterator[Finding]:
    raw = record.data.get("last_reviewed")
    reviewed = review_date(raw)
    if reviewed is None:
        return
    day, exact = reviewed
    interval = ctx.config.review_interval
    due = add_months(day, interval) if interval else None
    if due is not None and ctx.today > due:
        shown = day.isoformat() if exact else f"{raw} (read as {day}, its last day: write the full date)"
        yield Finding(
            f"last reviewed {shown}: the review was due by {due} (review-interval is {interval} months); "
            "review the article and update last_reviewed",
            record.span(("last_reviewed",)),
            code=REVIEW_OVERDUE.code,
        )
    updated = _full_date(record.data.get("updated"))
    published = _full_date(record.data.get("published"))
    # `updated` equal to `published` is no change since publication: a review before it covers the article.
    if updated is not None and updated > day and not (published is not None and updated <= published):
        yield Finding(
            f"updated {updated} after the last review ({day if exact else raw}): the changes have not been reviewed",
            record.span(("updated",)),
            code=UNREVIEWED_CHANGES.code,
        )


@index_check(SOURCE_AFTER_REVIEW)
def check_sources_after_review(index: ContentIndex, ctx: Context) -> Iterator[Finding]:
    for record in index.of_kind("article"):
        reviewed = review_date(record.data.get("last_reviewed"))
        citations = index.citations.get(record.path, [])
        if reviewed is None or not citations:
            continue
        review = reviewed[0]
        published = _full_date(record.data.get("published"))
        resolve = resolver(index).resolve
        lines: LineIndex | None = None
        seen: set[str] = set()
        for citation in citations:
            if citation.key == "*" or citation.key in seen:
                continue  # `@*` cites no claim; a source cited again is the same question
            found = resolve(citation.key).ids
            reference = index.get("reference", found[0]) if len(found) == 1 else None
            issued = date_parts(reference.data.get("issued")) if reference is not None else None
            if not issued or not 1 <= len(issued) <= 3:
                continue
            if not _after(issued, review):
                continue
            if published is not None and _after(issued, published):
                continue  # issued after publication: source-after-article (HC511) reports it
            seen.add(citation.key)
            lines = lines or line_index(record.text)
            when = "-".join(f"{p:02d}" if i else str(p) for i, p in enumerate(issued))
            yield Finding(
                f"'{citation.key}' was issued {when}, after the last review ({review}): have it reviewed",
                lines.span(citation.start, citation.end),
                path=record.path,
                related=(f"reference:{found[0]}",),
            )


def _after(issued: tuple[int, ...], day: dt.date) -> bool:
    """Whether a date of 1-3 parts is after `day`, compared at its own precision."""
    return issued > (day.year, day.month, day.day)[: len(issued)]
