"""What the muscle-prose rules scan: an English article's body, an exercise's text fields (code, URLs,
e-mail addresses blanked, offsets kept), and line positions computed on first use."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from hipcheck.citations import prose_mask
from hipcheck.diagnostics import Span
from hipcheck.loader.records import Record
from hipcheck.loader.yaml_tree import unique_scalars
from hipcheck.textpos import LineIndex

# --- prose: what is scanned ----------------------------------------------------------------------

PROSE = ("article", "exercise")  # the kinds of record whose text is scanned
EXERCISE_TEXT_FIELDS = ("name", "summary", "starting_position", "steps", "safety")
_BLANK = "\0"  # not a word character, not a separator: nothing matches across it
# An e-mail address starts where its run of address characters does: tried inside a long word, the pattern
# would read to the word's end at every character (quadratic).
_INLINE_NOISE = re.compile(r"`[^`\n]*`|\b(?:https?|ftp)://\S+|\bwww\.\S+|(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+")


@dataclass
class Unit:
    """One text to scan: an article body, or an exercise's text fields (the rest of its file blanked)."""

    record: Record
    text: str  # same length as record.text[offset : offset + len(text)]
    offset: int
    noun: str


def english(record: Record, default_lang: str = "en") -> bool:
    """Whether an article is in English: its `lang` (Pandoc's BCP 47 tag: en, en-GB), else `default_lang`.

    The vocabulary is English; `Gluteus` in a German article is not a misspelt English muscle name."""
    lang = record.data.get("lang") if isinstance(record.data, dict) else None
    tag = lang if isinstance(lang, str) and lang.strip() else default_lang
    return tag.strip().split("-", 1)[0].split("_", 1)[0].lower() == "en"


def prose_units(records: list[Record], default_lang: str = "en") -> Iterator[Unit]:
    """The exact text of each English article body and exercise (what findings are placed in)."""
    for record in records:
        if not record.loaded:
            continue
        if record.kind == "article" and record.body and english(record, default_lang):
            yield Unit(record, prose_mask(record.body), record.body_offset, "article")
        elif record.kind == "exercise" and record.doc is not None:
            yield Unit(record, exercise_text(record), 0, "exercise")


def exercise_text(record: Record) -> str:
    """The exercise file with everything but its text fields blanked (offsets and line breaks kept)."""
    text = record.text
    spans: list[tuple[int, int]] = []
    for name in EXERCISE_TEXT_FIELDS:
        found = record.nodes((name,))
        if found is not None and record.doc is not None:
            spans.extend((s.offset, s.end_offset) for s in map(record.doc.span, unique_scalars(found[1])))
    pieces: list[str] = []
    position = 0
    for start, end in sorted(set(spans)):
        if start < position:
            continue
        pieces += [_blank(text[position:start]), _mask_noise(text[start:end])]
        position = end
    pieces.append(_blank(text[position:]))
    return "".join(pieces)


def exercise_values(record: Record) -> str:
    """An exercise's text values as loaded, one after another: enough to tell whether there is anything
    to report, without the file's text or node tree (which the engine releases after the per-file stage)."""
    values: list[str] = []
    stack: list[Any] = [record.data.get(name) for name in reversed(EXERCISE_TEXT_FIELDS)]
    while stack and len(values) < 10_000:
        value = stack.pop()
        if isinstance(value, str):
            values.append(value)
        elif isinstance(value, list):
            stack.extend(reversed(value))
        elif isinstance(value, dict):
            stack.extend(reversed(list(value.values())))
    joined = _BLANK.join(values)  # "\0" between values: no mark of noise spans two of them
    return _BLANK.join(map(_mask_noise, values)) if _may_hold_noise(joined) else joined


_NOT_NEWLINE = re.compile(r"[^\n]")


def _blank(text: str) -> str:
    return _NOT_NEWLINE.sub(_BLANK, text)


def _blank_match(match: re.Match[str]) -> str:
    return _blank(match.group())


def _may_hold_noise(text: str) -> bool:
    """Whether `_INLINE_NOISE` may match: each of its branches needs one of these marks."""
    return "`" in text or "://" in text or "www." in text or "@" in text


def _mask_noise(text: str) -> str:
    """Code spans, URLs and e-mail addresses blanked (the pattern runs only where one may be)."""
    return _INLINE_NOISE.sub(_blank_match, text) if _may_hold_noise(text) else text


class _Lines:
    """Line numbers for a text, computed on first use (most texts have nothing to report)."""

    def __init__(self, text: Any) -> None:
        self._text = text  # the text, or a callable that returns it
        self._index: LineIndex | None = None

    @property
    def index(self) -> LineIndex:
        if self._index is None:
            self._index = LineIndex(self._text() if callable(self._text) else self._text)
        return self._index

    def span(self, start: int, end: int) -> Span:
        return self.index.span(start, end)

    def position(self, offset: int) -> tuple[int, int]:
        return self.index.position(offset)
