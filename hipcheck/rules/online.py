"""Online verification: DOIs and PMIDs exist, name the work the record describes, and were not retracted.

The rules read results that `hipcheck.online.verify_references` put on the context (from the cache, and
from the services with `--online`); they ask no service themselves. Comparing at check time, rather
than caching verdicts, keeps findings right after a record is edited, offline too.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from typing import Any

from hipcheck.context import Context
from hipcheck.diagnostics import Finding, Severity
from hipcheck.identifiers import check_doi, check_pmid, doi_key
from hipcheck.loader.records import Record
from hipcheck.online.compare import Disagreement, disagreements
from hipcheck.online.results import Result, Update, doi_cache_key, pmid_cache_key, shown
from hipcheck.online.settings import OnlineSettings
from hipcheck.rules.registry import record_check, rule

REFERENCE = ("reference",)

DOI_NOT_FOUND = rule(
    "HC520",
    "doi-not-found",
    Severity.ERROR,
    """
    A reference's DOI does not exist.

    ## What it does
    With `hipcheck check --online`, asks doi.org's handle API whether the DOI is registered, and
    reports it when doi.org answers that it is not. The answer is kept in the verification cache
    (`.hipcheck/verification.json`), so later runs without `--online` report it too.

    ## Why it matters
    A DOI that resolves nowhere leaves readers with no way to the source, and is usually a typo
    that may happen to name another paper after the next registration.

    ## Example
    ```yaml
    DOI: 10.5555/hipcheck.missing
    ```
    answered by doi.org with "handle not found" (responseCode 100).

    ## Fix
    Copy the DOI from the publisher's page or the paper itself; remove it if the work has none.
    """,
    kinds=REFERENCE,
)

DOI_MISMATCH = rule(
    "HC521",
    "doi-metadata-mismatch",
    Severity.ERROR,
    """
    A reference's DOI names a different work than the record describes.

    ## What it does
    Compares the record with Crossref's metadata for its DOI: the title (similarity of words after
    removing case, punctuation and markup, `title-similarity` in `[tool.hipcheck.online]`), the
    year (one year apart is fine: online-first and print dates differ), the first author's family
    name, and the journal (an abbreviation such as "Arch Gerontol Geriatr" matches "Archives of
    Gerontology and Geriatrics"). It names every field that disagrees and what Crossref has.

    ## Why it matters
    A DOI copied from the neighbouring entry of a bibliography sends readers to a paper that does not
    say what the article claims, and every tool that trusts the DOI inherits the error.

    ## Example
    A record titled "Weak hip flexor strength predicts progression of functional capacity decline..."
    whose `DOI` is that of an unrelated paper from another year and journal.

    ## Fix
    Look the work up by its title and correct the DOI; if the DOI is right, correct the record's
    title, year, authors or journal from the source.
    """,
    kinds=REFERENCE,
)

RETRACTED = rule(
    "HC522",
    "retracted",
    Severity.ERROR,
    """
    A cited work has been retracted (or the DOI is a retraction notice).

    ## What it does
    Reports a DOI whose Crossref record lists a retraction, partial retraction, withdrawal or
    removal in its update relations (`updated-by`), and a DOI that is itself such a notice
    (`update-to`). Retraction status is re-checked more often than existence (`retraction-ttl-days`,
    14 by default), and cached so that runs without `--online` still report a known retraction.

    ## Why it matters
    Health advice resting on retracted evidence misleads readers; retractions come after
    publication, often years later, so a reference that was fine when cited can stop being so.

    ## Example
    ```yaml
    DOI: 10.5555/hipcheck.retracted
    ```
    where Crossref lists `updated-by: [{type: retraction, DOI: 10.5555/hipcheck.retraction-notice}]`.

    ## Fix
    Remove the claim that relies on the work or replace the source; if the retraction itself is the
    subject, say so in the text and cite the notice alongside the work.
    """,
    kinds=REFERENCE,
)

CONCERN = rule(
    "HC523",
    "expression-of-concern",
    Severity.WARNING,
    """
    A cited work carries an expression of concern.

    ## What it does
    Reports a DOI whose Crossref record lists an expression of concern in its update relations
    (`updated-by`), or a DOI that is itself an expression of concern (`update-to`).

    ## Why it matters
    An editor has publicly questioned the work's reliability; it may later be retracted. Readers
    deserve to know before they rely on it.

    ## Example
    ```yaml
    DOI: 10.5555/hipcheck.concern
    ```
    where Crossref lists `updated-by: [{type: expression_of_concern, ...}]`.

    ## Fix
    Read the notice; prefer other evidence, or mention the concern where the article relies on it.
    """,
    kinds=REFERENCE,
)

PMID_NOT_FOUND = rule(
    "HC524",
    "pmid-not-found",
    Severity.ERROR,
    """
    A reference's PMID does not exist in PubMed.

    ## What it does
    With `hipcheck check --online`, asks NCBI E-utilities (esummary) about the PMID, and reports it
    when PubMed has no such record. The answer is cached like every online result.

    ## Why it matters
    A wrong PMID sends readers, and reference managers that fill in records from it, to nothing or
    to another paper.

    ## Example
    ```yaml
    PMID: "99999902"
    ```

    ## Fix
    Copy the PMID from the paper's PubMed page, or remove it if the work is not in PubMed.
    """,
    kinds=REFERENCE,
)

PMID_MISMATCH = rule(
    "HC525",
    "pmid-metadata-mismatch",
    Severity.ERROR,
    """
    A reference's PMID names a different work than the record describes.

    ## What it does
    Compares the record with PubMed's summary for its PMID, the same way `doi-metadata-mismatch`
    compares with Crossref (title, year, first author, journal), and also checks that PubMed links
    the PMID to the record's DOI.

    ## Why it matters
    PMIDs are easy to mistype and look alike; a wrong one silently points at another paper.

    ## Example
    A record with `DOI: 10.5555/hipcheck.found` and a `PMID` that PubMed links to another DOI and title.

    ## Fix
    Look the work up in PubMed by its title or DOI and correct the PMID (or the record).
    """,
    kinds=REFERENCE,
)

UNVERIFIED = rule(
    "HC529",
    "unverified",
    Severity.INFO,
    """
    A reference's DOI or PMID could not be verified online.

    ## What it does
    Reports, as information, an identifier that the last online check could not verify, and why: a
    network failure, a timeout, a service that kept answering 429 or 5xx, a malformed answer, or the
    run's deadline. What was verified (by an earlier run, or by another service) still stands, and
    the message says when it was verified.

    ## Why it matters
    Nothing is known to be wrong, but nothing was confirmed either: a retraction could be missed.

    ## Example
    `DOI 10.5555/hipcheck.slow could not be verified: Crossref did not answer within 10 s`.

    ## Fix
    Run `hipcheck check --online` again later; the identifier is checked again on every online run
    until it succeeds.
    """,
    kinds=REFERENCE,
)

_RELATION_WORDS = {"retraction": "retraction", "partial_retraction": "partial retraction"}
TEXT_CHARS = 400  # of a service's (or the cache file's) text quoted in a finding


def _verification(ctx: Any) -> Mapping[str, Result]:
    found = getattr(ctx, "verification", None)
    return found if isinstance(found, Mapping) else {}


def _title_similarity(ctx: Any) -> float:
    online = getattr(getattr(ctx, "config", None), "online", None)
    return online.title_similarity if isinstance(online, OnlineSettings) else OnlineSettings().title_similarity


def _day(when: dt.datetime | None) -> str:
    return when.date().isoformat() if when else "an earlier run"


def _last_verified(result: Result) -> dt.datetime | None:
    return max((a.checked for a in result.aspects.values()), default=None)


def _cached(result: Result) -> str:
    # The cache is committed and can be edited by hand: a reviewer should see which verdicts no service gave this run.
    return f" (from the verification cache, checked {_day(_last_verified(result))})" if result.from_cache else ""


def _checked(result: Result) -> str:
    return f"checked {_day(result.checked)}" + (", from the verification cache" if result.from_cache else "")


@record_check(DOI_NOT_FOUND, DOI_MISMATCH, RETRACTED, CONCERN, UNVERIFIED, reads_verification=True)
def check_doi_online(record: Record, ctx: Context) -> Iterator[Finding]:
    value = record.data.get("DOI")
    key = doi_cache_key(value)
    result = _verification(ctx).get(key) if key else None
    if result is None or value is None:
        return
    doi = check_doi(value).normalized or result.identifier
    span = record.span(("DOI",))
    if result.status == "not-found":
        message = f"DOI {doi} does not exist: doi.org has no record of it ({_checked(result)})"
        yield Finding(message, span, code=DOI_NOT_FOUND.code)
    if result.status == "found" and result.metadata is not None:
        found = disagreements(record.data, result.metadata, _title_similarity(ctx))
        if found:
            yield Finding(_mismatch(f"DOI {doi}", found, "Crossref") + _cached(result), span, code=DOI_MISMATCH.code)
    for update in result.updates:
        if update.retraction:
            yield Finding(_update_message(doi, update) + _cached(result), span, code=RETRACTED.code)
        elif update.concern:
            yield Finding(_update_message(doi, update) + _cached(result), span, code=CONCERN.code)
    if result.error or result.status == "unverified":
        yield Finding(_unverified(f"DOI {doi}", result), span, code=UNVERIFIED.code)


@record_check(PMID_NOT_FOUND, PMID_MISMATCH, UNVERIFIED, reads_verification=True)
def check_pmid_online(record: Record, ctx: Context) -> Iterator[Finding]:
    value = record.data.get("PMID")
    key = pmid_cache_key(value)
    result = _verification(ctx).get(key) if key else None
    if result is None or value is None:
        return
    pmid = check_pmid(value).normalized or result.identifier
    span = record.span(("PMID",))
    if result.status == "not-found":
        message = f"PMID {pmid} does not exist: PubMed has no record of it ({_checked(result)})"
        yield Finding(message, span, code=PMID_NOT_FOUND.code)
    if result.status == "found" and result.metadata is not None:
        found = disagreements(record.data, result.metadata, _title_similarity(ctx))
        ours = record.data.get("DOI")
        theirs = result.metadata.doi
        if isinstance(ours, str) and theirs and check_doi(ours).normalized and doi_key(ours) != doi_key(theirs):
            found.append(Disagreement("DOI", check_doi(ours).normalized or ours, theirs))
        if found:
            yield Finding(_mismatch(f"PMID {pmid}", found, "PubMed") + _cached(result), span, code=PMID_MISMATCH.code)
    if result.error or result.status == "unverified":
        yield Finding(_unverified(f"PMID {pmid}", result), span, code=UNVERIFIED.code)


def _mismatch(what: str, found: list[Disagreement], source: str) -> str:
    fields = [d.field for d in found]
    named = fields[0] if len(fields) == 1 else ", ".join(fields[:-1]) + " and " + fields[-1]
    verb = "disagrees" if len(fields) == 1 else "disagree"
    has = "; ".join(f"{d.field} '{shown(d.theirs, TEXT_CHARS)}' (record: '{d.ours}')" for d in found)
    return f"{what} names a different work: {named} {verb} with {source}, which has {has}"


def _update_message(doi: str, update: Update) -> str:
    kind = _RELATION_WORDS.get(update.type, shown(update.type.replace("_", " ")))
    source = f"source: {shown(update.source)}" if update.source else None
    details = ", ".join(x for x in (shown(update.date) if update.date else None, source) if x)
    details = f" ({details})" if details else ""
    other = shown(update.doi) if update.doi else "a notice without a DOI"
    if update.relation == "updated-by":
        return f"DOI {doi} has a {kind}: Crossref lists the notice {other}{details}"
    return f"DOI {doi} is itself a {kind} notice, about {other}{details}: cite the work it concerns"


def _unverified(what: str, result: Result) -> str:
    reason = shown(result.error, TEXT_CHARS) if result.error else "no online check has succeeded yet"
    cache = " (from the verification cache)" if result.from_cache else ""
    if result.status == "unverified":
        return f"{what} could not be verified: {reason}{cache}"
    verified = _day(_last_verified(result))
    return f"{what} could not be fully verified: {reason}; using what was verified on {verified}{cache}"
