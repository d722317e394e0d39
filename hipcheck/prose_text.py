"""The prose of an article body: what a reader reads as sentences, with everything else blanked.

`prose_text` starts from `citations.prose_mask` (code, HTML blocks and comments, URLs, link destinations,
autolinks, e-mail addresses) and also blanks Pandoc citations (the whole `[see @a, p. 4]`, or a narrative
`@key`), footnote marks, images, reference-link labels, link brackets (the link text is kept), inline HTML
tags, Pandoc attributes (`{#fig-x}`), TeX math, headings and tables. Every blanked character becomes a
space and newlines stay, so an offset into the result is an offset into the body. `paragraphs` splits the
result into paragraphs, sentences and words.

Every pattern here reads a stranger's text: each is linear in it (bounded repeats, no nested quantifiers
over the same characters).
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from functools import lru_cache

from hipcheck.citations import find_citations, prose_mask

_HEADING = re.compile(r"^ {0,3}#{1,6}(?:[ \t][^\n]*)?$", re.M)
_SETEXT_UNDERLINE = re.compile(r"^ {0,3}(?:=+|-+)[ \t]*$", re.M)
_TABLE_DELIMITER = re.compile(r"^[ \t]*\|?[ \t]*:?-{3,}:?[ \t]*(?:\|[ \t]*:?-{1,}:?[ \t]*)*\|?[ \t]*$")
_INLINE_TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9-]*(?:[ \t\n][^<>]{0,500})?/?>")
_IMAGE = re.compile(r"!\[[^\[\]]{0,2000}\]")  # a figure's caption may run over lines
# Pandoc attributes after an image, heading or span (`{#fig-x width="50%"}`, `{.note}`) and TeX math (as Pandoc
# reads it: `$5 and $10` is no math).
_ATTRIBUTES = re.compile(r"\{[ \t]*[#.][^{}\n]{0,500}\}")
_MATH = re.compile(r"\$\$[^$]{1,5000}\$\$|\$(?![\s$])[^$\n]{1,500}(?<![\s\\])\$(?!\d)")
_FOOTNOTE_MARK = re.compile(r"\[\^[^\[\]\s]{1,100}\]")
_BRACKETS = re.compile(r"\[[^\[\]]{0,2000}\]")
_LINK_LABEL = re.compile(r"(?<=\])\[[^\[\]\n]{0,200}\]")  # [text][label]: the label is no prose


@dataclass(frozen=True, slots=True)
class ProseText:
    """A body's prose (same length as the body) and where its link texts and citations are."""

    text: str
    links: tuple[tuple[int, int], ...]  # link texts, without their brackets
    citations: tuple[int, ...]  # offsets of citation keys, footnote marks and links (what makes a sentence cite)


def _blank(chars: list[str], start: int, end: int) -> None:
    for i in range(start, end):
        if chars[i] != "\n":
            chars[i] = " "


@lru_cache(maxsize=8)
def prose_text(body: str) -> ProseText:
    """The body's prose, every offset kept (see the module docstring)."""
    masked = prose_mask(body)
    chars = list(masked)
    cites: list[int] = []
    citations = [c for c in find_citations(body) if masked[c.start] == "@"]
    starts = [c.start for c in citations]
    for match in _BRACKETS.finditer(masked):
        if bisect_left(starts, match.end()) > bisect_right(starts, match.start()):  # a citation inside
            _blank(chars, match.start(), match.end())
            cites.append(match.start())
    for citation in citations:
        if not citation.bracketed:
            _blank(chars, citation.start, citation.end)
            cites.append(citation.start)
    masked = "".join(chars)
    for pattern in (_IMAGE, _FOOTNOTE_MARK, _LINK_LABEL, _INLINE_TAG, _ATTRIBUTES, _MATH):
        for match in pattern.finditer(masked):
            _blank(chars, match.start(), match.end())
            if pattern is _FOOTNOTE_MARK:
                cites.append(match.start())
        masked = "".join(chars)
    links: list[tuple[int, int]] = []
    for match in _BRACKETS.finditer(masked):
        after = body[match.end() : match.end() + 1]
        if after in ("(", "["):  # a link: its destination or label is masked already; keep the text
            links.append((match.start() + 1, match.end() - 1))
            cites.append(match.start())
        chars[match.start()] = chars[match.end() - 1] = " "
    masked = "".join(chars)
    _blank_headings_and_tables(masked, chars)
    return ProseText("".join(chars), tuple(links), tuple(sorted(cites)))


