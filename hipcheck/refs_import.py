"""`hipcheck refs import FILE`: BibTeX (.bib) or CSL-JSON into one CSL-YAML reference record per file.

BibTeX is parsed by bibtexparser (names split into parts, LaTeX decoded with pylatexenc); CSL-JSON by
json. The result follows Pandoc's own conversion (`pandoc -f bibtex -t csljson`) entry by entry,
except for the deliberate differences listed in tests/test_bibtex_pandoc.py. Nothing is lost or
changed silently: a key is kept as written in `id` (its file name is encoded by hipcheck.refkeys),
and every rename, unknown entry type, duplicate key and unmapped field is in the ImportReport.
Identifiers are normalized (DOI prefixes removed, PMID digits only); files are written by the YAML
library, never by hand, and atomically.
"""

from __future__ import annotations

import json
import logging
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from bibtexparser.entrypoint import parse_string
from bibtexparser.middlewares.names import parse_single_name_into_parts, split_multiple_persons_names
from bibtexparser.model import Block, DuplicateBlockKeyBlock, Entry
from pylatexenc.latex2text import LatexNodes2Text

from hipcheck.file_writing import mode_of, write_atomically
from hipcheck.identifiers import check_field
from hipcheck.refkeys import key_to_stem

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
    "misc": "document",  # pandoc writes type "" (invalid CSL); "document" is CSL's generic type
}
# BibTeX field -> CSL field, for plain text values (the first present BibTeX field wins).
BIBTEX_FIELDS = {
    "title": "title",
    "shorttitle": "title-short",
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
    "pmid": "PMID",
    "pmcid": "PMCID",
    "pmc": "PMCID",
    "isbn": "ISBN",
    "issn": "ISSN",
    "note": "note",
    "abstract": "abstract",
    "language": "language",
}
# Verbatim fields (biblatex treats them so): no LaTeX decoding, or `&amp;` in a URL becomes ` amp;`.
VERBATIM_FIELDS = {"doi": "DOI", "url": "URL"}
# Fields read by the code below rather than through the tables above.
HANDLED_FIELDS = frozenset(
    {"author", "editor", "year", "month", "day", "date", "urldate", "eprint", "eprinttype", "archiveprefix"}
)
MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_latex = LatexNodes2Text()


class RefsImportError(Exception):
    """The input cannot be imported at all (unreadable, not BibTeX or CSL-JSON)."""


@dataclass
class ImportReport:
    written: list[Path] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (key or "line N", why)
    notes: list[str] = field(default_factory=list)
    renamed: list[tuple[str, str]] = field(default_factory=list)  # (key as written, id given)
    problems: list[str] = field(default_factory=list)  # defects of the input the import had to pass over
    unmapped: Counter[str] = field(default_factory=Counter)  # BibTeX field -> entries that had it

    def summary(self) -> str:
        parts = [f"imported {len(self.written)}", f"renamed {len(self.renamed)}"]
        text = ", ".join(parts)
        if self.renamed:
            text += ": " + ", ".join(f"{old} -> {new}" for old, new in self.renamed)
        if self.unmapped:
            text += ", fields not mapped: " + ", ".join(f"{k} ({n})" for k, n in sorted(self.unmapped.items()))
        return text

    def as_data(self) -> dict[str, Any]:
        return {
            "imported": len(self.written),
            "written": [str(p) for p in self.written],
            "renamed": [{"from": old, "to": new} for old, new in self.renamed],
            "fields_not_mapped": dict(sorted(self.unmapped.items())),
            "problems": list(self.problems),
            "skipped": [{"key": key, "reason": why} for key, why in self.skipped],
            "notes": list(self.notes),
        }


def import_references(source: Path, out_dir: Path, *, overwrite: bool = False) -> ImportReport:
    try:
        text = source.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        raise RefsImportError(f"{source}: cannot read as UTF-8 text: {error}") from None
    report = ImportReport()
    is_bib = source.suffix.lower() == ".bib"
    items = bibtex_to_csl(text, report) if is_bib else _from_csl_json(text, source, report)
    out_dir.mkdir(parents=True, exist_ok=True)
    used: set[str] = set()  # casefolded file names: macOS and Windows file systems ignore case
    for item in items:
        item = _normalize_identifiers(item, report)
        written_key = item.get("id")
        key = _record_key(item)
        key = _unique(key, used)
        if key != written_key:
            report.renamed.append((str(written_key) if written_key is not None else "(no id)", key))
        item = {"id": key, **{k: v for k, v in item.items() if k != "id"}}
        target = out_dir / f"{key_to_stem(key)}.yaml"
        if target.exists() and not overwrite:
            report.skipped.append((key, f"{target} exists (use --overwrite to replace it)"))
            continue
        # A content file: an overwritten record keeps its mode, a new one is an ordinary 0644 file (not
        # mkstemp's private 0600), and it reaches the disk before the rename.
        dumped = yaml.safe_dump(item, sort_keys=False, allow_unicode=True, width=100)
        write_atomically(target, dumped, mode=mode_of(target), durable=True)
        report.written.append(target)
    return report


