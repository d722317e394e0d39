"""Acronyms used before they are defined (HC720).

An acronym is a word of 2 to 5 capitals ("ACL"; "NSAIDs", a plural). Longer ones are names ("MATLAB"),
and words with digits are models or codes ("GT9X"). Left out too: Roman numerals, a name before a company
word or a number ("AMTI Corporation", "CES 192-14"), words in a run of capitals ("DO NOT"), the configured
`known-acronyms`, and the muscle records' abbreviations (abbreviation-before-definition, HC608, reports
those). It is defined where it stands in parentheses after words ("anterior cruciate ligament (ACL)",
"(ACL, ...)"), where parentheses with words follow it ("ACL (anterior cruciate ligament)"), where it opens
a glossary line ("ACL: anterior ...", "**ACL** - ..."), or in the front matter's abstract or summary.
Link text is prose the reader reads, so it counts.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from hipcheck.context import Context
from hipcheck.diagnostics import Finding, Severity
from hipcheck.index import ContentIndex
from hipcheck.loader.records import Record
from hipcheck.prose_options import prose_options
from hipcheck.prose_text import english, prose_text
from hipcheck.rules.registry import muscle_check, rule
from hipcheck.textpos import line_index

ACRONYM_FIRST = rule(
    "HC720",
    "acronym-before-definition",
    Severity.WARNING,
    """
    An acronym is used before the article defines it, or never defined.

    ## What it does
    Finds acronyms in an article's prose (2 to 5 capitals, a plural "s" allowed: "ACL", "NSAIDs")
    and checks that each is defined at or before its first use: "anterior cruciate ligament (ACL)",
    "ACL (anterior cruciate ligament)", or a glossary line "ACL: anterior cruciate ligament". A
    definition in the front matter's `abstract` or `summary` counts (renderers print them first).
    Reports the first use of each, once. Not acronyms here: Roman numerals, longer capitalised names
    ("MATLAB"), words with digits ("GT9X"), a name before a company word or a number ("AMTI
    Corporation", "CES 192-14"), a run of capitalised words ("DO NOT"), authors' initials in a
    reference list, code, link destinations, citations and headings. Muscle abbreviations are left to
    `abbreviation-before-definition`. Acronyms every reader knows are listed in
    `[tool.hipcheck.prose] known-acronyms` (default: UK, US, USA, EU).

    ## Why it matters
    An undefined acronym stops the reader who does not know it, and health content is read by people
    who do not share the writer's jargon; acronyms in medicine are also ambiguous (MS, PT, RA each
    mean several things).

    ## Example
    ```markdown
    An ACL tear needs a scan. ... The anterior cruciate ligament (ACL) joins the femur to the tibia.
    ```

    ## Fix
    Write the full term with the acronym in parentheses at its first use, or write the term out.
    """,
    kinds=("article",),
)

_ACRONYM = re.compile(r"(?<![\w\-./@#&])([A-Z]{2,5})(s?)(?![\w\-/@&])")
# What follows a name, not an acronym: a company ("AMTI Corporation") or a number ("CES 192-14", a protocol id).
_NAME_AFTER = re.compile(
    r"[ \t]+(?:\d|(?:Corporation|Corp|Inc|Ltd|LLC|GmbH|Co|Company|Group|Laboratories|Labs|Software|Systems)\b)"
)
_ROMAN = re.compile(r"^[IVXLCDM]+$")
_CAPITAL_WORD = re.compile(r"[A-Z][A-Z0-9]+s?")
_GLOSSARY_AFTER = re.compile(r"[*_]{0,2}[ \t]*(?::|[ \t]+[-\u2013\u2014][ \t])")
_LINE_START = re.compile(r"(?:^|\n)[ \t]*(?:[-*+\u2022][ \t]+|\d{1,3}[.)][ \t]+)?[*_]{0,2}$")
_OPENING = re.compile(r"[ \t]{0,3}\(")
_PARENTHESIS_REACH = 200  # a definition in parentheses closes within this many characters
_LETTERS = re.compile(r"[A-Za-z]{2,}")
_WORD_BEFORE = re.compile(r"[A-Za-z]{2,}[^A-Za-z\n]{0,3}$")


def _muscle_abbreviations(index: ContentIndex) -> frozenset[str]:
    found: set[str] = set()
    for muscle in index.of_kind("muscle"):
        values = muscle.data.get("abbreviations") if isinstance(muscle.data, dict) else None
        if isinstance(values, list):
            found.update(v.strip() for v in values if isinstance(v, str))
    return frozenset(found)


_INITIALS = re.compile(r"[A-Z][a-z\u00e0-\u00ff'\-]+[ \t]$")  # "Niemuth PE," in a reference list
_REFERENCE_ENTRY = re.compile(r"\b(?:19|20)\d\d[;:(]|\bdoi:|\bet al\.|\bAvailable from\b", re.I)


def _initials(text: str, start: int, end: int, entries: dict[int, bool]) -> bool:
    """An author's initials after a surname ("Niemuth PE, Johnson RJ."), or any capitals in a paragraph that
    reads as a reference-list entry (a year with its volume, a DOI, "et al.")."""
    if (
        end - start <= 3
        and text[end : end + 1] in (",", ".", ";")
        and _INITIALS.search(text, max(0, start - 30), start)
    ):
        return True
    paragraph_start = text.rfind("\n\n", 0, start) + 1
    paragraph_end = text.find("\n\n", end)
    return (
        _REFERENCE_ENTRY.search(text[paragraph_start : paragraph_end if paragraph_end >= 0 else len(text)]) is not None
    )


def _in_capital_run(text: str, start: int, end: int) -> bool:
    """Whether the word next to this one (across a space) is also in capitals: shouting or a title."""
    before = re.search(r"([A-Za-z0-9]+)[ \t]+$", text[max(0, start - 40) : start])
    after = re.match(r"[ \t]+([A-Za-z0-9]+)", text[end : end + 40])
    return any(m is not None and _CAPITAL_WORD.fullmatch(m.group(1)) is not None for m in (before, after))


def _defines(text: str, start: int, end: int) -> bool:
    # "words (ACL)" or "words (ACL, ...)" / "(ACL; ...)"
    if text[start - 1 : start] == "(" and text[end : end + 1] in (")", ",", ";"):
        # the word may stand any number of spaces back: a link's destination is blanked out to spaces
        word_end = start - 1
        while word_end > 0 and text[word_end - 1] in " \t":
            word_end -= 1
        return _WORD_BEFORE.search(text, max(0, start - 6), start - 1) is not None or bool(
            _LETTERS.fullmatch(text, max(0, word_end - 2), word_end)
        )
    # "ACL (anterior cruciate ligament)": two words or more in parentheses on the same line
    opening = _OPENING.match(text, end)
    if opening is not None:
        close = text.find(")", opening.end(), opening.end() + _PARENTHESIS_REACH)
        inside = text[opening.end() : close] if close >= 0 else ""
        if inside and "\n" not in inside and "(" not in inside and len(_LETTERS.findall(inside)) >= 2:
            return True
    # a glossary line: "ACL: anterior cruciate ligament", "**ACL** - ..."
    line = max(0, text.rfind("\n", 0, start))  # its newline, or the text's start: any depth of list indentation
    return bool(_LINE_START.match(text, line, start)) and bool(_GLOSSARY_AFTER.match(text, end))


_FRONT_MATTER_PROSE = ("abstract", "summary", "description")


def _defined_in_front_matter(data: object) -> set[str]:
    """Acronyms the abstract or summary defines: renderers print them before the body."""
    defined: set[str] = set()
    if not isinstance(data, dict):
        return defined
    for key in _FRONT_MATTER_PROSE:
        value = data.get(key)
        if isinstance(value, str) and len(value) < 100_000:
            for match in _ACRONYM.finditer(value):
                if _defines(value, match.start(), match.end()):
                    defined.add(match.group(1))
    return defined


@muscle_check(ACRONYM_FIRST)
def check_acronyms(record: Record, index: ContentIndex, ctx: Context) -> Iterator[Finding]:
    if record.kind != "article" or not record.loaded or not record.body:
        return
    if not english(record.data, ctx.config.default_lang):
        return
    text = prose_text(record.body).text
    known = set(prose_options(ctx.config).known_acronyms) | _muscle_abbreviations(index)
    known |= _defined_in_front_matter(record.data)
    uses: dict[str, list[tuple[int, int, bool]]] = {}
    entries: dict[int, bool] = {}
    for match in _ACRONYM.finditer(text):
        acronym = match.group(1)
        if _ROMAN.match(acronym):
            continue
        if acronym in known or match.group() in known:
            continue
        if (
            _NAME_AFTER.match(text, match.end())
            or _in_capital_run(text, match.start(), match.end())
            or _initials(text, match.start(), match.end(), entries)
        ):
            continue
        uses.setdefault(acronym, []).append((match.start(), match.end(), _defines(text, match.start(), match.end())))
    if not uses:
        return
    lines = line_index(record.text)
    base = record.body_offset
    for acronym, found in uses.items():
        first_start, first_end, defined_here = found[0]
        if defined_here:
            continue
        definition = next((start for start, _, defines in found if defines), None)
        if definition is None:
            message = (
                f"'{acronym}' is never defined in this article: write the term out at its first use, then '({acronym})'"
            )
        else:
            line = lines.position(base + definition)[0]
            message = f"'{acronym}' is used before it is defined (line {line}): define it here, at its first use"
        yield Finding(message, lines.span(base + first_start, base + first_end), code=ACRONYM_FIRST.code)
