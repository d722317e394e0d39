"""`hipcheck refs import FILE`: BibTeX (.bib) or CSL-JSON into one CSL-YAML reference record per file.

BibTeX is parsed by bibtexparser (names split into parts, LaTeX decoded with pylatexenc); CSL-JSON by
json. Identifiers are normalized (DOI prefixes removed, PMID digits only); files are written by the
YAML library, never by hand, and atomically.
"""

from __future__ import annotations

import json
import logging
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import bibtexparser
import yaml
from bibtexparser import middlewares
from pylatexenc.latex2text import LatexNodes2Text

from hipcheck.constants import REFERENCE_ID_PATTERN
from hipcheck.fixes import write_atomically
from hipcheck.identifiers import check_field

BIBTEX_TYPES = {
    "article": "article-journal",
    "book": "book",
    "booklet": "pamphlet",
    "inbook": "chapter",
    "incollection": "chapter",
    "inproceedings": "paper-conference",
    "conference": "paper-conference",
    "proceedings": "book",
    "manual": "report",
    "techreport": "report",
    "report": "report",
    "phdthesis": "thesis",
    "mastersthesis": "thesis",
    "thesis": "thesis",
    "unpublished": "manuscript",
    "online": "webpage",
    "electronic": "webpage",
    "www": "webpage",
    "dataset": "dataset",
    "software": "software",
}
# BibTeX field -> CSL field, for plain text values.
BIBTEX_FIELDS = {
    "title": "title",
    "journal": "container-title",
    "journaltitle": "container-title",
    "booktitle": "container-title",
    "series": "collection-title",
    "volume": "volume",
    "number": "issue",
    "issue": "issue",
    "pages": "page",
    "edition": "edition",
    "publisher": "publisher",
    "institution": "publisher",
    "school": "publisher",
    "organization": "publisher",
    "address": "publisher-place",
    "location": "publisher-place",
    "doi": "DOI",
    "pmid": "PMID",
    "pmcid": "PMCID",
    "isbn": "ISBN",
    "issn": "ISSN",
    "url": "URL",
    "note": "note",
    "abstract": "abstract",
    "language": "language",
}
_latex = LatexNodes2Text()


class RefsImportError(Exception):
    """The input cannot be imported at all (unreadable, not BibTeX or CSL-JSON)."""


@dataclass
class ImportReport:
    written: list[Path] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (key, why)
    notes: list[str] = field(default_factory=list)


def import_references(source: Path, out_dir: Path, *, overwrite: bool = False) -> ImportReport:
    try:
        text = source.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        raise RefsImportError(f"{source}: cannot read as UTF-8 text: {error}") from None
    report = ImportReport()
    items = _from_bibtex(text, report) if source.suffix.lower() == ".bib" else _from_csl_json(text, source)
    out_dir.mkdir(parents=True, exist_ok=True)
    used: set[str] = set()
    for item in items:
        item = _normalize_identifiers(item, report)
        key = _unique(_file_key(item), used)
        item = {"id": key, **{k: v for k, v in item.items() if k != "id"}}
        target = out_dir / f"{key}.yaml"
        if target.exists() and not overwrite:
            report.skipped.append((key, f"{target} exists (use --overwrite to replace it)"))
            continue
        write_atomically(target, yaml.safe_dump(item, sort_keys=False, allow_unicode=True, width=100))
        report.written.append(target)
    return report


# --- BibTeX ------------------------------------------------------------------------------------


def _from_bibtex(text: str, report: ImportReport) -> list[dict[str, Any]]:
    logging.getLogger("bibtexparser").setLevel(logging.CRITICAL)  # failed blocks are reported below
    library = bibtexparser.parse_string(
        text,
        append_middleware=[
            middlewares.MonthIntMiddleware(True),
            middlewares.SeparateCoAuthors(),
            middlewares.SplitNameParts(),
        ],
    )
    for block in library.failed_blocks:
        report.skipped.append((f"line {block.start_line + 1}", "not valid BibTeX"))
    return [_bibtex_entry(entry) for entry in library.entries]


def _plain(value: Any) -> str:
    return " ".join(_latex.latex_to_text(str(value)).split())


