"""The three services, as requests and as parsers of their answers (the shapes they really send).

Every answer is hostile until checked: a field of the wrong type or out of range is ignored, an answer
that cannot be used raises `Unverifiable`; nothing a server sends raises anything else.
"""

from __future__ import annotations

import re
from typing import Any

from hipcheck.online.http import Fetcher, Service, Unverifiable, json_body
from hipcheck.online.questions import crossref_url, doi_url, esummary_url
from hipcheck.online.results import Metadata, Update, shown

YEARS = range(1000, 3000)  # a four-digit year; anything else in a date is not a date
MONTHS = range(1, 13)
DAYS = range(1, 32)
MAX_TEXT_CHARS = 2000  # a longer title, name or journal is not one (and would bloat the committed cache)
MAX_UPDATES = 100  # update relations of one work; a real work has a handful
_DIGITS = re.compile(r"[0-9]{1,4}")  # ASCII only: "²³".isdigit() is True, but int("²³") fails
_YEAR = re.compile(r"[0-9]{4}")

# --- doi.org handle API ------------------------------------------------------------------------


def doi_exists(fetcher: Fetcher, service: Service, base: str, doi: str) -> bool:
    """GET {base}/{doi}: 200 with responseCode 1 when the DOI exists, 404 with responseCode 100 when not.

    Only that 404 says "not found": any other 404 (a proxy's, a CDN's) says nothing about the DOI.
    """
    answer = fetcher.get(service, doi_url(base, doi))
    if answer.status_code == 404:
        try:
            code = _response_code(json_body(answer, service))
        except Unverifiable:
            code = None
        if code == 100:
            return False
        raise Unverifiable(f"{service.name} answered HTTP 404 without its 'handle not found' answer")
    data = json_body(answer, service)
    code = _response_code(data)
    if code in (1, 200):  # 200: the handle exists but has no values of the type asked for
        return True
    if code == 100:
        return False
    raw = data.get("responseCode") if isinstance(data, dict) else None
    raise Unverifiable(f"{service.name} sent an unexpected answer (responseCode {shown(raw)})")


def _response_code(data: Any) -> int | None:
    code = data.get("responseCode") if isinstance(data, dict) else None
    return code if type(code) is int else None  # exactly an int: True == 1 and 100.0 == 100 are no answers


# --- Crossref REST API ------------------------------------------------------------------------


def crossref_work(
    fetcher: Fetcher, service: Service, base: str, doi: str, mailto: str | None
) -> tuple[Metadata, tuple[Update, ...]] | None:
    """The work's metadata and update relations; None when Crossref does not know the DOI (404)."""
    params = {"mailto": mailto} if mailto else None
    answer = fetcher.get(service, crossref_url(base, doi), params)
    if answer.status_code == 404:
        return None  # Crossref does not know it: not an error (another agency may have registered it)
    data = json_body(answer, service)
    if not isinstance(data, dict) or data.get("status") != "ok" or not isinstance(data.get("message"), dict):
        raise Unverifiable(f"{service.name} sent an unexpected answer (no work message)")
    return parse_crossref(data["message"])


def parse_crossref(message: dict[str, Any]) -> tuple[Metadata, tuple[Update, ...]]:
    """A Crossref work message's metadata and update relations; Unverifiable when unusable."""
    dated = ("issued", "published", "published-print", "published-online")
    years = sorted({parts[0] for field in dated if (parts := _date_parts(message.get(field)))})
    metadata = Metadata(
        source="crossref",
        title=_first_text(message.get("title")),
        subtitle=_first_text(message.get("subtitle")),
        years=tuple(years),
        first_author=_crossref_first_author(message.get("author")),
        journals=tuple(
            dict.fromkeys(
                t.strip()
                for field in ("container-title", "short-container-title")
                for t in _texts(message.get(field))
                if t.strip()
            )
        ),
    )
    updates = []
    for relation in ("updated-by", "update-to"):
        items = message.get(relation)
        for item in items if isinstance(items, list) else []:
            kind = _text(item.get("type")) if isinstance(item, dict) else None
            if not isinstance(item, dict) or kind is None:
                continue
            parts = _date_parts(item.get("updated"))
            updates.append(
                Update(
                    relation=relation,
                    type=kind,
                    doi=_text(item.get("DOI")),
                    date="-".join(f"{p:02d}" if i else str(p) for i, p in enumerate(parts)) or None,
                    source=_text(item.get("source")),
                    label=_text(item.get("label")),
                )
            )
    if len(updates) > MAX_UPDATES:  # dropping some could hide a retraction: the answer is unusable
        raise Unverifiable(f"Crossref listed {len(updates)} update relations for one work (at most {MAX_UPDATES})")
    return metadata, tuple(updates)


