"""Identifier syntax in references: DOI, PMID, PMCID, ISBN, ISSN and ORCID, and the field each belongs in."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from hipcheck.context import Context
from hipcheck.diagnostics import Edit, Finding, Fix, Severity
from hipcheck.identifiers import IdCheck, check_field, check_orcid, extract_orcids
from hipcheck.loader.records import Record
from hipcheck.loader.yaml_tree import Path
from hipcheck.rules.registry import record_check, rule

REFERENCE = ("reference",)
FIELDS = ("DOI", "PMID", "PMCID", "ISBN", "ISSN")

INVALID = rule(
    "HC506",
    "invalid-identifier",
    Severity.ERROR,
    """
    A DOI, PMID, PMCID, ISBN, ISSN or ORCID iD is malformed.

    ## What it does
    Checks identifier syntax and check digits: a DOI is `10.<registrant>/<suffix>`; a PMID is 1-8
    digits; a PMCID is `PMC` and digits; ISBN-10/13, ISSN and ORCID iDs (in `custom` or `note`)
    must have a valid check digit. Prefixes copied with the value (`doi:`, `https://doi.org/`,
    `PMID:`) are reported with a safe fix that removes them.

    ## Why it matters
    A malformed identifier links nowhere, and one wrong digit links to a different work; both
    look like evidence to a reader.

    ## Example
    ```yaml
    DOI: https://doi.org/10.1016/j.archger.2021.104499
    ISBN: 0-306-40615-3
    ```

    ## Fix
    `DOI: 10.1016/j.archger.2021.104499` (the fix removes the prefix); re-copy the ISBN from the book.
    """,
    kinds=REFERENCE,
    fixable=True,
)

UNUSUAL_DOI = rule(
    "HC507",
    "nonstandard-identifier",
    Severity.WARNING,
    """
    An identifier is usable but not written in its standard form.

    ## What it does
    Reports identifiers that work but are written unusually: a DOI that passes the basic
    `10.<registrant>/<suffix>` syntax but not Crossref's pattern for modern DOIs, a lowercase
    `pmc`, an ISSN without its hyphen, a `(pbk.)` qualifier in an ISBN, an `http://` ORCID URL.
    Where the standard form is certain, a safe fix writes it.

    ## Why it matters
    Non-standard forms defeat exact matching (duplicate detection, lookups, link checkers), and
    an odd DOI is often a copy error (a stray character or smart quote); a few older DOIs
    legitimately fail Crossref's pattern, which is why this is a warning.

    ## Example
    ```yaml
    PMCID: pmc1234567
    ISSN: "03785955"
    ```

    ## Fix
    `PMCID: PMC1234567`, `ISSN: 0378-5955`; re-copy an odd DOI from doi.org and keep it if it
    resolves as written.
    """,
    kinds=REFERENCE,
    fixable=True,
)

WRONG_FIELD = rule(
    "HC508",
    "identifier-in-wrong-field",
    Severity.ERROR,
    """
    An identifier sits in the field of another kind of identifier.

    ## What it does
    Recognizes a PMCID in `PMID`, a DOI in `PMID`, an ISSN in `ISBN`, an ISBN in `ISSN`, and so
    on, and names the field it belongs in.

    ## Why it matters
    Tools look identifiers up by field: a PMCID in `PMID` finds nothing, or a different paper.

    ## Example
    ```yaml
    PMID: PMC8575748
    ```

    ## Fix
    Move the value to the field it belongs in (`PMCID`).
    """,
    kinds=REFERENCE,
)


def _orcid_values(value: Any, path: Path) -> Iterator[tuple[Path, str]]:
    """ORCID iDs kept in `custom` (any key mentioning orcid) or written in `note`."""
    if isinstance(value, dict):
        for key, child in value.items():
            if isinstance(child, str) and "orcid" in str(key).lower():
                yield (*path, key), child
            else:
                yield from _orcid_values(child, (*path, key))
    elif isinstance(value, list):
        for i, child in enumerate(value):
            yield from _orcid_values(child, (*path, i))


def _checks(record: Record) -> Iterator[tuple[Path, str, IdCheck]]:
    """(where, what to call it, result) for every identifier the record carries."""
    for name in FIELDS:
        value = record.data.get(name)
        if isinstance(value, str | int) and not isinstance(value, bool) and str(value).strip():
            result = check_field(name, value)
            if result is not None:
                yield (name,), name, result
    for path, value in _orcid_values(record.data.get("custom"), ("custom",)):
        yield path, "ORCID iD", check_orcid(value)
    note = record.data.get("note")
    if isinstance(note, str):
        for found in extract_orcids(note):
            yield ("note",), "ORCID iD in note", check_orcid(found)


@record_check(INVALID, UNUSUAL_DOI, WRONG_FIELD)
def check_identifiers(record: Record, ctx: Context) -> Iterator[Finding]:
    for path, label, result in _checks(record):
        if result.ok or not result.problem:
            continue
        span = record.span(path)
        fix = None
        if result.fix is not None and path[0] != "note":
            new = record.scalar_text(path, result.fix)
            fix = Fix(f"write '{result.fix}'", (Edit(span.offset, span.end_offset, new),))
        if result.belongs_in is not None:
            code = WRONG_FIELD.code
        elif result.severity == "warning":
            code = UNUSUAL_DOI.code
        else:
            code = INVALID.code
        yield Finding(f"{label} '{result.value}': {result.problem}", span, fix=fix, code=code)
