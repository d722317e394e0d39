"""Dates in references (HC509-HC512): valid CSL dates, written as date-parts, not after the article
citing them, not older than the configured limit."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterator
from typing import Any

from hipcheck.context import Context
from hipcheck.csl import CSL_DATE_FIELDS
from hipcheck.diagnostics import Edit, Finding, Fix, Severity
from hipcheck.index import ContentIndex
from hipcheck.loader.records import Record
from hipcheck.loader.yaml_tree import Path
from hipcheck.rules.citekeys import resolver
from hipcheck.rules.references import REFERENCE, cited_keys
from hipcheck.rules.registry import index_check, record_check, rule

BAD_DATE = rule(
    "HC509",
    "invalid-reference-date",
    Severity.ERROR,
    """
    A reference date is impossible or in the future.

    ## What it does
    Checks every CSL date (`issued`, `accessed`, ...): year, month (1-12) and day must form a
    real date, and none may be after today.

    ## Why it matters
    A typo in a year misdates the evidence; a date in the future is always a typo.

    ## Example
    ```yaml
    issued: {date-parts: [[2021, 13, 1]]}
    ```

    ## Fix
    Correct the date from the source.
    """,
    kinds=REFERENCE,
)

DATE_STRING = rule(
    "HC510",
    "csl-date-string",
    Severity.ERROR,
    """
    A reference date is written as a string or a number, not as CSL date-parts.

    ## What it does
    Accepts ISO dates such as `issued: 2021-08-11` (or a bare year) when reading, and reports
    them with the CSL form as a safe fix: `issued: {"date-parts": [[2021, 8, 11]]}`.

    ## Why it matters
    CSL processors (pandoc, Zotero, citeproc) expect `date-parts`; a plain string is dropped or
    misread, and the reference loses its year in the bibliography.

    ## Example
    ```yaml
    issued: 2021-08-11
    ```

    ## Fix
    `issued: {"date-parts": [[2021, 8, 11]]}` (the fix writes it for you).
    """,
    kinds=REFERENCE,
    fixable=True,
)

NEWER_THAN_ARTICLE = rule(
    "HC511",
    "source-after-article",
    Severity.ERROR,
    """
    An article cites a source issued after the article was published.

    ## What it does
    Compares an article's `published` date with the `issued` date of every source it cites.

    ## Why it matters
    An article cannot rely on evidence that did not exist yet: either the citation points at the
    wrong source, or one of the dates is wrong.

    ## Example
    An article `published: 2020-05-01` cites `[@ikezoe2021]`, issued in 2021.

    ## Fix
    Correct the citation or the date; if the article was revised, set `updated` and keep
    `published`.
    """,
    kinds=("article",),
)

OLD_SOURCE = rule(
    "HC512",
    "old-source",
    Severity.INFO,
    """
    A cited source is older than the configured age.

    ## What it does
    Reports references issued more than `source-max-age` years ago (default 25; 0 turns the rule
    off), as information for the reviewer.

    ## Why it matters
    Health guidance changes; old evidence may have been superseded and deserves a second look at
    review time.

    ## Example
    With `source-max-age = 10`, a source issued in 2005 is reported in 2026.

    ## Fix
    Check for newer evidence; keep the source if it still stands.
    """,
    kinds=REFERENCE,
)

_ISO = re.compile(r"^\s*(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?\s*$")


def date_parts(value: Any) -> tuple[int, ...] | None:
    """The first (start) date of a CSL date as integers, or None if there is none.

    ISO strings and bare years are read too: csl-date-string reports their form, the date rules
    still judge their content.
    """
    if isinstance(value, int) and not isinstance(value, bool):
        return (value,)
    if isinstance(value, str):
        match = _ISO.match(value)
        return tuple(int(g) for g in match.groups() if g) if match else None
    if not isinstance(value, dict):
        return None
    parts = value.get("date-parts")
    if not isinstance(parts, list) or not parts or not isinstance(parts[0], list):
        return None
    numbers = []
    for part in parts[0][:3]:
        if isinstance(part, bool):
            return None
        whole = isinstance(part, int | float) and float(part).is_integer()
        if not (whole or (isinstance(part, str) and part.strip().isdigit())):
            return None
        numbers.append(int(part))
    return tuple(numbers) or None


def _date_problem(parts: tuple[int, ...], today: dt.date) -> str | None:
    year, month, day = (*parts, 1, 1)[:3]
    if not 1000 <= year <= 9999:
        return f"year {year} is not a four-digit year"
    if len(parts) > 1 and not 1 <= month <= 12:
        return f"month {month} is not 1-12"
    try:
        when = dt.date(year, month, day)
    except ValueError:
        return f"{year}-{month:02d}-{day:02d} is not a real date"
    if (len(parts) == 1 and year > today.year) or when > today:
        return f"{'-'.join(str(p) for p in parts)} is in the future"
    return None


@record_check(BAD_DATE)
def check_dates(record: Record, ctx: Context) -> Iterator[Finding]:
    for field in CSL_DATE_FIELDS:
        value = record.data.get(field)
        dates: list[tuple[Path, tuple[int, ...] | None]] = [((field,), date_parts(value))]
        if isinstance(value, dict):
            ranges = value.get("date-parts")
            dates = [
                ((field, "date-parts", i), date_parts({"date-parts": [parts]}))
                for i, parts in enumerate(ranges if isinstance(ranges, list) else [])
            ]
        for path, numbers in dates:
            problem = _date_problem(numbers, ctx.today) if numbers else None
            if problem:
                yield Finding(f"{field}: {problem}", record.span(path))


@record_check(DATE_STRING)
def check_date_strings(record: Record, ctx: Context) -> Iterator[Finding]:
    for field in CSL_DATE_FIELDS:
        value = record.data.get(field)
        if isinstance(value, bool) or not isinstance(value, str | int):
            continue
        span = record.span((field,))
        match = _ISO.match(str(value))
        if match:
            parts = [int(g) for g in match.groups() if g]
            replacement = json.dumps({"date-parts": [parts]})
            message = f"{field} '{value}' is not a CSL date; write {replacement}"
            fix = None  # an impossible date gets no automatic rewrite: invalid-reference-date says why
            if _date_problem(tuple(parts), dt.date.max) is None:
                fix = Fix(f"write {replacement}", (Edit(span.offset, span.end_offset, replacement),))
        else:
            replacement = json.dumps({"raw": str(value)})
            fix = Fix(f"write {replacement}", (Edit(span.offset, span.end_offset, replacement),), safe=False)
            message = f"{field} '{value}' is not a CSL date; write date-parts, or {replacement} to keep the text"
        yield Finding(message, span, fix=fix)


def _issued(record: Record | None) -> tuple[int, ...] | None:
    return date_parts(record.data.get("issued")) if record is not None else None


@index_check(NEWER_THAN_ARTICLE)
def check_source_dates(index: ContentIndex, ctx: Context) -> Iterator[Finding]:
    from hipcheck.textpos import line_index

    for record in index.of_kind("article"):
        published = record.data.get("published")
        try:
            day = dt.date.fromisoformat(published) if isinstance(published, str) else None
        except ValueError:
            day = None
        if day is None:
            continue
        lines = None
        resolve = resolver(index).resolve
        for citation in index.citations.get(record.path, []):
            if citation.key == "*":
                continue  # `@*` lists the bibliography; it cites no claim
            found = resolve(citation.key).ids  # by id, or Manubot's `@doi:...` / `@tag:...`
            issued = _issued(index.get("reference", found[0])) if len(found) == 1 else None
            if issued is None:
                continue
            # Compare at the source's precision: a source of 2020-09 is after 2020-05-01, one of 2020 is not.
            after = issued > (day.year, day.month, day.day)[: len(issued)]
            if after:
                lines = lines or line_index(record.text)
                when = "-".join(f"{p:02d}" if i else str(p) for i, p in enumerate(issued))
                yield Finding(
                    f"'{citation.key}' was issued {when}, after this article was published ({day})",
                    lines.span(citation.start, citation.end),
                    path=record.path,
                    related=(f"reference:{citation.key}",),
                )


@index_check(OLD_SOURCE)
def check_old_sources(index: ContentIndex, ctx: Context) -> Iterator[Finding]:
    limit = ctx.config.source_max_age
    if not limit:
        return
    if not (index.of_kind("article") or index.of_kind("exercise")):
        return  # a library of references, not a site: nothing in it cites, so nothing is "never cited"
    cited = index.memo("cited-keys", cited_keys)
    for record in index.of_kind("reference"):
        issued = _issued(record)
        if issued is None or record.id not in cited:
            continue
        age = ctx.today.year - issued[0]
        if age > limit:
            yield Finding(
                f"source issued {issued[0]} is {age} years old (more than {limit}): check for newer evidence",
                record.span(("issued",)),
                path=record.path,
            )
