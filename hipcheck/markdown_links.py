"""Links and images in an article body, with the offsets of their destinations.

What is found: inline links and images (`[text](dest "title")`, `![alt](dest)`), link reference
definitions (`[label]: dest`, where a reference-style link's destination is written), autolinks
(`<https://x.org>`) and the `href`/`src` of raw `<a>` and `<img>` tags. Code (blocks, fences, spans)
and HTML comments are masked first, offsets kept: a link inside them is not one. Bare URLs in prose are
not read: where such a URL ends is a guess, and precision matters more here than recall.

Every scan is bounded: link text is looked for over at most MAX_TEXT_CHARS, destinations over at most
MAX_DESTINATION_CHARS, and parentheses nest at most MAX_PAREN_DEPTH deep, so a stranger's text cannot
make the scan quadratic in its length.
"""

from __future__ import annotations

import bisect
import html
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from hipcheck.citations import code_mask, mask_comments

LinkKind = Literal["link", "image", "definition", "autolink", "html-link", "html-image"]

MAX_TEXT_CHARS = 2000  # of link text between `[` and `]`; longer is not a link's text
MAX_DESTINATION_CHARS = 4000
MAX_PAREN_DEPTH = 32  # CommonMark allows "at least 32" levels of balanced parentheses in a destination

_DEFINITION = re.compile(
    r"^[ ]{0,3}\[(?!\^)(?P<label>(?:[^\[\]\\\n]|\\.){1,999})\]:[ \t]*(?:\n[ \t]*)?(?P<dest><[^<>\n]*>|\S+)", re.M
)
_AUTOLINK = re.compile(r"<(?P<dest>[A-Za-z][A-Za-z0-9+.-]{1,31}:[^<>\s]*)>")
_HTML_ATTRIBUTE = re.compile(
    r"<(?P<tag>a|img)\b[^<>]{0,2000}?\b(?:href|src)[ \t]*=[ \t]*(?:\"(?P<double>[^\"<>]*)\"|'(?P<single>[^'<>]*)')",
    re.I,
)
_BLANK_LINE = re.compile(r"\n[ \t]*\n")
_TEMPLATE = re.compile(r"\{\{|\{%|\$\{")  # Jinja (Manubot), Liquid, JavaScript templates: filled in at build time


@dataclass(frozen=True, slots=True)
class Link:
    kind: LinkKind
    destination: str  # as the renderer reads it: angle brackets removed, escapes and entities resolved
    raw: str  # as written in the file
    start: int  # offsets of `raw` in the body
    end: int

    @property
    def is_template(self) -> bool:
        return bool(_TEMPLATE.search(self.raw))


# Both are pure functions of a body that several rules scan, run after run in an editor's workspace,
# where unchanged articles keep their text (a str caches its hash): remembered for the latest bodies.
@lru_cache(maxsize=512)
def masked_body(body: str) -> str:
    """The body with code and HTML comments replaced by spaces (newlines kept)."""
    return mask_comments(code_mask(body))


@lru_cache(maxsize=512)
def find_links(body: str) -> tuple[Link, ...]:
    """Every link destination in the body, in order of where it is written."""
    masked = masked_body(body)
    found = list(_inline_links(masked, body))
    found += [_link("definition", body, m.start("dest"), m.end("dest")) for m in _DEFINITION.finditer(masked)]
    # A destination written in angle brackets (`[text](<https://x.org>)`) is not also an autolink.
    written = sorted((link.start, link.end) for link in found)
    starts = [start for start, _ in written]
    for match in _AUTOLINK.finditer(masked):
        before = bisect.bisect_right(starts, match.start()) - 1
        if before < 0 or match.start() >= written[before][1]:
            found.append(_link("autolink", body, match.start("dest"), match.end("dest")))
    for match in _HTML_ATTRIBUTE.finditer(masked):
        group = "double" if match.group("double") is not None else "single"
        kind: LinkKind = "html-image" if match.group("tag").lower() == "img" else "html-link"
        found.append(_link(kind, body, match.start(group), match.end(group)))
    found.sort(key=lambda link: link.start)
    return tuple(found)


