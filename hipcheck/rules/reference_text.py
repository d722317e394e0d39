"""Reference text defects seen in real bibliographies: mojibake, malformed page ranges, placeholder keys.

Each was found in a real .bib file (tests/realworld/TRIAGE.md) and is checked in every reference
record, not only at import: records are also written by hand or copied from other tools.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from hipcheck.context import Context
from hipcheck.csl import CSL_NAME_FIELDS
from hipcheck.diagnostics import Finding, Severity
from hipcheck.loader.records import Record
from hipcheck.rules.references import field_label, walk_values
from hipcheck.rules.registry import record_check, rule

REFERENCE = ("reference",)

MOJIBAKE = rule(
    "HC540",
    "reference-mojibake",
    Severity.ERROR,
    """
    A reference's text has characters lost or garbled by a wrong encoding.

    ## What it does
    Reports text fields that contain the replacement character `�` (U+FFFD), UTF-8 read as
    Latin-1 (`Ã©` for é, `â€™` for ’), any `?` in a person's name (`G??Mez`), or a `?` inside
    a word of a title, container title or publisher. Abstracts and notes are not checked.

    ## Why it matters
    A name or title garbled on its way through a reference manager is printed as it is, and a
    reader cannot search for it; the original letters are gone and must be restored by hand.

    ## Example
    ```yaml
    author:
      - {family: G??Mez, given: J}
    ```

    ## Fix
    Copy the text again from the source (the publisher's page or the DOI's metadata) and save the
    file as UTF-8.
    """,
    kinds=REFERENCE,
)

PAGE_RANGE = rule(
    "HC541",
    "malformed-page-range",
    Severity.WARNING,
    """
    A reference's page range is not written with a hyphen or an en dash.

    ## What it does
    Reports a `page` whose two numbers are separated only by spaces (`103 145`), or by an em dash,
    a minus sign, a horizontal bar or a doubled hyphen (`284—289`, `14--21`). Lists (`12, 15-18`),
    single pages, article numbers (`e1234`) and abbreviated ranges (`1234-56`) pass.

    ## Why it matters
    Citation styles format a range only when it is written with `-` or `–`: `103 145` reads as one
    page number, and `284—289` keeps a dash no style uses.

    ## Example
    ```yaml
    page: 103 145
    ```

    ## Fix
    Write the range with a hyphen (`103-145`); check the pages against the source when the
    separator was lost.
    """,
    kinds=REFERENCE,
)

PLACEHOLDER_KEY = rule(
    "HC542",
    "placeholder-reference-key",
    Severity.ERROR,
    """
    A reference's key is a placeholder a tool wrote for a missing value (`undefined`, `null`).

    ## What it does
    Reports a reference whose `id` or `citation-key` is `undefined`, `null`, `none`, `nan` or
    `[object Object]` (in any letter case).

    ## Why it matters
    These keys come from an export script that found no key; a second such record collides with
    the first, and `[@undefined]` in an article says nothing about the work cited.

    ## Example
    ```yaml
    id: undefined
    ```

    ## Fix
    Give the record a real key (first author's family name and year, `hammarstrom2020`) and cite it
    by that key.
    """,
    kinds=REFERENCE,
)

_MOJIBAKE = re.compile(r"\ufffd|Ã[\u0080-\u00bf]|â€")
_QUESTION_IN_WORD = re.compile(r"\w\?+\w")  # G??Mez; only in prose fields (URLs and ids have `?id=`)
_PROSE_FIELDS = frozenset(
    {"title", "title-short", "container-title", "collection-title", "publisher", "publisher-place", "event-title"}
)
_PAGE_BAD_SEPARATOR = re.compile(r"\w\s*(?:[—―−]|--+)\s*\w")
_PAGE_SPACES_ONLY = re.compile(r"^\s*[A-Za-z]*\d+\s+[A-Za-z]*\d+\s*$")
_PLACEHOLDERS = frozenset({"undefined", "null", "none", "nan", "[object object]"})
# Free text whose mojibake is not a defect of the record itself (an abstract may quote anything).
_SKIPPED = frozenset({"abstract", "note", "URL", "DOI"})


@record_check(MOJIBAKE)
def check_mojibake(record: Record, ctx: Context) -> Iterator[Finding]:
    for key, value in record.data.items():
        if key in _SKIPPED:
            continue
        for path, text in ((p, v) for p, v in walk_values(value, (key,)) if isinstance(v, str)):
            found = _MOJIBAKE.search(text)
            if found is None and key in CSL_NAME_FIELDS:
                found = re.search(r"\?+", text)
            elif found is None and key in _PROSE_FIELDS:
                found = _QUESTION_IN_WORD.search(text)
            if found:
                what = f"{field_label(path)} has garbled characters ({found.group(0)!r} in {text!r})"
                yield Finding(f"{what}: copy it again from the source", record.span(path))


@record_check(PAGE_RANGE)
def check_page_range(record: Record, ctx: Context) -> Iterator[Finding]:
    page = record.data.get("page")
    if isinstance(page, str) and (_PAGE_BAD_SEPARATOR.search(page) or _PAGE_SPACES_ONLY.match(page)):
        yield Finding(f"page {page!r} is not a range written with '-' or '–'", record.span(("page",)))


@record_check(PLACEHOLDER_KEY)
def check_placeholder_key(record: Record, ctx: Context) -> Iterator[Finding]:
    for key in ("id", "citation-key"):
        value = record.data.get(key)
        if isinstance(value, str) and value.strip().casefold() in _PLACEHOLDERS:
            yield Finding(
                f"{key} '{value}' is a placeholder, not a key: give the record a real one", record.span((key,))
            )
