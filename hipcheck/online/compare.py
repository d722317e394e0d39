"""Does a record describe the work a service has under its identifier? Compared tolerantly, field by field.

Tolerant because records are written by hand from citations: titles lose their HTML and subtitles,
years differ between online and print publication, names lose diacritics, journals are abbreviated.
What remains after that tolerance is a different paper, or a typo worth a look.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from rapidfuzz import fuzz

from hipcheck.online.results import Metadata

AUTHOR_SIMILARITY = 85
JOURNAL_SIMILARITY = 90
_TAG = re.compile(r"<[^>]*>")
_YEAR = re.compile(r"[0-9]{1,4}")  # ASCII: "²³".isdigit() is True, but int("²³") fails
_NON_WORD = re.compile(r"[\W_]+")
# Words that ISO 4 abbreviations drop ("Archives of Gerontology and Geriatrics" -> "Arch Gerontol Geriatr").
_JOURNAL_STOP_WORDS = frozenset({"of", "and", "the", "in", "for", "on", "a", "an"})


@dataclass(frozen=True, slots=True)
class Disagreement:
    field: str  # "title", "year", "first author", "journal", "DOI"
    ours: str
    theirs: str


def normalize(text: str) -> str:
    """Lowercase words without markup, accents or punctuation: what a reader would call the same text."""
    text = html.unescape(_TAG.sub(" ", text))
    text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    return _NON_WORD.sub(" ", text.casefold()).strip()


def title_matches(ours: str, theirs: Metadata, threshold: float) -> bool:
    mine = normalize(ours)
    candidates = [t for t in (theirs.title, _joined(theirs.title, theirs.subtitle)) if t]
    return not mine or not candidates or max(fuzz.token_set_ratio(mine, normalize(t)) for t in candidates) >= threshold


def _joined(title: str | None, subtitle: str | None) -> str | None:
    return f"{title}: {subtitle}" if title and subtitle else None


def year_matches(ours: int, theirs: Iterable[int]) -> bool:
    years = list(theirs)
    return not years or any(abs(ours - year) <= 1 for year in years)  # online-first vs print, Dec vs Jan


def author_matches(ours: str, theirs: str) -> bool:
    a, b = normalize(ours), normalize(theirs)
    return not a or not b or fuzz.token_set_ratio(a, b) >= AUTHOR_SIMILARITY


def journal_matches(ours: Iterable[str], theirs: Iterable[str]) -> bool:
    mine = [normalize(j) for j in ours if normalize(j)]
    others = [normalize(j) for j in theirs if normalize(j)]
    if not mine or not others:
        return True
    return any(
        a == b or is_abbreviation(a, b) or is_abbreviation(b, a) or fuzz.token_set_ratio(a, b) >= JOURNAL_SIMILARITY
        for a in mine
        for b in others
    )


def is_abbreviation(short: str, full: str) -> bool:
    """Each word of `short` starts the corresponding word of `full`, once small words are dropped from both."""
    short_words = [w for w in normalize(short).split() if w not in _JOURNAL_STOP_WORDS]
    full_words = [w for w in normalize(full).split() if w not in _JOURNAL_STOP_WORDS]
    return (
        bool(short_words)
        and len(short_words) == len(full_words)
        and all(f.startswith(s) for s, f in zip(short_words, full_words, strict=True))
    )


# --- the record's side --------------------------------------------------------------------------


def record_year(data: Mapping[str, Any]) -> int | None:
    issued = data.get("issued")
    parts = issued.get("date-parts") if isinstance(issued, dict) else None
    if not isinstance(parts, list) or not parts or not isinstance(parts[0], list) or not parts[0]:
        return None
    year = parts[0][0]
    if isinstance(year, bool):
        return None
    if isinstance(year, int):
        return year
    return int(year) if isinstance(year, str) and _YEAR.fullmatch(year.strip()) else None


def record_first_author(data: Mapping[str, Any]) -> str | None:
    authors = data.get("author")
    first = authors[0] if isinstance(authors, list) and authors else None
    if not isinstance(first, dict):
        return None
    name = first.get("family") or first.get("literal")
    return name if isinstance(name, str) and name.strip() else None


def record_journals(data: Mapping[str, Any]) -> list[str]:
    names: list[str] = []
    for key in ("container-title", "container-title-short", "journalAbbreviation"):
        value = data.get(key)
        values = value if isinstance(value, list) else [value]
        names.extend(v for v in values if isinstance(v, str) and v.strip())
    return names


def disagreements(data: Mapping[str, Any], theirs: Metadata, title_threshold: float) -> list[Disagreement]:
    """The fields where the record and the service's metadata disagree; fields missing on either side agree."""
    found = []
    title = data.get("title")
    if isinstance(title, str) and theirs.title and not title_matches(title, theirs, title_threshold):
        found.append(Disagreement("title", title.strip(), _joined(theirs.title, theirs.subtitle) or theirs.title))
    year = record_year(data)
    if year is not None and not year_matches(year, theirs.years):
        found.append(Disagreement("year", str(year), "/".join(map(str, sorted(set(theirs.years))))))
    author = record_first_author(data)
    if author and theirs.first_author and not author_matches(author, theirs.first_author):
        found.append(Disagreement("first author", author, theirs.first_author))
    journals = record_journals(data)
    if journals and theirs.journals and not journal_matches(journals, theirs.journals):
        found.append(Disagreement("journal", journals[0], theirs.journals[0]))
    return found