def _bibtex_entry(entry: Any) -> dict[str, Any]:
    fields = {f.key.lower(): f.value for f in entry.fields}
    item: dict[str, Any] = {"id": entry.key, "type": BIBTEX_TYPES.get(entry.entry_type.lower(), "document")}
    if item["type"] == "document" and "url" in fields:
        item["type"] = "webpage"
    for role, csl in (("author", "author"), ("editor", "editor")):
        if isinstance(fields.get(role), list):
            item[csl] = [_name(parts) for parts in fields[role]]
    for key, csl in BIBTEX_FIELDS.items():
        if key in fields and csl not in item and str(fields[key]).strip():
            value = _plain(fields[key])
            item[csl] = value.replace("–", "-") if csl == "page" else value
    if entry.entry_type.lower() in ("inbook", "incollection") and "booktitle" not in fields and "title" in fields:
        item.setdefault("container-title", item.pop("title"))
    date = _bibtex_date(fields)
    if date:
        item["issued"] = {"date-parts": [date]}
    if "urldate" in fields:
        parts = [int(p) for p in re.findall(r"\d+", str(fields["urldate"]))[:3]]
        if parts:
            item["accessed"] = {"date-parts": [parts]}
    return item


def _bibtex_date(fields: dict[str, Any]) -> list[int] | None:
    if "date" in fields:  # biblatex: 2021-08-11
        parts = [int(p) for p in re.findall(r"\d+", str(fields["date"]))[:3]]
        return parts or None
    year = re.search(r"\d{4}", str(fields.get("year", "")))
    if not year:
        return None
    parts = [int(year.group(0))]
    month = fields.get("month")
    if isinstance(month, int) and 1 <= month <= 12:
        parts.append(month)
        day = str(fields.get("day", "")).strip()
        if day.isdigit():
            parts.append(int(day))
    return parts


def _name(parts: Any) -> dict[str, str]:
    last = " ".join(parts.last)
    if not parts.first and not parts.von and last.startswith("{") and last.endswith("}"):
        return {"literal": _plain(last)}  # {Nagahama Study group}: braces keep a group name whole
    name: dict[str, str] = {"family": _plain(last)}
    if parts.first:
        name["given"] = _plain(" ".join(parts.first))
    if parts.von:
        name["non-dropping-particle"] = _plain(" ".join(parts.von))
    if parts.jr:
        name["suffix"] = _plain(" ".join(parts.jr))
    return name


# --- CSL-JSON ----------------------------------------------------------------------------------


def _from_csl_json(text: str, source: Path) -> list[dict[str, Any]]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise RefsImportError(
            f"{source}:{error.lineno}:{error.colno}: not BibTeX (.bib) or CSL-JSON: {error.msg}"
        ) from None
    items = data if isinstance(data, list) else [data]
    if not all(isinstance(i, dict) for i in items):
        raise RefsImportError(f"{source}: CSL-JSON must be an array of objects")
    return items


# --- shared ------------------------------------------------------------------------------------


def _normalize_identifiers(item: dict[str, Any], report: ImportReport) -> dict[str, Any]:
    item = dict(item)
    for field_name in ("DOI", "PMID", "PMCID", "ISBN", "ISSN"):
        value = item.get(field_name)
        result = check_field(field_name, value) if isinstance(value, str | int) else None
        if result is None:
            continue
        if result.fix is not None:  # only certain repairs (a copied prefix); never a guess
            item[field_name] = result.fix
            report.notes.append(f"{item.get('id')}: {field_name}: fixed: {result.problem}")
        elif not result.ok and result.problem:
            report.notes.append(f"{item.get('id')}: {field_name}: {result.problem}")
    return item


def _file_key(item: dict[str, Any]) -> str:
    key = item.get("citation-key") or item.get("id")
    if isinstance(key, str) and re.match(REFERENCE_ID_PATTERN, key):
        return key
    return _derived_key(item)


def _derived_key(item: dict[str, Any]) -> str:
    """family + year, as most reference managers do, for ids that cannot name a file (Zotero URIs)."""
    authors = item.get("author") or []
    first = authors[0] if authors and isinstance(authors[0], dict) else {}
    name = first.get("family") or first.get("literal") or str(item.get("title") or "ref").split(" ")[0]
    ascii_name = unicodedata.normalize("NFKD", str(name)).encode("ascii", "ignore").decode().lower()
    year = ""
    issued = item.get("issued")
    if isinstance(issued, dict) and issued.get("date-parts"):
        year = str(issued["date-parts"][0][0])
    return re.sub(r"[^a-z0-9]+", "", ascii_name) + year or "ref"


def _unique(key: str, used: set[str]) -> str:
    candidate, suffix = key, ord("a")
    while candidate in used:
        candidate = f"{key}{chr(suffix)}"
        suffix += 1
    used.add(candidate)
    return candidate
