"""Authorship and transparency: who wrote and reviewed an article, with what standing, and how to reach them.

The JAMA benchmarks ask for authors with affiliations and credentials and for disclosed conflicts; HONcode
for authoritative (credentialed) authors, a disclaimer that the information supports rather than replaces
care, and a way to contact the publisher; PIF TICK for a route for user feedback. The requirements are
house policies, off by default; a malformed ORCID iD is always wrong.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from hipcheck.citations import code_mask
from hipcheck.context import Context
from hipcheck.diagnostics import Edit, Finding, Fix, Severity
from hipcheck.identifiers import check_orcid
from hipcheck.loader.records import Record
from hipcheck.loader.yaml_tree import Path
from hipcheck.rules.registry import record_check, rule

ARTICLE = ("article",)

INVALID_ORCID = rule(
    "HC740",
    "invalid-orcid",
    Severity.ERROR,
    """
    An author's or reviewer's ORCID iD is malformed.

    ## What it does
    Checks the `orcid` of every mapping in `authors`, `reviewed_by` and a renderer's `author`:
    sixteen digits in four groups (the last may be X), with the ISO 7064 MOD 11-2 check digit
    ORCID uses, bare or as an `https://orcid.org/` URL.

    ## Why it matters
    The ORCID iD is how readers (and indexers) tell which person with that name wrote or checked
    the article (JAMA's authorship benchmark). One wrong digit names someone else, or no one.

    ## Example
    ```yaml
    authors:
      - name: Josiah Carberry
        orcid: 0000-0002-1825-0098
    ```

    ## Fix
    Copy the iD again from the person's ORCID record.
    """,
    kinds=ARTICLE,
)

NONSTANDARD_ORCID = rule(
    "HC741",
    "nonstandard-orcid",
    Severity.WARNING,
    """
    An ORCID iD is valid but not written in its standard form.

    ## What it does
    Reports an ORCID iD with its check digit right but written unusually: an `http://` or
    `orcid.org/` URL without `https://`, an `ORCID:` label, a lowercase `x`, digits not in groups
    of four. Where the standard form is certain, a safe fix writes it.

    ## Why it matters
    ORCID asks for its iDs to be shown as `https://orcid.org/` URLs or bare iDs; other forms defeat
    matching and linking.

    ## Example
    ```yaml
    reviewed_by:
      - name: Josiah Carberry
        orcid: http://orcid.org/0000-0002-1825-0097
    ```

    ## Fix
    `orcid: https://orcid.org/0000-0002-1825-0097`, or the bare `0000-0002-1825-0097`.
    """,
    kinds=ARTICLE,
    fixable=True,
)

REVIEWER_CREDENTIALS = rule(
    "HC742",
    "reviewer-without-credentials",
    Severity.WARNING,
    """
    No reviewer of the article states credentials.

    ## What it does
    With `require-reviewer-credentials = true` (default false), requires at least one entry of
    `reviewed_by` written as a mapping with non-empty `credentials`. An article with no reviewer
    at all is article-missing-review's (HC302) to report.

    ## Why it matters
    HONcode's first principle (authoritativeness) and the JAMA benchmarks ask that medical advice
    come from, or be checked by, a qualified person, and that readers be told the qualification.

    ## Example
    ```yaml
    reviewed_by: [Jane Doe]
    ```

    ## Fix
    ```yaml
    reviewed_by:
      - name: Jane Doe
        credentials: PT, DPT
        role: medical reviewer
    ```
    """,
    kinds=ARTICLE,
)

MISSING_DISCLAIMER = rule(
    "HC743",
    "missing-disclaimer",
    Severity.WARNING,
    """
    An article has no disclaimer.

    ## What it does
    With `require-disclaimer = true` (default false), requires a non-empty `disclaimer` in the
    front matter or a "Disclaimer" heading in the body.

    ## Why it matters
    HONcode's complementarity principle: health information supports, and does not replace, the
    relationship between a patient and their clinician, and a site says so.

    ## Example
    An article on hip pain with neither `disclaimer:` nor a "Disclaimer" section.

    ## Fix
    Add `disclaimer: This article is general information, not a substitute for advice from your
    own clinician.` (in your words).
    """,
    kinds=ARTICLE,
)

MISSING_CONTACT = rule(
    "HC744",
    "missing-contact",
    Severity.WARNING,
    """
    An article gives readers no way to contact the publisher or give feedback.

    ## What it does
    With `require-contact = true` (default false), requires a non-empty `contact` in the front
    matter, an `email` on an entry of `authors`, `reviewed_by` or a renderer's `author` (a
    corresponding author), a "Contact" or "Feedback" heading in the body, or a `mailto:` link.

    ## Why it matters
    HONcode's transparency principle asks for a contact address; PIF TICK asks for a clear route
    for users to give feedback.

    ## Example
    An article with no `contact:` and no contact section.

    ## Fix
    Add `contact:` with the address or page where readers reach the editors.
    """,
    kinds=ARTICLE,
)

CONFLICTS_UNDECLARED = rule(
    "HC745",
    "conflicts-not-declared",
    Severity.WARNING,
    """
    An author or reviewer has not declared conflicts of interest.

    ## What it does
    With `require-conflicts = true` (default false), requires every entry of `authors` and
    `reviewed_by` to be a mapping with non-empty `conflicts` (in words; "none" when there are
    none). A plain name declares nothing.

    ## Why it matters
    The JAMA benchmarks' disclosure criterion and HONcode's financial-disclosure principle: readers
    weigh advice by who gains from it.

    ## Example
    ```yaml
    authors: [Jane Doe]
    ```

    ## Fix
    ```yaml
    authors:
      - name: Jane Doe
        conflicts: Consults for a maker of running shoes.
    ```
    """,
    kinds=ARTICLE,
)

PEOPLE = ("authors", "reviewed_by")
_HEADING = r"^[ \t]{0,3}#{1,6}[ \t]+"
_DISCLAIMER_HEADING = re.compile(_HEADING + r"(?:medical\s+)?disclaimer\b", re.I | re.M)
_CONTACT_HEADING = re.compile(_HEADING + r"(?:contact|feedback|get\s+in\s+touch)\b", re.I | re.M)
_MAILTO = re.compile(r"\bmailto:[^\s)>\]\"':]{1,256}@", re.I)  # no ':' inside: "mailto:" repeated stays linear


def _filled(value: Any) -> bool:
    return isinstance(value, str) and bool(value.strip())


def _entries(data: dict[str, Any], key: str) -> list[tuple[int | None, Any]]:
    value = data.get(key)
    if isinstance(value, list):
        return list(enumerate(value))
    return [(None, value)] if isinstance(value, dict) else []


def _label(entry: Any, fallback: str) -> str:
    name = entry.get("name") if isinstance(entry, dict) else entry
    if isinstance(name, dict):
        name = " ".join(str(part) for part in name.values() if isinstance(part, str))
    return name.strip() if isinstance(name, str) and name.strip() else fallback


@record_check(INVALID_ORCID, NONSTANDARD_ORCID)
def check_orcids(record: Record, ctx: Context) -> Iterator[Finding]:
    for key in (*PEOPLE, "author"):
        for i, entry in _entries(record.data, key):
            if not isinstance(entry, dict):
                continue
            orcid = entry.get("orcid")
            if not isinstance(orcid, str) or not orcid.strip():
                continue
            result = check_orcid(orcid)
            if result.ok or not result.problem:
                continue
            path: Path = (key, "orcid") if i is None else (key, i, "orcid")
            span = record.span(path)
            who = _label(entry, f"{key}[{i}]" if i is not None else key)
            fix = None
            if result.severity == "warning" and result.fix is not None:
                fix = Fix(
                    f"write '{result.fix}'", (Edit(span.offset, span.end_offset, record.scalar_text(path, result.fix)),)
                )
            code = NONSTANDARD_ORCID.code if result.severity == "warning" else INVALID_ORCID.code
            # "move it to DOI" is for references, which have such a field; a person has none.
            problem = result.problem.split("; move it to ")[0] if result.belongs_in else result.problem
            yield Finding(f"ORCID iD of {who} '{orcid}': {problem}", span, fix=fix, code=code)


def _has_credentials(entry: Any) -> bool:
    if not isinstance(entry, dict):
        return False
    credentials = entry.get("credentials")
    if isinstance(credentials, list):
        return any(_filled(c) for c in credentials)
    return _filled(credentials)


@record_check(REVIEWER_CREDENTIALS)
def check_reviewer_credentials(record: Record, ctx: Context) -> Iterator[Finding]:
    if not ctx.config.require_reviewer_credentials:
        return
    reviewers = [entry for _, entry in _entries(record.data, "reviewed_by") if _label(entry, "")]
    if reviewers and not any(_has_credentials(entry) for entry in reviewers):
        yield Finding(
            "no reviewer states credentials: write a reviewer as {name: ..., credentials: ...}",
            record.span(("reviewed_by",)),
        )


@record_check(MISSING_DISCLAIMER)
def check_disclaimer(record: Record, ctx: Context) -> Iterator[Finding]:
    if not ctx.config.require_disclaimer or _filled(record.data.get("disclaimer")):
        return
    if _DISCLAIMER_HEADING.search(code_mask(record.body)):
        return
    yield Finding("article has no disclaimer: add 'disclaimer' to the front matter", record.span(("disclaimer",)))


@record_check(MISSING_CONTACT)
def check_contact(record: Record, ctx: Context) -> Iterator[Finding]:
    if not ctx.config.require_contact or _filled(record.data.get("contact")):
        return
    people = [entry for key in (*PEOPLE, "author") for _, entry in _entries(record.data, key)]
    if any(isinstance(entry, dict) and _filled(entry.get("email")) for entry in people):
        return  # a corresponding author's address, as Quarto and JOSS write it
    body = code_mask(record.body)
    if _CONTACT_HEADING.search(body) or _MAILTO.search(body):
        return
    yield Finding(
        "article gives no contact or feedback route: add 'contact' to the front matter", record.span(("contact",))
    )


@record_check(CONFLICTS_UNDECLARED)
def check_conflicts(record: Record, ctx: Context) -> Iterator[Finding]:
    if not ctx.config.require_conflicts:
        return
    for key in PEOPLE:
        for i, entry in _entries(record.data, key):
            who = _label(entry, "")
            if not who or (isinstance(entry, dict) and _filled(entry.get("conflicts"))):
                continue
            path: Path = (key,) if i is None else (key, i)
            how = "add 'conflicts'" if isinstance(entry, dict) else "write the entry as {name: ..., conflicts: ...}"
            yield Finding(
                f"{'author' if key == 'authors' else 'reviewer'} '{who}' declares no conflicts of interest: {how} "
                "('none' when there are none)",
                record.span(path),
            )
