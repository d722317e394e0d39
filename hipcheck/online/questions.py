"""What hipcheck asks each service about an identifier: the service's name and the URL of the question.

The verifier asks these questions; the cache records the question with each answer, and reading the
cache checks that an entry answers the question this configuration asks (a forged or stale one does not).
"""

from __future__ import annotations

from urllib.parse import quote

from hipcheck.online.settings import OnlineSettings

DOI_ORG, CROSSREF, PUBMED = "doi.org", "Crossref", "PubMed"


def _path(doi: str) -> str:
    return quote(doi, safe="/")


def doi_url(base: str, doi: str) -> str:
    return f"{base.rstrip('/')}/{_path(doi)}"


def crossref_url(base: str, doi: str) -> str:
    return f"{base.rstrip('/')}/works/{_path(doi)}"


def esummary_url(base: str) -> str:
    return f"{base.rstrip('/')}/esummary.fcgi"


def esummary_question(base: str, pmid: str) -> str:
    """One PMID's part of a batched esummary request (without the batch, the contact or the API key)."""
    return f"{esummary_url(base)}?db=pubmed&id={pmid}"


def question(key: str, aspect: str, value: str, settings: OnlineSettings) -> tuple[str, str]:
    """(service, URL) asked about `aspect` of the identifier `key`, sent as `value`."""
    if key.startswith("pmid:"):
        return PUBMED, esummary_question(settings.ncbi_api, value)
    if aspect == "exists":
        return DOI_ORG, doi_url(settings.doi_api, value)
    return CROSSREF, crossref_url(settings.crossref_api, value)
