"""Pandoc citations in Markdown prose: `[@key]`, `[see @a; @b, p. 4]`, `[-@key]`, narrative `@key`.

`find_citations` finds exactly the `Cite` keys `pandoc -f markdown` finds (tests/test_citations_pandoc.py
compares them): code (blocks, fences, spans), raw HTML tags and verbatim HTML blocks, comments, link
destinations and definitions, and autolinks are masked first, with offsets preserved; an `@` right after
a word (an e-mail address, `a@b`) is not a citation, as Pandoc reads it, but one after `/` (a bare URL's
`https://x.org/@user`) is. `prose_mask` (used by the prose rules) also masks bare URLs and e-mail addresses.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from markdown_it import MarkdownIt


@dataclass(frozen=True, slots=True)
class Citation:
    key: str
    start: int  # character offsets of `@key` in the file (the body offset is added)
    end: int
    bracketed: bool


# Every pattern here runs over a stranger's text, so each is linear in it: a failed attempt reads only up to
# a character at which no later attempt can start (`{`, `]`, `[`, `<`), an e-mail address is tried only
# where a run of its characters starts, and the two constructs whose closer may be missing (code spans and
# HTML comments) are found with `str.find` (see `_code_spans` and `html_comment`).

# Pandoc's `citeKey` (Text.Pandoc.Parsing.Citations): a key starts with an alphanumeric, `_` or `*` (`@*`),
# and goes on with alphanumerics and `_`, the internal punctuation :.#$%&-+?<>~/ when a key character
# follows, and `:` or `/` when `/` follows (`@url:https://x.org`); `@{...}` takes balanced braces with no
# space inside (`@{https://x.org/a?b}`, `@{{x}}` as the key `{x}`; `@{a b}` is no citation).
_KEY = re.compile(r"@(?:(?P<key>[\w*](?:\w|[:.#$%&\-+?<>~/](?=\w)|[:/](?=/))*)|(?P<brace>\{))")
_WHITESPACE = frozenset(" \t\n\r\f\v\u00a0")
_BACKTICKS = re.compile("`+")
_MASKED_INLINE = re.compile(
    r"<[a-zA-Z][a-zA-Z0-9+.-]*:[^<>\s]*>"  # autolinks <https://...>
    r"|<[^<>\s@]+@[^<>\s]+>"  # e-mail autolinks
    r"|(?<=\])\([^)\]]*\)"  # link and image destinations: ](https://...)
    r"|^\s{0,3}\[[^\[\]]+\]:.*$"  # link reference definitions
    r"|\b(?:https?|ftp)://[^\s<>\])]+"  # bare URLs
    r"|\bwww\.[^\s<>\])]+"
    r"|(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+",  # bare e-mail addresses
    re.M,
)
# What Pandoc's Markdown reader never reads a citation in (bare URLs and e-mail addresses it does read:
# they are plain text to it without the `autolink_bare_uris` extension, see `_after_string`).
_CITATION_MASKED = re.compile(
    r"<[a-zA-Z][a-zA-Z0-9+.-]*:[^<>\s]*>"  # autolinks <https://...>
    r"|<[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?>"  # e-mail autolinks
    r"|(?<!\w)</?[a-zA-Z][a-zA-Z0-9-]*(?:\s[^<>]*)?/?>"  # raw HTML tags (`@x<y>z` is one key)
    r"|\$\$[^$]+\$\$"  # TeX math: display, and inline as Pandoc reads it ($5 and $10 is none)
    r"|\$(?![\s$])[^$\n]*(?:\n(?![ \t]*\n)[^$\n]*)*(?<![\s\\])\$(?!\d)"  # within a paragraph
    # link and image destinations, `](https://x.org/@a "title")`, with balanced parentheses and `]` inside
    r"|(?<=\])\((?:[^()\s]|\([^()\s]*\))*(?:\s+(?:\"[^\"\n]*\"|'[^'\n]*'))?\s*\)"
    # link reference definitions, Manubot's `[@tag:x]: doi:...` too (Pandoc alone reads that as a citation);
    # a footnote `[^1]: ...` is prose
    r"|^\s{0,3}\[(?!\^)[^\[\]]+\]:.*$",
    re.M,
)
# HTML blocks whose content Pandoc keeps verbatim; in any other (`<div>`, a lone tag) it reads Markdown.
# Comments are masked by `html_comment`, one reading for every rule.
_VERBATIM_HTML = re.compile(r"\s*<(?:script|pre|style|textarea)[\s>]", re.I)


_BLOCKS = ("fence", "code_block", "html_block")
# A line as markdown-it counts them (its token maps): ended by LF, CRLF or CR, and nothing else
# (`str.splitlines` also breaks at VT, FF, NEL, LS and PS, which would shift every block after one).
_MARKDOWN_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+\Z")


@cache
def _parser() -> MarkdownIt:
    from markdown_it import MarkdownIt  # only runs with articles to read

    return MarkdownIt("commonmark")


# Several rules read the same article body: each mask is computed once per body (and the Markdown
# parse once for both masks); the small caches hold the article being checked.


@lru_cache(maxsize=8)
def prose_mask(body: str) -> str:
    """The body with everything that is not prose replaced by spaces (newlines kept)."""
    return _mask(body, (_code_spans, _masked_spans), _BLOCKS)


@lru_cache(maxsize=8)
def code_mask(body: str) -> str:
    """The body with code blocks, fences and inline code replaced by spaces; HTML comments kept."""
    return _mask(body, (_code_spans,), ("fence", "code_block"))


@lru_cache(maxsize=8)
def citation_mask(body: str) -> str:
    """The body with what Pandoc reads no citation in replaced by spaces (newlines kept)."""
    chars = list(body)
    for kind, start, end in _block_ranges(body):
        if kind != "html_block" or _VERBATIM_HTML.match(body, start):
            _blank(chars, start, end)
    masked = "".join(chars)
    for spans in (_code_spans, _citation_spans):
        for start, end in spans(masked):
            _blank(chars, start, end)
        masked = "".join(chars)
    return masked


def _code_spans(text: str) -> Iterator[tuple[int, int]]:
    """Inline code: a run of backticks, up to the next run of exactly as many. An opener with no such run
    is text, and the search goes on after it; each run's next equal run is looked up, not searched for."""
    runs = [(match.start(), match.end()) for match in _BACKTICKS.finditer(text)]
    by_length: dict[int, list[int]] = {}
    for i, (start, end) in enumerate(runs):
        by_length.setdefault(end - start, []).append(i)
    i = 0
    while i < len(runs):
        start, end = runs[i]
        same = by_length[end - start]
        later = bisect_right(same, i)
        if later == len(same):
            i += 1
            continue
        closer = same[later]
        yield start, runs[closer][1]
        i = closer + 1