def _crossref_first_author(authors: Any) -> str | None:
    people = [a for a in authors if isinstance(a, dict)] if isinstance(authors, list) else []
    first = next((a for a in people if a.get("sequence") == "first"), people[0] if people else None)
    if first is None:
        return None
    return _text(first.get("family")) or _text(first.get("name"))


def _date_parts(value: Any) -> list[int]:
    """[year, month, day] as far as they are valid: a part out of range ends the date there."""
    parts = value.get("date-parts") if isinstance(value, dict) else None
    first = parts[0] if isinstance(parts, list) and parts and isinstance(parts[0], list) else []
    numbers = []
    for part, valid in zip(first, (YEARS, MONTHS, DAYS), strict=False):
        number = _whole(part)
        if number is None or number not in valid:
            break
        numbers.append(number)
    return numbers


def _whole(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    return int(value) if isinstance(value, str) and _DIGITS.fullmatch(value) else None


def _text(value: Any) -> str | None:
    """A non-blank string of sensible length, stripped; anything else is no value."""
    if not isinstance(value, str) or len(value) > MAX_TEXT_CHARS:
        return None
    return value.strip() or None


def _texts(value: Any) -> list[str]:
    values = [value] if isinstance(value, str) else value if isinstance(value, list) else []
    return [t for v in values if (t := _text(v))]


def _first_text(value: Any) -> str | None:
    texts = [t.strip() for t in _texts(value) if t.strip()]
    return texts[0] if texts else None


# --- NCBI E-utilities (PubMed) --------------------------------------------------------------------


def pubmed_summaries(
    fetcher: Fetcher, service: Service, base: str, pmids: list[str], params: dict[str, str]
) -> dict[str, Metadata | None]:
    """esummary for a batch of PMIDs: metadata, or None for a PMID PubMed does not have."""
    query = {"db": "pubmed", "id": ",".join(pmids), "retmode": "json", **params}
    answer = fetcher.get(service, esummary_url(base), query)
    if answer.status_code == 404:
        raise Unverifiable(f"{service.name} answered HTTP 404")
    data = json_body(answer, service)
    result = data.get("result") if isinstance(data, dict) else None
    if not isinstance(result, dict):
        raise Unverifiable(f"{service.name} sent an unexpected answer (no result)")
    found: dict[str, Metadata | None] = {}
    for pmid in pmids:
        entry = result.get(pmid)
        if not isinstance(entry, dict):
            continue  # not mentioned: unknown, not "not found"
        found[pmid] = None if "error" in entry else parse_pubmed(entry)
    return found


_INITIALS = re.compile(r"\s+[A-Z]{1,4}$")


def parse_pubmed(entry: dict[str, Any]) -> Metadata:
    years = sorted(
        {
            year
            for f in ("pubdate", "epubdate")
            if isinstance(text := entry.get(f), str) and (m := _YEAR.match(text)) and (year := int(m.group())) in YEARS
        }
    )
    authors = entry.get("authors")
    people = [a for a in authors if isinstance(a, dict)] if isinstance(authors, list) else []
    first = next((a for a in people if a.get("authtype", "Author") == "Author"), people[0] if people else None)
    name = _text(first.get("name")) if first else None
    if name and first and first.get("authtype", "Author") == "Author":
        name = _INITIALS.sub("", name) or None  # "Ikezoe T" -> "Ikezoe"
    ids = entry.get("articleids")
    doi = next(
        (
            value
            for i in (ids if isinstance(ids, list) else [])
            if isinstance(i, dict) and i.get("idtype") == "doi" and (value := _text(i.get("value")))
        ),
        None,
    )
    return Metadata(
        source="pubmed",
        title=_first_text(entry.get("title")),
        years=tuple(years),
        first_author=name,
        journals=tuple(dict.fromkeys(v for f in ("fulljournalname", "source") if (v := _text(entry.get(f))))),
        doi=doi,
    )
