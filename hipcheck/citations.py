"""Pandoc citations in Markdown prose: `[@key]`, `[see @a; @b, p. 4]`, `[-@key]`, narrative `@key`.

Code (blocks, fences, spans), raw HTML, link destinations, autolinks, bare URLs and e-mail
addresses are masked first, with offsets preserved, so `@` in them is never a citation.
"""

from __future__ import annotations

import re
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


# Pandoc: a key starts with a letter, digit or _, and may contain internal punctuation :.#$%&-+?<>~/
# when followed by a key character; `@{...}` braces allow anything else.
_KEY = re.compile(
    r"(?<![\w@.:/+])@(?:\{(?P<braced>[^}\s]+)\}|(?P<key>[\w](?:[\w]|[:.#$%&\-+?<>~/](?=\w))*))",
    re.UNICODE,
)
_INLINE_CODE = re.compile(r"(?<!`)(`+)(?!`)(.+?)(?<!`)\1(?!`)", re.S)
_MASKED_INLINE = re.compile(
    r"<!--.*?-->"  # HTML comments
    r"|<[a-zA-Z][a-zA-Z0-9+.-]*:[^<>\s]*>"  # autolinks <https://...>
    r"|<[^<>\s@]+@[^<>\s]+>"  # e-mail autolinks
    r"|(?<=\])\([^)]*\)"  # link and image destinations: ](https://...)
    r"|^\s{0,3}\[[^\]]+\]:.*$"  # link reference definitions
    r"|\b(?:https?|ftp)://[^\s<>\])]+"  # bare URLs
    r"|\bwww\.[^\s<>\])]+"
    r"|[\w.+-]+@[\w-]+(?:\.[\w-]+)+",  # bare e-mail addresses
    re.S | re.M,
)


_BLOCKS = ("fence", "code_block", "html_block")


@cache
def _parser() -> MarkdownIt:
    from markdown_it import MarkdownIt  # only runs with articles to read

    return MarkdownIt("commonmark")


# Several rules read the same article body: each mask is computed once per body (and the Markdown
# parse once for both masks); the small caches hold the article being checked.


@lru_cache(maxsize=8)
def prose_mask(body: str) -> str:
    """The body with everything that is not prose replaced by spaces (newlines kept)."""
    return _mask(body, (_INLINE_CODE, _MASKED_INLINE), _BLOCKS)


@lru_cache(maxsize=8)
def code_mask(body: str) -> str:
    """The body with code blocks, fences and inline code replaced by spaces; HTML comments kept."""
    return _mask(body, (_INLINE_CODE,), ("fence", "code_block"))


@lru_cache(maxsize=8)
def _block_ranges(body: str) -> tuple[tuple[str, int, int], ...]:
    """(token type, start offset, end offset) of every code and HTML block."""
    lines = body.splitlines(keepends=True)
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line))
    return tuple(
        (token.type, starts[token.map[0]], starts[min(token.map[1], len(lines))])
        for token in _parser().parse(body)
        if token.type in _BLOCKS and token.map
    )


def _mask(body: str, inline: tuple[re.Pattern[str], ...], blocks: tuple[str, ...]) -> str:
    chars = list(body)
    for kind, start, end in _block_ranges(body):
        if kind in blocks:
            _blank(chars, start, end)
    masked = "".join(chars)
    for pattern in inline:
        for match in pattern.finditer(masked):
            _blank(chars, match.start(), match.end())
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
