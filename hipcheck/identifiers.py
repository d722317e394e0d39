"""Syntax and check-digit validation of the identifiers a CSL reference carries.

Every `check_*` function is pure: it takes the field's value (a string, or an int when YAML read a bare
number) and returns an `IdCheck` saying whether the value is fine, what is wrong with it in words a
writer can act on, how bad that is, and the normalized form to use.

- `ok` is True only when there is nothing to report. `normalized` may still differ from the value
  then (an ISBN's hyphens are dropped, an ORCID URL becomes the bare iD): it is the canonical form for
  comparison, not a correction.
- `normalized` is None when no valid form could be derived (the value is broken, or belongs elsewhere).
- `fix` is set only when the value is not ok and `normalized` is a replacement certain enough to apply
  automatically (a `https://doi.org/` prefix removed); a guess such as `PMC<digits>` for bare digits in
  PMCID is offered in `normalized` and the message but never in `fix`.
- `belongs_in` names the kind of identifier the value really is when it sits in the wrong field
  ("this is a PMCID, not a PMID; move it to PMCID").

Check-digit algorithms: ISBN-10 (mod 11, X = 10), ISBN-13 (mod 10, weights 1 and 3), ISSN (mod 11,
weights 8..2, X = 10), ORCID (ISO 7064 MOD 11-2, X = 10). DOIs get the basic `10.<registrant>/<suffix>`
syntax as an error and Crossref's recommended pattern as a warning, since older DOIs (Wiley's SICI ones)
legitimately fail it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal
from urllib.parse import unquote

__all__ = [
    "CHECKERS",
    "IdCheck",
    "IdKind",
    "IdSeverity",
    "check_doi",
    "check_field",
    "check_isbn",
    "check_issn",
    "check_orcid",
    "check_pmcid",
    "check_pmid",
    "classify",
    "doi_key",
    "extract_orcids",
    "isbn10_check_digit",
    "isbn13_check_digit",
    "isbn_key",
    "issn_check_digit",
    "orcid_check_digit",
]

IdKind = Literal["doi", "pmid", "pmcid", "isbn", "issn", "orcid", "url"]
IdSeverity = Literal["error", "warning"]


@dataclass(frozen=True, slots=True)
class IdCheck:
    kind: IdKind  # what the value was checked as (the field it sits in)
    value: str  # the value as given
    ok: bool  # nothing to report
    normalized: str | None  # the canonical form to use, when one could be derived
    problem: str | None = None  # what is wrong, ending with "use '<normalized>'" when that differs
    severity: IdSeverity | None = None  # None exactly when ok
    fix: str | None = None  # a replacement safe to apply automatically
    belongs_in: IdKind | None = None  # the value is this other kind of identifier (wrong field)


_Notes = list[tuple[IdSeverity, str]]

_ARTICLE_NAME: dict[str, tuple[str, str]] = {
    "doi": ("a DOI", "DOI"),
    "pmid": ("a PMID", "PMID"),
    "pmcid": ("a PMCID", "PMCID"),
    "isbn": ("an ISBN", "ISBN"),
    "issn": ("an ISSN", "ISSN"),
    "orcid": ("an ORCID iD", "the author's ORCID"),
    "url": ("a URL", "URL"),
}

_DASHES = "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe63\uff0d"
_INVISIBLE = "\u00ad\u200b\u200c\u200d\u2060\ufeff"
_INVISIBLE_RE = re.compile(f"[{_INVISIBLE}]")


# --------------------------------------------------------------------------------------------- check digits


def isbn10_check_digit(first9: str) -> str:
    """The ISBN-10 check character for nine digits: weights 10..2, mod 11, 10 written as X."""
    _require_digits(first9, 9)
    remainder = (11 - sum((10 - i) * int(c) for i, c in enumerate(first9)) % 11) % 11
    return "X" if remainder == 10 else str(remainder)


def isbn13_check_digit(first12: str) -> str:
    """The ISBN-13 (EAN-13) check digit for twelve digits: weights 1, 3, 1, 3..., mod 10."""
    _require_digits(first12, 12)
    total = sum(int(c) * (3 if i % 2 else 1) for i, c in enumerate(first12))
    return str((10 - total % 10) % 10)


def issn_check_digit(first7: str) -> str:
    """The ISSN check character for seven digits: weights 8..2, mod 11, 10 written as X."""
    _require_digits(first7, 7)
    remainder = (11 - sum((8 - i) * int(c) for i, c in enumerate(first7)) % 11) % 11
    return "X" if remainder == 10 else str(remainder)


def orcid_check_digit(first15: str) -> str:
    """The ORCID iD check character for fifteen digits: ISO 7064 MOD 11-2, 10 written as X."""
    _require_digits(first15, 15)
    total = 0
    for c in first15:
        total = (total + int(c)) * 2
    result = (12 - total % 11) % 11
    return "X" if result == 10 else str(result)


def _require_digits(digits: str, count: int) -> None:
    if len(digits) != count or not digits.isascii() or not digits.isdigit():
        raise ValueError(f"expected {count} ASCII digits, got {digits!r}")


def _isbn_valid(compact: str) -> bool:
    if re.fullmatch(r"[0-9]{9}[0-9X]", compact):
        return isbn10_check_digit(compact[:9]) == compact[9]
    if re.fullmatch(r"97[89][0-9]{10}", compact):
        return isbn13_check_digit(compact[:12]) == compact[12]
    return False


def _issn_valid(compact: str) -> bool:
    return bool(re.fullmatch(r"[0-9]{7}[0-9X]", compact)) and issn_check_digit(compact[:7]) == compact[7]


# ------------------------------------------------------------------------------------------------ classify

_DOI_PREFIX = re.compile(r"doi\s*:\s*|doi\s+(?=10\.)|(?:https?://)?(?:dx\.|www\.)?doi\.org/", re.I)
_DOI_BASIC = re.compile(r"10\.[0-9]+(?:\.[0-9]+)*/\S+")
_DOI_CROSSREF = re.compile(r"10\.[0-9]{4,9}/[-._;()/:A-Z0-9]+", re.I)
_DOI_CROSSREF_CHARS = re.compile(r"[-._;()/:A-Za-z0-9]")
_DOI_IN_URL = re.compile(r"10\.[0-9]{4,9}(?:\.[0-9]+)*/[^\s?#]+")
_ORCID_URL = re.compile(r"(?:https?://)?(?:www\.)?orcid\.org/", re.I)
_ORCID_FORM = re.compile(r"[0-9]{4}-[0-9]{4}-[0-9]{4}-[0-9]{3}[0-9X]", re.I)
_PMCID_FORM = re.compile(r"PMC\s*-?\s*([0-9]+)", re.I)
_PMCID_PREFIX = re.compile(
    r"pmcid\s*:?\s*|(?:https?://)?(?:www\.)?(?:ncbi\.nlm\.nih\.gov/pmc/articles/|pmc\.ncbi\.nlm\.nih\.gov/articles/)",
    re.I,
)
_PMID_PREFIX = re.compile(
    r"pmid\s*:?\s*|(?:https?://)?(?:www\.)?(?:pubmed\.ncbi\.nlm\.nih\.gov/|ncbi\.nlm\.nih\.gov/pubmed/)", re.I
)
_URL = re.compile(r"(?:(?:https?|ftp)://|www\.)\S+", re.I)
_ISBN_LABEL = re.compile(r"\bISBN(?:[- ]?1[03])?\b\s*:?\s*", re.I)
_ISSN_LABEL = re.compile(r"\b(?:[ep]-?)?ISSN(?:-L)?\b\s*:?\s*", re.I)
_QUALIFIER = re.compile(r"(?<!\s)\s*\([^()]*\)")  # from a run of spaces' start: linear in a long run


def classify(value: str | int) -> IdKind | None:
    """Guess which identifier a bare string is, for wrong-field messages; None when it is none of them.

    A `https://doi.org/...` URL is a DOI, an orcid.org URL an ORCID iD, a PubMed or PMC URL a PMID or
    PMCID; any other URL is "url". Bare digits are a PMID when 1-8 digits without a leading zero, an
    ISBN when they have a valid ISBN-10/13 check digit; `NNNN-NNNC` with a valid check character is an ISSN.
    """
    text = _INVISIBLE_RE.sub("", _text(value)).strip()
    for dash in _DASHES:
        text = text.replace(dash, "-")
    if not text:
        return None
    prefix = _DOI_PREFIX.match(text)
    if _DOI_BASIC.fullmatch(text[prefix.end() :] if prefix else text):
        return "doi"
    orcid = _ORCID_URL.match(text)
    if _ORCID_FORM.fullmatch(text[orcid.end() :].rstrip("/") if orcid else text):
        return "orcid"
    pmcid = _PMCID_PREFIX.match(text)
    if _PMCID_FORM.fullmatch(text[pmcid.end() :].rstrip("/") if pmcid else text):
        return "pmcid"
    pmid = _PMID_PREFIX.match(text)
    if pmid and re.fullmatch(r"[0-9]+/?", text[pmid.end() :]):
        return "pmid"
    if _URL.fullmatch(text):
        return "url"
    if re.fullmatch(r"[0-9]{4}-[0-9]{3}[0-9Xx]", text) and _issn_valid(text.replace("-", "").upper()):
        return "issn"
    issn_label = _ISSN_LABEL.match(text)
    if issn_label and re.fullmatch(r"[0-9]{4}-?[0-9]{3}[0-9Xx]", text[issn_label.end() :]):
        return "issn"
    label = _ISBN_LABEL.match(text)
    compact = re.sub(r"[-\s]", "", text[label.end() :] if label else text).upper()
    if (label and re.fullmatch(r"[0-9]{9}[0-9X]|[0-9]{13}", compact)) or _isbn_valid(compact):
        return "isbn"
    if re.fullmatch(r"97[89][0-9]{10}", compact):
        return "isbn"
    if re.fullmatch(r"[1-9][0-9]{0,7}", text):
        return "pmid"
    if re.fullmatch(r"[0-9]{7}[Xx]", text):
        return "issn"
    return None


def _wrong_field(found: str, here: IdKind) -> str:
    article, field = _ARTICLE_NAME[found]
    verb = "looks like" if found == "pmid" else "is"
    return f"this {verb} {article}, not {_ARTICLE_NAME[here][0]}; move it to {field}"


# ----------------------------------------------------------------------------------------------------- DOI


def check_doi(value: str | int) -> IdCheck:
    """A CSL `DOI`: `10.<registrant>/<suffix>`, bare (no `doi:` or `https://doi.org/`), case kept."""
    text = _text(value)
    notes: _Notes = []
    core, removed = _clean_doi(text, notes)
    if not core:
        message = "DOI is empty" if not removed else f"there is no DOI after the '{removed}' prefix"
        return _finish("doi", text, [("error", message)], None)
    if _URL.match(core):
        inside = _DOI_IN_URL.search(core)
        if inside:
            doi = _strip_trailing(inside.group(), [])
            message = "this is a URL, not a DOI; move it to URL, or keep only the DOI it contains"
            return _finish("doi", text, [("error", message)], doi, safe=False, belongs_in="url")
        return _finish("doi", text, [("error", _wrong_field("url", "doi"))], None, belongs_in="url")
    if not core.startswith("10."):
        found = classify(core)
        if found is not None and found != "doi":
            return _finish("doi", text, [("error", _wrong_field(found, "doi"))], None, belongs_in=found)
        start = re.match(r"[0-9]+\.", core)
        why = f"not '{start.group()}'" if start else f"'{core}' does not"
        notes.append(
            (
                "error",
                f"a DOI starts with '10.' ({why}), then a numeric registrant code, a '/' and a suffix (10.NNNN/suffix)",
            )
        )
        return _finish("doi", text, notes, None)
    registrant, slash, suffix = core[3:].partition("/")
    if not re.fullmatch(r"[0-9]+(?:\.[0-9]+)*", registrant):
        what = f"not '{registrant}'" if registrant else "and there is none"
        notes.append(("error", f"the registrant code after '10.' must be digits, like '10.1016' ({what})"))
        return _finish("doi", text, notes, None)
    if not slash:
        notes.append(("error", f"'{core}' has no '/' and suffix after the registrant code (10.NNNN/suffix)"))
        return _finish("doi", text, notes, None)
    if not suffix:
        notes.append(("error", f"'{core}' has no suffix after the '/'"))
        return _finish("doi", text, notes, None)
    if re.search(r"\s", core):
        spaced = re.sub(r"\s+", "", core)
        notes.append(("error", f"a DOI contains no whitespace; if it was broken across lines it is '{spaced}'"))
        return _finish("doi", text, notes, None)
    if not _DOI_CROSSREF.fullmatch(core):
        notes.append(("warning", _crossref_message(core, registrant, suffix)))
    return _finish("doi", text, notes, core)


def doi_key(value: str | int) -> str:
    """The DOI lowercased, with prefixes and copied punctuation removed: equal keys are the same DOI."""
    core, _ = _clean_doi(_text(value), [])
    return core.lower()


def _clean_doi(text: str, notes: _Notes) -> tuple[str, str]:
    """Strip what surrounds a DOI (whitespace, invisible characters, wrappers, prefixes, trailing punctuation)."""
    core = _strip_common(text, notes)
    if core.startswith("<") and core.endswith(">"):
        core = core[1:-1].strip()
        notes.append(("error", "remove the angle brackets around the DOI"))
    if core[:1] in ("(", "["):  # a DOI never starts with a bracket; the closing one goes with the trailing punctuation
        notes.append(("error", f"remove the leading '{core[0]}'"))
        core = core[1:].lstrip()
    prefixes, position = [], 0  # positions, not slices: `doi:doi:...` repeated is linear
    while match := _DOI_PREFIX.match(core, position):
        prefixes.append(match.group())
        position = match.end()
        while position < len(core) and core[position].isspace():
            position += 1
    removed, core = "".join(prefixes), core[position:]
    if removed:
        decoded = unquote(core) if "://" in removed or "doi.org/" in removed.lower() else core
        extra = " and decode the %-escapes" if decoded != core else ""
        notes.append(("error", f"remove the '{removed.strip()}' prefix{extra}"))
        core = decoded
    core = _strip_trailing(core, notes)
    return core, removed.strip()


def _strip_trailing(core: str, notes: _Notes) -> str:
    """Remove punctuation copied from the sentence around a DOI: `.,;:` and unbalanced `)` or `]`."""
    # Counted once and kept up to date, and cut once at the end: a long tail of punctuation stays linear.
    counts = {char: core.count(char) for char in "()[]"}
    end = len(core)
    kept = []
    while end:
        last = core[end - 1]
        unbalanced = (last == ")" and counts["("] < counts[")"]) or (last == "]" and counts["["] < counts["]"])
        if last not in ".,;:" and not unbalanced:
            break
        kept.append(last)
        if last in counts:
            counts[last] -= 1
        end -= 1
        while end and core[end - 1].isspace():
            end -= 1
    stripped = "".join(reversed(kept))
    core = core[:end]
    if stripped:
        notes.append(("error", f"remove the trailing '{stripped}' (punctuation copied from the citation)"))
    return core


def _crossref_message(core: str, registrant: str, suffix: str) -> str:
    reasons = []
    if not re.fullmatch(r"[0-9]{4,9}", registrant):
        reasons.append(f"its registrant code '{registrant}' is not 4-9 digits")
    odd = list(dict.fromkeys(c for c in suffix if not _DOI_CROSSREF_CHARS.fullmatch(c)))  # in order of appearance
    if odd:
        reasons.append("its suffix contains " + ", ".join(_describe(c) for c in odd))
    message = (
        f"'{core}' does not match Crossref's recommended DOI pattern ({'; '.join(reasons)}); older DOIs "
        f"legitimately do not, so check that https://doi.org/{core} resolves"
    )
    dashes = [c for c in odd if c in _DASHES]
    if dashes:
        message += f" (is {_describe(dashes[0])} meant to be '-'?)"
    return message


# ---------------------------------------------------------------------------------------------- PMID/PMCID


def _strip_label_or_url(core: str, prefix_pattern: re.Pattern[str], notes: _Notes) -> str:
    """Remove a `PMID:`-style label or a PubMed / PMC URL around the identifier, noting it."""
    prefix = prefix_pattern.match(core)
    if not prefix:
        return core
    what = "URL" if "/" in prefix.group() else "label"
    notes.append(("error", f"remove the '{prefix.group().strip()}' {what}"))
    core = core[prefix.end() :].strip()
    return re.sub(r"[/?#].*$", "", core) if what == "URL" else core


def check_pmid(value: str | int) -> IdCheck:
    """A CSL `PMID`: 1-8 digits, no leading zero, no `PMID:` label or PubMed URL."""
    text = _text(value)
    notes: _Notes = []
    core = _strip_label_or_url(_strip_common(text, notes), _PMID_PREFIX, notes)
    if not core:
        return _finish("pmid", text, [("error", "PMID is empty")], None)
    found = classify(core)
    if found is not None and found != "pmid" and not re.fullmatch(r"[0-9]+", core):
        return _finish("pmid", text, [("error", _wrong_field(found, "pmid"))], None, belongs_in=found)
    if not re.fullmatch(r"[0-9]+", core):
        odd = sorted({c for c in core if not ("0" <= c <= "9")}, key=core.index)
        chars = ", ".join(_describe(c) for c in odd)
        notes.append(("error", f"a PMID is digits only; '{core}' contains {chars}"))
        return _finish("pmid", text, notes, None)
    digits = core.lstrip("0")
    if not digits:
        notes.append(("error", f"'{core}' is not a PMID: PMIDs start at 1"))
        return _finish("pmid", text, notes, None)
    if len(digits) > 8:
        found = classify(core)
        if found == "isbn":
            return _finish("pmid", text, [("error", _wrong_field(found, "pmid"))], None, belongs_in=found)
        notes.append(("error", f"a PMID has at most 8 digits; '{core}' has {len(digits)}"))
        return _finish("pmid", text, notes, None)
    if digits != core:
        notes.append(("error", f"a PMID has no leading zeros ('{core}')"))
    return _finish("pmid", text, notes, digits)


def check_pmcid(value: str | int) -> IdCheck:
    """A CSL `PMCID`: `PMC` followed by digits, no `PMCID:` label or PMC URL."""
    text = _text(value)
    notes: _Notes = []
    core = _strip_label_or_url(_strip_common(text, notes), _PMCID_PREFIX, notes)
    if not core:
        return _finish("pmcid", text, [("error", "PMCID is empty")], None)
    match = _PMCID_FORM.fullmatch(core)
    if match:
        normalized = "PMC" + match.group(1)
        if core != normalized:
            hows = []
            if core[:3] != "PMC":
                hows.append("in capitals")
            if len(core) != len(normalized):
                hows.append("directly followed by the digits")
            notes.append(("warning", f"write 'PMC' {' and '.join(hows)} ('{core}')"))
        return _finish("pmcid", text, notes, normalized)
    if re.fullmatch(r"[0-9]+", core):
        notes.append(
            (
                "error",
                f"PMCID must start with PMC ('{core}' could also be a PMID: if so, move it to PMID)",
            )
        )
        return _finish("pmcid", text, notes, f"PMC{core}", safe=False)
    found = classify(core)
    if found is not None and found != "pmcid":
        return _finish("pmcid", text, [("error", _wrong_field(found, "pmcid"))], None, belongs_in=found)
    notes.append(("error", f"PMCID must start with PMC and continue with digits only (PMC<digits>), not '{core}'"))
    return _finish("pmcid", text, notes, None)


# ---------------------------------------------------------------------------------------------- ISBN/ISSN


def check_isbn(value: str | int) -> IdCheck:
    """A CSL `ISBN`: one or more ISBN-10/13 (hyphens and spaces inside allowed), separated by `,` `;` or spaces.

    `normalized` lists each ISBN without hyphens or spaces, joined by the value's own separator.
    """
    text = _text(value)
    notes: _Notes = []
    core = _strip_common(text, notes)
    if not core:
        return _finish("isbn", text, [("error", "ISBN is empty")], None)
    found = classify(core)
    if found in ("doi", "pmcid", "orcid", "url"):
        return _finish("isbn", text, [("error", _wrong_field(found, "isbn"))], None, belongs_in=found)
    core = _strip_qualifiers(core, notes)
    core = _strip_labels(core, _ISBN_LABEL, "ISBN", notes)
    core = _ascii_dashes(core, notes)
    items = [item for chunk in re.split(r"[,;]", core) for item in _group_isbn_tokens(chunk.split())]
    if not items:
        return _finish("isbn", text, [*notes, ("error", "there is no ISBN in the value")], None)
    normalized: list[str] = []
    belongs: set[IdKind] = set()
    for item in items:
        compact, kind = _check_isbn_item(item, notes)
        if kind is not None:
            belongs.add(kind)
        if compact is not None:
            normalized.append(compact)
    complete = len(normalized) == len(items)
    normalized = _drop_duplicates(normalized, "ISBN", notes)
    belongs_in = next(iter(belongs)) if len(items) == 1 and belongs else None
    return _finish("isbn", text, notes, _join(normalized, core) if complete else None, belongs_in=belongs_in)


def isbn_key(value: str | int) -> str:
    """An ISBN as ISBN-13 without hyphens, so an ISBN-10 and its ISBN-13 compare equal."""
    compact = re.sub(r"[-\s]", "", _ascii_dashes(_strip_labels(_text(value).strip(), _ISBN_LABEL, "", []), []))
    compact = compact.upper()
    if re.fullmatch(r"[0-9]{9}[0-9X]", compact):
        first12 = "978" + compact[:9]
        return first12 + isbn13_check_digit(first12)
    return compact


def _group_isbn_tokens(tokens: list[str]) -> list[str]:
    """Space-separated tokens as ISBNs: a 10/13-character token stands alone, shorter ones are joined."""
    items: list[str] = []
    i = 0
    while i < len(tokens):
        length = len(tokens[i].replace("-", ""))
        if length >= 10:
            items.append(tokens[i])
            i += 1
            continue
        j, total, at10 = i, 0, None
        while j < len(tokens):
            size = len(tokens[j].replace("-", ""))
            if size >= 10 or total + size > 13:
                break
            total += size
            j += 1
            if total == 10:
                at10 = j
        joined = "".join(tokens[i:j]).replace("-", "")
        if total != 13 or not joined.startswith(("978", "979")):
            j = at10 if at10 is not None else j
        items.append(" ".join(tokens[i:j]))
        i = j
    return items


def _check_isbn_item(item: str, notes: _Notes) -> tuple[str | None, IdKind | None]:
    compact = re.sub(r"[-\s]", "", item)
    if re.fullmatch(r"[0-9]{4}-?[0-9]{3}[0-9Xx]", item) and _issn_valid(compact.upper()):
        notes.append(("error", f"'{item}' is an ISSN, not an ISBN; move it to ISSN"))
        return None, "issn"
    if not re.fullmatch(r"[0-9]+[Xx]?", compact):
        odd = sorted({c for c in compact if not ("0" <= c <= "9")}, key=compact.index)
        chars = ", ".join(_describe(c) for c in odd)
        notes.append(("error", f"an ISBN has only digits, hyphens and a final X (ISBN-10); '{item}' contains {chars}"))
        return None, None
    if compact.endswith("x"):
        notes.append(("warning", f"write the ISBN check character as a capital X ('{item}')"))
        compact = compact.upper()
    if len(compact) == 13:
        if re.fullmatch(r"977[0-9]{10}", compact) and isbn13_check_digit(compact[:12]) == compact[12]:
            issn = compact[3:10] + issn_check_digit(compact[3:10])
            notes.append(
                (
                    "error",
                    f"'{item}' is the EAN-13 barcode of a serial, not an ISBN: its ISSN is "
                    f"'{issn[:4]}-{issn[4:]}'; move it to ISSN",
                )
            )
            return None, "issn"
        if not compact.startswith(("978", "979")):
            notes.append(("error", f"an ISBN-13 starts with 978 or 979; '{item}' starts with '{compact[:3]}'"))
            return None, None
        if compact.endswith("X"):
            notes.append(("error", f"an ISBN-13 has no X check character ('{item}')"))
            return None, None
        expected = isbn13_check_digit(compact[:12])
        if compact[12] != expected:
            notes.append(("error", _check_digit_message(item, "ISBN-13", compact[12], "first 12 digits", expected)))
            return None, None
        return compact, None
    if len(compact) == 10:
        expected = isbn10_check_digit(compact[:9])
        if compact[9] != expected:
            notes.append(("error", _check_digit_message(item, "ISBN-10", compact[9], "first 9 digits", expected)))
            return None, None
        return compact, None
    notes.append(("error", f"an ISBN has 10 or 13 digits; '{item}' has {len(compact)}"))
    return None, None


def check_issn(value: str | int) -> IdCheck:
    """A CSL `ISSN`: one or more `NNNN-NNNC` (C a digit or X), separated by `,` `;` or spaces."""
    text = _text(value)
    notes: _Notes = []
    core = _strip_common(text, notes)
    if not core:
        return _finish("issn", text, [("error", "ISSN is empty")], None)
    found = classify(core)
    if found in ("doi", "pmcid", "orcid", "url"):
        return _finish("issn", text, [("error", _wrong_field(found, "issn"))], None, belongs_in=found)
    core = _strip_qualifiers(core, notes)
    core = _strip_labels(core, _ISSN_LABEL, "ISSN", notes)
    core = _ascii_dashes(core, notes)
    whole = re.sub(r"[-\s]", "", _ISBN_LABEL.sub("", core)).upper()
    if " " in core.strip() and _isbn_valid(whole):
        return _finish("issn", text, [("error", _wrong_field("isbn", "issn"))], None, belongs_in="isbn")
    items = [item for item in re.split(r"[\s,;]+", core) if item]
    if not items:
        return _finish("issn", text, [*notes, ("error", "there is no ISSN in the value")], None)
    normalized: list[str] = []
    belongs: set[IdKind] = set()
    for item in items:
        issn, kind = _check_issn_item(item, notes)
        if kind is not None:
            belongs.add(kind)
        if issn is not None:
            normalized.append(issn)
    complete = len(normalized) == len(items)
    normalized = _drop_duplicates(normalized, "ISSN", notes)
    belongs_in = next(iter(belongs)) if len(items) == 1 and belongs == {"isbn"} else None
    return _finish("issn", text, notes, _join(normalized, core) if complete else None, belongs_in=belongs_in)


def _check_issn_item(item: str, notes: _Notes) -> tuple[str | None, IdKind | None]:
    compact = item.replace("-", "")
    if re.fullmatch(r"[0-9]{7}[0-9Xx]", compact):
        upper = compact.upper()
        expected = issn_check_digit(upper[:7])
        if upper[7] != expected:
            notes.append(("error", _check_digit_message(item, "ISSN", upper[7], "first 7 digits", expected)))
            return None, None
        canonical = f"{upper[:4]}-{upper[4:]}"
        if item.upper() != canonical:
            notes.append(("warning", f"write an ISSN as two groups of four joined by a hyphen, NNNN-NNNC ('{item}')"))
        if item.endswith("x"):
            notes.append(("warning", f"write the ISSN check character as a capital X ('{item}')"))
        return canonical, None
    upper = compact.upper()
    if _isbn_valid(upper):
        notes.append(("error", f"'{item}' is an ISBN, not an ISSN; move it to ISBN"))
        return None, "isbn"
    if re.fullmatch(r"977[0-9]{10}", upper) and isbn13_check_digit(upper[:12]) == upper[12]:
        issn = upper[3:10] + issn_check_digit(upper[3:10])
        canonical = f"{issn[:4]}-{issn[4:]}"
        notes.append(("error", f"'{item}' is the EAN-13 barcode of the serial, not its ISSN"))
        return canonical, None
    if not re.fullmatch(r"[0-9]+[Xx]?", upper):
        odd = sorted({c for c in compact if not ("0" <= c <= "9")}, key=compact.index)
        chars = ", ".join(_describe(c) for c in odd)
        notes.append(
            ("error", f"an ISSN has only digits, a hyphen and a final X (NNNN-NNNC); '{item}' contains {chars}")
        )
        return None, None
    notes.append(("error", f"an ISSN has 8 characters (NNNN-NNNC); '{item}' has {len(compact)}"))
    return None, None


# -------------------------------------------------------------------------------------------------- ORCID


def check_orcid(value: str | int) -> IdCheck:
    """An author's ORCID iD: `0000-0002-1825-0097` or `https://orcid.org/0000-0002-1825-0097`.

    `normalized` is the bare iD; the https URL form is ok as it is.
    """
    text = _text(value)
    notes: _Notes = []
    core = _strip_common(text, notes)
    label = re.match(r"orcid(?:\s*id)?\s*:?\s*(?=\S)", core, re.I)
    if label and not core.lower().startswith("orcid.org"):
        notes.append(("warning", f"remove the '{label.group().strip()}' label"))
        core = core[label.end() :]
    prefix = _ORCID_URL.match(core)
    if prefix:
        if prefix.group() != "https://orcid.org/":
            notes.append(("warning", f"write the ORCID URL as 'https://orcid.org/<iD>', not '{prefix.group()}<iD>'"))
        core = core[prefix.end() :].rstrip("/")
    if not core:
        return _finish("orcid", text, [("error", "ORCID iD is empty")], None)
    core = _ascii_dashes(core, notes)
    compact = re.sub(r"[-\s]", "", core)
    if not re.fullmatch(r"[0-9]{15}[0-9Xx]", compact):
        found = classify(core)
        if found is not None and found not in ("orcid", "pmid", "isbn"):
            return _finish("orcid", text, [("error", _wrong_field(found, "orcid"))], None, belongs_in=found)
        digits = sum(c.isdigit() for c in compact)
        notes.append(
            (
                "error",
                f"an ORCID iD is 16 digits (the last may be X) in four groups of four, 0000-0000-0000-000X; "
                f"'{core}' has {digits} digit{'s' if digits != 1 else ''}"
                + ("" if re.fullmatch(r"[0-9Xx]+", compact) else " and other characters"),
            )
        )
        return _finish("orcid", text, notes, None)
    upper = compact.upper()
    expected = orcid_check_digit(upper[:15])
    if upper[15] != expected:
        notes.append(("error", _check_digit_message(core, "ORCID", upper[15], "first 15 digits", expected)))
        return _finish("orcid", text, notes, None)
    canonical = "-".join(upper[i : i + 4] for i in range(0, 16, 4))
    if core.upper() != canonical:
        notes.append(("warning", f"write an ORCID iD as four groups of four joined by hyphens ('{core}')"))
    if core.endswith("x"):
        notes.append(("warning", f"write the ORCID check character as a capital X ('{core}')"))
    return _finish("orcid", text, notes, canonical)


def extract_orcids(text: str) -> tuple[str, ...]:
    """Everything shaped like an ORCID iD (bare or orcid.org URL) in free text such as a CSL `note`.

    The matches are returned as written, to be passed to `check_orcid`.
    """
    pattern = r"(?:https?://)?(?:www\.)?orcid\.org/[0-9]{4}-[0-9]{4}-[0-9]{4}-[0-9]{3}[0-9Xx]|"
    pattern += r"(?<![\w-])[0-9]{4}-[0-9]{4}-[0-9]{4}-[0-9]{3}[0-9Xx](?![\w-])"
    return tuple(match.group() for match in re.finditer(pattern, text, re.I))


# --------------------------------------------------------------------------------------------- dispatching

CHECKERS: dict[str, Callable[[str | int], IdCheck]] = {
    "DOI": check_doi,
    "PMID": check_pmid,
    "PMCID": check_pmcid,
    "ISBN": check_isbn,
    "ISSN": check_issn,
    "ORCID": check_orcid,
}


def check_field(field: str, value: str | int) -> IdCheck | None:
    """Check a CSL field by name (`DOI`, `PMID`, `PMCID`, `ISBN`, `ISSN`, `ORCID`); None for other fields."""
    checker = CHECKERS.get(field.upper())
    return checker(value) if checker else None


# ---------------------------------------------------------------------------------------------------- shared


def _text(value: str | int) -> str:
    return value if isinstance(value, str) else str(value)


def _strip_common(text: str, notes: _Notes) -> str:
    """Surrounding whitespace (a warning) and invisible characters copied from web pages (an error)."""
    core = text.strip()
    if core and core != text:
        notes.append(("warning", "remove the whitespace around the value"))
    invisible = sorted(set(_INVISIBLE_RE.findall(core)), key=core.index)
    if invisible:
        names = ", ".join(f"U+{ord(c):04X}" for c in invisible)
        notes.append(("error", f"remove the invisible character{'s' if len(invisible) > 1 else ''} {names}"))
        core = _INVISIBLE_RE.sub("", core).strip()
    return core


def _ascii_dashes(core: str, notes: _Notes) -> str:
    dashes = sorted({c for c in core if c in _DASHES}, key=core.index)
    if dashes:
        notes.append(("warning", "replace " + ", ".join(_describe(c) for c in dashes) + " with '-'"))
        for dash in dashes:
            core = core.replace(dash, "-")
    return core


def _strip_qualifiers(core: str, notes: _Notes) -> str:
    for qualifier in _QUALIFIER.findall(core):
        notes.append(("warning", f"remove the qualifier '{qualifier.strip()}'"))
    return _QUALIFIER.sub("", core).strip()


def _strip_labels(core: str, label: re.Pattern[str], name: str, notes: _Notes) -> str:
    labels = [match.group().strip() for match in label.finditer(core)]
    if labels:
        notes.append(
            ("error", f"remove the '{labels[0]}' label" if len(set(labels)) == 1 else f"remove the {name} labels")
        )
    return label.sub("", core).strip()


def _drop_duplicates(items: list[str], name: str, notes: _Notes) -> list[str]:
    unique: dict[str, None] = {}  # ordered, and a lookup is not a scan of the list
    for item in items:
        if item in unique:
            notes.append(("warning", f"{name} '{item}' is listed twice"))
        else:
            unique[item] = None
    return list(unique)


def _join(items: list[str], core: str) -> str:
    separator = "; " if ";" in core else ", " if "," in core else " "
    return separator.join(items)


def _check_digit_message(item: str, name: str, found: str, source: str, expected: str) -> str:
    return (
        f"'{item}' fails the {name} check: its check character is '{found}' but the {source} give '{expected}'; "
        "a digit is probably mistyped"
    )


def _describe(char: str) -> str:
    if char.isascii() and char.isprintable():
        return f"'{char}'"
    return f"'{char}' (U+{ord(char):04X})" if char.isprintable() else f"U+{ord(char):04X}"


def _finish(
    kind: IdKind,
    value: str,
    notes: _Notes,
    normalized: str | None,
    *,
    safe: bool = True,
    belongs_in: IdKind | None = None,
) -> IdCheck:
    if not notes:
        return IdCheck(kind, value, True, normalized)
    severity: IdSeverity = "error" if any(sev == "error" for sev, _ in notes) else "warning"
    problem = "; ".join(message for _, message in notes)
    if normalized is not None and normalized != value:
        problem += f"; use '{normalized}'"
    fix = normalized if safe and normalized is not None and normalized != value else None
    return IdCheck(kind, value, False, normalized, problem, severity, fix, belongs_in)
