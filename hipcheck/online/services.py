"""The three services, as requests and as parsers of their answers (the shapes they really send)."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote

from hipcheck.online.http import Fetcher, Service, Unverifiable, json_body
from hipcheck.online.results import Metadata, Update


def _path(doi: str) -> str:
    return quote(doi, safe="/")


# --- doi.org handle API ------------------------------------------------------------------------


def doi_exists(fetcher: Fetcher, service: Service, base: str, doi: str) -> bool:
    """GET {base}/{doi}: 200 with responseCode 1 when the DOI exists, 404 with responseCode 100 when not."""
    response = fetcher.get(service, f"{base.rstrip('/')}/{_path(doi)}")
    if response.status_code == 404:
        return False
    data = json_body(response, service)
    code = data.get("responseCode") if isinstance(data, dict) else None
    if code in (1, 200):  # 200: the handle exists but has no values of the type asked for
        return True
    if code == 100:
        return False
    raise Unverifiable(f"{service.name} sent an unexpected answer (responseCode {code!r})")


# --- Crossref REST API ------------------------------------------------------------------------


def crossref_work(
    fetcher: Fetcher, service: Service, base: str, doi: str, mailto: str | None
) -> tuple[Metadata, tuple[Update, ...]] | None:
    """The work's metadata and update relations; None when Crossref does not know the DOI (404)."""
    params = {"mailto": mailto} if mailto else None
    response = fetcher.get(service, f"{base.rstrip('/')}/works/{_path(doi)}", params)
    if response.status_code == 404:
        return None
    data = json_body(response, service)
    if not isinstance(data, dict) or data.get("status") != "ok" or not isinstance(data.get("message"), dict):
        raise Unverifiable(f"{service.name} sent an unexpected answer (no work message)")
    return parse_crossref(data["message"])


def parse_crossref(message: dict[str, Any]) -> tuple[Metadata, tuple[Update, ...]]:
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
            if not isinstance(item, dict) or not isinstance(item.get("type"), str):
                continue
            parts = _date_parts(item.get("updated"))
            updates.append(
                Update(
                    relation=relation,  # type: ignore[arg-type]
                    type=item["type"],
                    doi=item["DOI"] if isinstance(item.get("DOI"), str) else None,
                    date="-".join(f"{p:02d}" if i else str(p) for i, p in enumerate(parts)) or None,
                    source=item["source"] if isinstance(item.get("source"), str) else None,
                    label=item["label"] if isinstance(item.get("label"), str) else None,
                )
            )
    return metadata, tuple(updates)


def _crossref_first_author(authors: Any) -> str | None:
    people = [a for a in authors if isinstance(a, dict)] if isinstance(authors, list) else []
    first = next((a for a in people if a.get("sequence") == "first"), people[0] if people else None)
    if first is None:
        return None
    name = first.get("family") or first.get("name")
    return name if isinstance(name, str) and name.strip() else None


def _date_parts(value: Any) -> list[int]:
    parts = value.get("date-parts") if isinstance(value, dict) else None
    first = parts[0] if isinstance(parts, list) and parts and isinstance(parts[0], list) else []
    numbers = []
    for part in first[:3]:
        if isinstance(part, bool) or not isinstance(part, int | str) or not str(part).isdigit():
            break
        numbers.append(int(part))
    return numbers


def _texts(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []


def _first_text(value: Any) -> str | None:
    texts = [t.strip() for t in _texts(value) if t.strip()]
    return texts[0] if texts else None


# --- NCBI E-utilities (PubMed) --------------------------------------------------------------------


def pubmed_summaries(
    fetcher: Fetcher, service: Service, base: str, pmids: list[str], params: dict[str, str]
) -> dict[str, Metadata | None]:
    """esummary for a batch of PMIDs: metadata, or None for a PMID PubMed does not have."""
    query = {"db": "pubmed", "id": ",".join(pmids), "retmode": "json", **params}
    response = fetcher.get(service, f"{base.rstrip('/')}/esummary.fcgi", query)
    if response.status_code == 404:
        raise Unverifiable(f"{service.name} answered HTTP 404")
    data = json_body(response, service)
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
        {int(m.group()) for f in ("pubdate", "epubdate") if (m := re.match(r"\d{4}", str(entry.get(f) or "")))}
    )
    authors = entry.get("authors")
    people = [a for a in authors if isinstance(a, dict)] if isinstance(authors, list) else []
    first = next((a for a in people if a.get("authtype", "Author") == "Author"), people[0] if people else None)
    name = first.get("name") if first else None
    if isinstance(name, str) and (first or {}).get("authtype", "Author") == "Author":
        name = _INITIALS.sub("", name.strip())  # "Ikezoe T" -> "Ikezoe"
    doi = next(
        (
            i["value"]
            for i in entry.get("articleids") or []
            if isinstance(i, dict) and i.get("idtype") == "doi" and isinstance(i.get("value"), str)
        ),
        None,
    )
    return Metadata(
        source="pubmed",
        title=_first_text(entry.get("title")),
        years=tuple(years),
        first_author=name if isinstance(name, str) and name.strip() else None,
        journals=tuple(
            dict.fromkeys(
                v.strip() for f in ("fulljournalname", "source") if isinstance(v := entry.get(f), str) and v.strip()
            )
        ),
        doi=doi,
    )