def _blank_headings_and_tables(masked: str, chars: list[str]) -> None:
    for match in _HEADING.finditer(masked):
        _blank(chars, match.start(), match.end())
    for match in _SETEXT_UNDERLINE.finditer(masked):
        previous_end = match.start() - 1
        previous_start = masked.rfind("\n", 0, max(previous_end, 0)) + 1
        if previous_end > previous_start and masked[previous_start:previous_end].strip():
            _blank(chars, previous_start, match.end())
    for start, end in _blocks(masked):
        lines = masked[start:end].split("\n")
        if any("|" in line and _TABLE_DELIMITER.match(line) for line in lines):
            _blank(chars, start, end)


def _blocks(text: str) -> list[tuple[int, int]]:
    """(start, end) of each run of non-blank lines."""
    blocks: list[tuple[int, int]] = []
    position = 0
    for line in text.split("\n"):
        end = position + len(line)
        if line.strip():
            if blocks and blocks[-1][1] == position - 1:
                blocks[-1] = (blocks[-1][0], end)
            else:
                blocks.append((position, end))
        position = end + 1
    return blocks


# --- paragraphs, sentences, words ---------------------------------------------------------------

_WORD = re.compile(r"[^\W\d_]+(?:['\u2019\-][^\W\d_]+)*|\d+(?:[.,]\d+)*")
# Abbreviations after which a full stop does not end a sentence.
_NO_END = frozenset(
    "e.g i.e etc vs cf al dr mr mrs ms prof st fig figs no approx ca esp incl ref refs resp vol p pp".split()
)
_SENTENCE_MARK = re.compile(
    r"[.!?]+['\"\u201d\u2019)\]]*(?=\s|$)|:[ \t]*(?=\n)|\n(?=[ \t]*(?:[-*+\u2022]|\d{1,3}[.)])[ \t])"
)


@dataclass(frozen=True, slots=True)
class Sentence:
    start: int  # offsets in the body
    end: int
    words: tuple[tuple[int, int], ...]


@dataclass(frozen=True, slots=True)
class Paragraph:
    start: int
    end: int
    sentences: tuple[Sentence, ...]

    @property
    def words(self) -> list[tuple[int, int]]:
        return [w for s in self.sentences for w in s.words]


def paragraphs(text: str) -> list[Paragraph]:
    """The paragraphs (runs of non-blank lines) of a masked text, each split into sentences and words;
    a list item starts a sentence, and so does the line after one ending in ':'."""
    found = []
    for start, end in _blocks(text):
        sentences = tuple(s for s in _sentences(text, start, end) if s.words)
        if sentences:
            found.append(Paragraph(start, end, sentences))
    return found


def _sentences(text: str, start: int, end: int) -> list[Sentence]:
    found = []
    position = start
    for match in _SENTENCE_MARK.finditer(text, start, end):
        if match.group().startswith(".") and _abbreviation_before(text, match.start()):
            continue
        found.append(_sentence(text, position, match.end()))
        position = match.end()
    if position < end:
        found.append(_sentence(text, position, end))
    return found


def _abbreviation_before(text: str, dot: int) -> bool:
    begin = dot
    while begin > 0 and (text[begin - 1].isalpha() or text[begin - 1] == "."):
        begin -= 1
    word = text[begin:dot].lower()
    return word in _NO_END or (len(word) == 1 and text[begin : begin + 1].isupper())  # an initial: "J. Smith"


def _sentence(text: str, start: int, end: int) -> Sentence:
    words = tuple(m.span() for m in _WORD.finditer(text, start, end))
    return Sentence(start, end, words)


def english(data: object, default_lang: str = "en") -> bool:
    """Whether an article is in English: its `lang` (a BCP 47 tag: en, en-GB), else `default_lang`.
    The formulas, phrase lists and acronym patterns here are English."""
    lang = data.get("lang") if isinstance(data, dict) else None
    tag = lang if isinstance(lang, str) and lang.strip() else default_lang
    return tag.strip().split("-", 1)[0].split("_", 1)[0].lower() == "en"