# --- BibTeX ------------------------------------------------------------------------------------


def bibtex_to_csl(text: str, report: ImportReport | None = None) -> list[dict[str, Any]]:
    """Every entry of a .bib file as a CSL item, in file order; duplicates included (same id)."""
    report = report if report is not None else ImportReport()
    logging.getLogger("bibtexparser").setLevel(logging.CRITICAL)  # failed blocks are reported below
    library = parse_string(text)
    items: list[dict[str, Any]] = []
    first_line: dict[str, int] = {}
    for block in library.blocks:
        if isinstance(block, DuplicateBlockKeyBlock):
            entry = _reparse(block.raw or "", _line(block) - 1)
            if entry is None:
                report.skipped.append((f"line {_line(block)}", "not valid BibTeX"))
                continue
            report.problems.append(
                f"line {_line(block)}: duplicate key '{block.key}' (first at line {first_line.get(block.key)})"
            )
        elif isinstance(block, Entry):
            entry = block
            first_line.setdefault(entry.key, _line(entry))
        else:
            if block in library.failed_blocks:
                report.skipped.append((f"line {_line(block)}", "not valid BibTeX"))
            continue
        items.append(_bibtex_entry(entry, report))
    return items


def _line(block: Block) -> int:
    """The 1-based line a block starts on (bibtexparser counts from 0, and types it optional)."""
    return (block.start_line or 0) + 1


def _reparse(raw: str, start_line: int) -> Entry | None:
    """A duplicate entry as the parser would have given it (bibtexparser keeps only its raw text)."""
    entries = parse_string("\n" * start_line + raw).entries  # newlines: keep its line
    return entries[0] if entries else None


def _plain(value: str) -> str:
    # `&` and `%` mean nothing special in BibTeX text, but LaTeX would drop them (an alignment tab,
    # a comment to the end of the line): escape them so they are kept, as Pandoc keeps them.
    escaped = re.sub(r"(?<!\\)([&%])", r"\\\1", value)
    return " ".join(_latex.latex_to_text(escaped).split())


def _verbatim(value: str) -> str:
    return re.sub(r"\\([_%&#~$])", r"\1", value.strip())


def _bibtex_entry(entry: Entry, report: ImportReport) -> dict[str, Any]:
    fields: dict[str, str] = {}
    for f in entry.fields:  # field names are case-insensitive (`AUTHOR =`, `Month =`); the first wins
        fields.setdefault(f.key.lower(), str(f.value))
    entry_type = entry.entry_type.lower()
    if entry_type not in BIBTEX_TYPES:
        written = re.match(r"\s*@\s*(\w+)", entry.raw or "")  # as spelled in the file (the parser lower-cases)
        shown = written.group(1) if written else entry.entry_type
        report.problems.append(f"line {_line(entry)}: unknown entry type @{shown} ('{entry.key}')")
    item: dict[str, Any] = {"id": entry.key, "type": BIBTEX_TYPES.get(entry_type, "document")}
    for role in ("author", "editor"):
        if role in fields and fields[role].strip():
            item[role] = [_name(name) for name in split_multiple_persons_names(fields[role])]
    for key, csl in BIBTEX_FIELDS.items():
        if key in fields and csl not in item:  # an empty value is kept: HC503 reports it
            value = _plain(fields[key])
            item[csl] = value.replace("–", "-") if csl == "page" else value
    for key, csl in VERBATIM_FIELDS.items():
        if key in fields:
            item[csl] = _verbatim(fields[key])
    prefix = (fields.get("eprinttype") or fields.get("archiveprefix") or "").strip().lower()
    if prefix == "arxiv" and fields.get("eprint", "").strip() and "URL" not in item:
        item["URL"] = f"https://arxiv.org/abs/{_verbatim(fields['eprint'])}"  # as Pandoc writes it
    date = _bibtex_date(fields)
    if date:
        item["issued"] = {"date-parts": [date]}
    if "urldate" in fields:
        parts = [int(p) for p in re.findall(r"\d+", fields["urldate"])[:3]]
        if parts:
            item["accessed"] = {"date-parts": [parts]}
    known = HANDLED_FIELDS | BIBTEX_FIELDS.keys() | VERBATIM_FIELDS.keys()
    report.unmapped.update(key for key in fields if key not in known)
    return item


def _month(value: str) -> int | None:
    text = value.strip().strip("{}").strip().lower()
    if text.isdigit():
        return int(text) if 1 <= int(text) <= 12 else None
    return MONTHS.index(text[:3]) + 1 if text[:3] in MONTHS else None


