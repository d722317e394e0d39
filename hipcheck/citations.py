"""Pandoc citations in Markdown prose: `[@key]`, `[see @a; @b, p. 4]`, `[-@key]`, narrative `@key`.

Code (blocks, fences, spans), raw HTML, link destinations, autolinks, bare URLs and e-mail
addresses are masked first, with offsets preserved, so `@` in them is never a citation.
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
# HTML comments) are found with `str.find` (see `_code_spans` and `_masked_spans`).

# Pandoc: a key starts with a letter, digit or _, and may contain internal punctuation :.#$%&-+?<>~/
# when followed by a key character; `@{...}` braces allow anything else but braces and spaces.
_KEY = re.compile(
    r"(?<![\w@.:/+])@(?:\{(?P<braced>[^{}\s]+)\}|(?P<key>[\w](?:[\w]|[:.#$%&\-+?<>~/](?=\w))*))",
    re.UNICODE,
)
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


def _masked_spans(text: str) -> Iterator[tuple[int, int]]:
    """HTML comments and the matches of `_MASKED_INLINE`, leftmost first (a comment first at a tie, as in
    one alternation). An unclosed `<!--` means no later one closes either, so comments end there."""
    match = _MASKED_INLINE.search(text)
    comment = text.find("<!--")
    position = 0
    while True:
        if match is not None and match.start() < position:  # the last result overlaps what was masked
            match = _MASKED_INLINE.search(text, position)
        if 0 <= comment < position:
            comment = text.find("<!--", position)
        closing = text.find("-->", comment + 4) if comment >= 0 else -1
        if comment >= 0 and closing < 0:
            comment = -1
        if comment >= 0 and (match is None or comment <= match.start()):
            yield comment, closing + 3
            position = closing + 3
        elif match is not None:
            yield match.span()
            position = max(match.end(), match.start() + 1)
        else:
            return


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
    masked = prose_mask(body)
    found = []
    for match in _KEY.finditer(masked):
        key = match.group("braced") or match.group("key")
        start = match.start()
        bracketed = _inside_brackets(masked, start)
        found.append(Citation(key, start + offset, match.end() + offset, bracketed))
    return found


def _inside_brackets(text: str, position: int) -> bool:
    opening = text.rfind("[", 0, position)
    closing = text.rfind("]", 0, position)
    return opening > closing and "\n\n" not in text[opening:position]