# An HTML comment as CommonMark reads it: `<!--` up to the next `-->`, inline or as a block. With no `-->`
# after it, a `<!--` that starts a line (after at most three spaces) opens an HTML block of type 2, which
# runs to the end of the document; anywhere else it is text (an inline comment needs its `-->`). Pandoc
# reads every unclosed `<!--` as text; a CommonMark renderer hides what follows one, so no rule reads it.
_COMMENT_BLOCK_START = re.compile(r"(?:^|(?<=\r))[ ]{0,3}<!--", re.M)


def html_comment(text: str, position: int = 0, last_closer: int | None = None) -> tuple[int, int] | None:
    """(start, end) of the first HTML comment starting at or after `position`, or None. `last_closer` is
    `text.rfind("-->")`, for callers that ask repeatedly: with no `-->` left, none is searched for."""
    start = text.find("<!--", position)
    if start < 0:
        return None
    if last_closer is None:
        last_closer = text.rfind("-->")
    if last_closer >= start + 4:
        return start, text.find("-->", start + 4) + 3
    # Unclosed, so no later `<!--` closes either: the first that starts a line (this one or a later one)
    # runs to the end.
    line = max(text.rfind("\n", 0, start), text.rfind("\r", 0, start)) + 1
    if start - line <= 3 and not text[line:start].strip(" "):
        return start, len(text)
    block = _COMMENT_BLOCK_START.search(text, start)
    return (block.end() - 4, len(text)) if block else None


def mask_comments(text: str) -> str:
    """`text` with its HTML comments (`html_comment`) replaced by spaces, newlines kept."""
    chars = list(text)
    last_closer = text.rfind("-->")
    position = 0
    while (comment := html_comment(text, position, last_closer)) is not None:
        _blank(chars, *comment)
        position = comment[1]
    return "".join(chars)


def _masked_spans(text: str, pattern: re.Pattern[str] = _MASKED_INLINE) -> Iterator[tuple[int, int]]:
    """HTML comments (`html_comment`) and the matches of `pattern`, leftmost first (a comment first at a
    tie, as in one alternation)."""
    match = pattern.search(text)
    last_closer = text.rfind("-->")
    comment = html_comment(text, 0, last_closer)
    position = 0
    while True:
        if match is not None and match.start() < position:  # the last result overlaps what was masked
            match = pattern.search(text, position)
        if comment is not None and comment[0] < position:
            comment = html_comment(text, position, last_closer)
        if comment is not None and (match is None or comment[0] <= match.start()):
            yield comment
            position = comment[1]
        elif match is not None:
            yield match.span()
            position = max(match.end(), match.start() + 1)
        else:
            return