def _bibtex_date(fields: dict[str, str]) -> list[int] | None:
    if "date" in fields:  # biblatex: 2021-08-11
        parts = [int(p) for p in re.findall(r"\d+", fields["date"])[:3]]
        return parts or None
    year = re.search(r"\d{4}", fields.get("year", ""))
    if not year:
        return None
    parts = [int(year.group(0))]
    month = _month(fields.get("month", ""))
    if month is not None:
        parts.append(month)
        day = fields.get("day", "").strip()
        if day.isdigit():
            parts.append(int(day))
    return parts


def _name(text: str) -> dict[str, str]:
    parts = parse_single_name_into_parts(text, strict=False)
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


def _from_csl_json(text: str, source: Path, report: ImportReport) -> list[dict[str, Any]]:
    repeated: list[tuple[str, str, list[Any]]] = []  # (item id or "", key, its values): json keeps the last
    pending: list[tuple[str, list[Any]]] = []  # repeats inside an item not yet closed (its author names)

    def pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        seen: dict[str, list[Any]] = {}
        for key, value in pairs:
            seen.setdefault(key, []).append(value)
        pending.extend((key, values) for key, values in seen.items() if len(values) > 1)
        obj = dict(pairs)
        if pending and "id" in obj:  # name the item the repeats are in (inner objects have no id)
            repeated.extend((str(obj["id"]), key, values) for key, values in pending)
            pending.clear()
        return obj

    try:
        data = json.loads(text, object_pairs_hook=pairs)
    except json.JSONDecodeError as error:
        raise RefsImportError(
            f"{source}:{error.lineno}:{error.colno}: not BibTeX (.bib) or CSL-JSON: {error.msg}"
        ) from None
    repeated.extend(("", key, values) for key, values in pending)
    if repeated:
        report.problems.extend(_repeated_keys(text, repeated))
    items = data if isinstance(data, list) else [data]
    if not all(isinstance(i, dict) for i in items):
        raise RefsImportError(f"{source}: CSL-JSON must be an array of objects")
    return items


def _repeated_keys(text: str, repeated: list[tuple[str, str, list[Any]]]) -> list[str]:
    """One problem per repeated key, at its line when the loader (which reads JSON as YAML) finds it too."""
    from hipcheck.loader.yaml_tree import parse_yaml  # only for a file with repeats: most have none

    lines = [i.span.line for i in parse_yaml(text).issues if i.code == "HC002" and i.message.startswith("duplicate")]
    problems = []
    for n, (item, key, values) in enumerate(repeated):
        where = f"line {lines[n]}: " if len(lines) == len(repeated) else ""  # a key written 3 times: no lines
        shown = ", ".join(json.dumps(v, ensure_ascii=False) for v in values)
        problems.append(f"{where}{item + ': ' if item else ''}key '{key}' is repeated ({shown}); the last was kept")
    return problems


# --- shared ------------------------------------------------------------------------------------


def _normalize_identifiers(item: dict[str, Any], report: ImportReport) -> dict[str, Any]:
    item = dict(item)
    for field_name in ("DOI", "PMID", "PMCID", "ISBN", "ISSN"):
        value = item.get(field_name)
        result = check_field(field_name, value) if isinstance(value, str | int) and value != "" else None
        if result is None:
            continue
        if isinstance(value, str) and re.search(r"&#?\w+;", value):  # `&lt;`: HTML-escaped; no `;` trimming
            report.notes.append(f"{item.get('id')}: {field_name}: contains an HTML entity: {value}")
            continue
        if result.fix is not None:  # only certain repairs (a copied prefix); never a guess
            item[field_name] = result.fix
            report.notes.append(f"{item.get('id')}: {field_name}: fixed: {result.problem}")
        elif not result.ok and result.problem:
            report.notes.append(f"{item.get('id')}: {field_name}: {result.problem}")
    return item


def _record_key(item: dict[str, Any]) -> str:
    """The key as written; derived (family + year) only when there is none that anyone cites with."""
    key = item.get("citation-key") or item.get("id")
    if isinstance(key, int) and not isinstance(key, bool):
        key = str(key)
    if isinstance(key, str) and key.strip() and not re.match(r"^https?://", key):
        return key
    return _derived_key(item)  # a Zotero item URI (http://zotero.org/users/...) is nobody's citation key


def _derived_key(item: dict[str, Any]) -> str:
    """family + year, as most reference managers do."""
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
    """The key, or with a suffix when it (or its file name, ignoring case) is taken: then it is reported."""
    candidate, suffix = key, ord("a")
    while key_to_stem(candidate).casefold() in used:
        candidate = f"{key}{chr(suffix)}"
        suffix += 1
    used.add(key_to_stem(candidate).casefold())
    return candidate
