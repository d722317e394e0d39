"""Offsets to 1-based line/column spans, for rules that find things in raw text."""

from __future__ import annotations

import re
from bisect import bisect_right
from functools import lru_cache

from hipcheck.diagnostics import Span

_NEWLINE = re.compile("\n")


class LineIndex:
    def __init__(self, text: str) -> None:
        self.starts = [0]
        self.starts.extend(match.end() for match in _NEWLINE.finditer(text))

    def position(self, offset: int) -> tuple[int, int]:
        line = bisect_right(self.starts, offset)
        return line, offset - self.starts[line - 1] + 1

    def span(self, start: int, end: int) -> Span:
        line, column = self.position(start)
        end_line, end_column = self.position(end)
        return Span(line, column, end_line, end_column, start, end)


@lru_cache(maxsize=512)
def line_index(text: str) -> LineIndex:
    """The LineIndex of a file's text, shared: rules place findings in the same unchanged articles run
    after run in an editor's workspace (a LineIndex is never changed once built)."""
    return LineIndex(text)