def _citation_spans(text: str) -> Iterator[tuple[int, int]]:
    return _masked_spans(text, _CITATION_MASKED)


@lru_cache(maxsize=8)
def _block_ranges(body: str) -> tuple[tuple[str, int, int], ...]:
    """(token type, start offset, end offset) of every code and HTML block."""
    lines = _MARKDOWN_LINE.findall(body)
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line))
    return tuple(
        (token.type, starts[token.map[0]], starts[min(token.map[1], len(lines))])
        for token in _parser().parse(body)
        if token.type in _BLOCKS and token.map
    )


def _mask(body: str, inline: tuple[Callable[[str], Iterator[tuple[int, int]]], ...], blocks: tuple[str, ...]) -> str:
    chars = list(body)
    for kind, start, end in _block_ranges(body):
        if kind in blocks:
            _blank(chars, start, end)
    masked = "".join(chars)
    for spans in inline:
        for start, end in spans(masked):
            _blank(chars, start, end)
        masked = "".join(chars)
    return masked


def _blank(chars: list[str], start: int, end: int) -> None:
    for i in range(start, end):
        if chars[i] != "\n":
            chars[i] = " "


def find_citations(body: str, offset: int = 0) -> list[Citation]:
    """Every Pandoc citation key in `body`, in order (cross-references such as `@fig:x` included: Pandoc
    reads them as citations too; the rules tell them apart)."""
    masked = citation_mask(body)
    closers = _brace_closers(masked) if "@{" in masked else {}
    found = []
    position = 0
    last_end = -1  # a key right after a citation (`@a@b`) is one too: no word ends there
    brackets = _Brackets(masked)
    while (match := _KEY.search(masked, position)) is not None:
        start = match.start()
        position = match.end()
        if start != last_end and _after_string(masked, start):
            continue
        if match.group("brace") is not None:
            closer = closers.get(start + 1)
            if closer is None:
                continue
            key, end = masked[start + 2 : closer], closer + 1
        else:
            key, end = match.group("key"), match.end()
        position = last_end = end
        found.append(Citation(key, start + offset, end + offset, brackets.inside(start)))
    return found


def _after_string(text: str, at: int) -> bool:
    """Pandoc's `notAfterString`: an `@` right after a word is no citation (`a@b`, `x.@y`, an escaped `\\@`).
    A word takes alphanumerics and a `.` not followed by `.`; a run of dots splits into ellipses (`...`)
    first, so one that is not a multiple of three ends in a word; `\\name` is a TeX command, not a word."""
    if at == 0:
        return False
    before = text[at - 1]
    if before == ".":
        start = at - 1  # each run of dots is walked by the one `@` after it only: linear in all
        while start > 0 and text[start - 1] == ".":
            start -= 1
        return (at - start) % 3 != 0
    if before == "\\":
        return True
    if not before.isalnum() or before == "_":
        return False
    if not (before.isascii() and before.isalpha()):
        return True
    # A TeX command (`\mail@x.org`) is raw TeX to Pandoc, not a word: a key right after it is a citation.
    start = at - 1
    while start > 0 and text[start - 1].isascii() and text[start - 1].isalpha():  # each `@` walks its own run
        start -= 1
    backslashes = start
    while backslashes > 0 and text[backslashes - 1] == "\\":
        backslashes -= 1
    return (start - backslashes) % 2 == 0


def _brace_closers(text: str) -> dict[int, int]:
    """For each `{` whose braces balance before any whitespace, the offset of its `}` (one linear pass)."""
    closers: dict[int, int] = {}
    opened: list[int] = []
    for i, char in enumerate(text):
        if char == "{":
            opened.append(i)
        elif char == "}":
            if opened:
                closers[opened.pop()] = i
        elif char in _WHITESPACE:
            opened.clear()
    return closers


class _Brackets:
    """Whether a position is inside `[...]` of its paragraph: the last `[`, `]` and blank line before it,
    found in the text read since the previous position only (a long `[@a @b @c ...` stays linear)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.read = 0
        self.opening = self.closing = self.blank = -1

    def inside(self, position: int) -> bool:
        text, start = self.text, self.read
        self.opening = max(self.opening, text.rfind("[", start, position))
        self.closing = max(self.closing, text.rfind("]", start, position))
        self.blank = max(self.blank, text.rfind("\n\n", max(start - 1, 0), position))
        self.read = position
        return self.opening > self.closing and self.blank < self.opening
