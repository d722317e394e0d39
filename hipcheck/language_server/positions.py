"""Positions as hipcheck counts them (1-based lines, 1-based columns and offsets in characters) and as
the Language Server Protocol does (0-based lines, columns in UTF-16 code units)."""

from __future__ import annotations

import re
from bisect import bisect_right

from lsprotocol import types

from hipcheck.diagnostics import Span

_NEWLINE = re.compile("\n")


class DocumentText:
    """One document's text, with conversions between both ways of counting. Every position it gives
    lies inside the text: a stale or broken span is clamped, never sent past the end."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.starts = [0]
        self.starts.extend(match.end() for match in _NEWLINE.finditer(text))

    def _line(self, index: int) -> str:
        start = self.starts[index]
        end = self.starts[index + 1] - 1 if index + 1 < len(self.starts) else len(self.text)
        return self.text[start:end]

    def position(self, line: int, column: int) -> types.Position:
        """A 1-based line and character column as an LSP position."""
        index = min(max(line - 1, 0), len(self.starts) - 1)
        text = self._line(index)
        characters = min(max(column - 1, 0), len(text))
        return types.Position(index, _utf16_length(text[:characters]))

    def range(self, span: Span) -> types.Range:
        start = self.position(span.line, span.column)
        end = self.position(span.end_line, span.end_column)
        if (end.line, end.character) < (start.line, start.character):
            end = start
        return types.Range(start, end)

    def offset_position(self, offset: int) -> types.Position:
        offset = min(max(offset, 0), len(self.text))
        index = bisect_right(self.starts, offset) - 1
        return self.position(index + 1, offset - self.starts[index] + 1)

    def offset(self, position: types.Position) -> int:
        """The character offset of an LSP position (clamped to the text)."""
        index = min(max(position.line, 0), len(self.starts) - 1)
        text = self._line(index)
        units = 0
        for characters, char in enumerate(text):
            if units >= position.character:
                return self.starts[index] + characters
            units += 2 if ord(char) > 0xFFFF else 1
        return self.starts[index] + len(text)

    def whole(self) -> types.Range:
        return types.Range(types.Position(0, 0), self.offset_position(len(self.text)))

    def edit_to(self, new: str) -> types.TextEdit | None:
        """One edit turning this text into `new`: the differing middle, the rest left as it is."""
        old = self.text
        if old == new:
            return None
        start = 0
        limit = min(len(old), len(new))
        while start < limit and old[start] == new[start]:
            start += 1
        end_old, end_new = len(old), len(new)
        while end_old > start and end_new > start and old[end_old - 1] == new[end_new - 1]:
            end_old -= 1
            end_new -= 1
        # Never split a surrogate pair in the client's UTF-16 counting: offsets here are whole characters.
        return types.TextEdit(
            types.Range(self.offset_position(start), self.offset_position(end_old)), new[start:end_new]
        )


def _utf16_length(text: str) -> int:
    return len(text) + sum(1 for char in text if ord(char) > 0xFFFF)