def _link(kind: LinkKind, body: str, start: int, end: int) -> Link:
    raw = body[start:end]
    inner = raw[1:-1] if raw.startswith("<") and raw.endswith(">") and kind != "autolink" else raw
    if kind in ("link", "image", "definition"):
        inner = re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", inner)  # backslash escapes of ASCII punctuation
    return Link(kind, html.unescape(inner), raw, start, end)


def _inline_links(masked: str, body: str) -> Iterator[Link]:
    position = masked.find("[")
    while position != -1:
        if not _escaped(masked, position):
            found = _inline_at(masked, body, position)
            if found is not None:
                yield found
        position = masked.find("[", position + 1)  # nested links and images are found too


def _escaped(text: str, index: int) -> bool:
    slashes = 0
    while index - slashes - 1 >= 0 and text[index - slashes - 1] == "\\":
        slashes += 1
    return slashes % 2 == 1


def _inline_at(masked: str, body: str, open_at: int) -> Link | None:
    """The inline link or image whose text opens at `open_at`, if that `[` opens one."""
    close = _closing_bracket(masked, open_at)
    if close is None or close + 1 >= len(masked) or masked[close + 1] != "(":
        return None
    if masked.startswith("[^", open_at):
        return None  # a footnote reference
    destination = _destination(masked, close + 2)
    if destination is None:
        return None
    start, end = destination
    kind: LinkKind = (
        "image" if open_at > 0 and masked[open_at - 1] == "!" and not _escaped(masked, open_at - 1) else "link"
    )
    return _link(kind, body, start, end)


def _closing_bracket(text: str, open_at: int) -> int | None:
    depth = 0
    limit = min(len(text), open_at + MAX_TEXT_CHARS)
    i = open_at
    while i < limit:
        char = text[i]
        if char == "\\":
            i += 2
            continue
        if char == "[":
            depth += 1
        elif char == "]":
            depth -= 1
            if depth == 0:
                return i
        elif char == "\n" and _BLANK_LINE.match(text, i):
            return None  # link text does not run across paragraphs
        i += 1
    return None


def _destination(text: str, at: int) -> tuple[int, int] | None:
    """(start, end) of the destination of `(` ... `)` opening just before `at`, if it closes as a link."""
    i = _skip_space(text, at)
    if i < len(text) and text[i] == "<":
        end = text.find(">", i)
        if end == -1 or "\n" in text[i:end] or end - i > MAX_DESTINATION_CHARS:
            return None
        start, stop = i, end + 1
        i = stop
    else:
        start = i
        depth = 0
        limit = min(len(text), at + MAX_DESTINATION_CHARS)
        while i < limit:
            char = text[i]
            if char == "\\" and i + 1 < len(text):
                i += 2
                continue
            if char.isspace() or ord(char) < 0x20:
                break
            if char == "(":
                depth += 1
                if depth > MAX_PAREN_DEPTH:
                    return None
            elif char == ")":
                if depth == 0:
                    break
                depth -= 1
            i += 1
        else:
            if i >= limit and limit < len(text):
                return None
        if depth:
            return None
        stop = i
    i = _skip_space(text, i)
    if i < len(text) and text[i] in "\"'(" and i > stop:
        closer = ")" if text[i] == "(" else text[i]
        end = text.find(closer, i + 1)
        if end == -1 or _BLANK_LINE.search(text, i, end):
            return None
        i = _skip_space(text, end + 1)
    if i >= len(text) or text[i] != ")":
        return None
    return start, stop


def _skip_space(text: str, i: int) -> int:
    newlines = 0
    while i < len(text) and text[i] in " \t\n":
        if text[i] == "\n":
            newlines += 1
            if newlines > 1:
                break
        i += 1
    return i
