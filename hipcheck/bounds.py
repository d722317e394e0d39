"""Lines as hipcheck counts them, and diagnostics held inside the file they point into.

A line ends at CRLF, CR, LF, NEL, LS or PS: the breaks YAML knows, so a `# comment` ends where a line
does and `--add-ignore` can put a suppression on the line a finding names. Every diagnostic is placed
from its character offset with this one model (rules compute spans in several ways), and clamped into
its file: 1 <= line <= number of lines, 1 <= column <= length of the line + 1, offsets matching.
"""

from __future__ import annotations

import os
import re
from bisect import bisect_right
from collections.abc import Mapping
from dataclasses import replace
from functools import lru_cache
from pathlib import Path

from hipcheck.diagnostics import Diagnostic, Span
from hipcheck.file_reading import read_bytes

LINE_BREAK = re.compile("\r\n|[\r\n\x85\u2028\u2029]")
BREAK_CHARS = "\r\n\x85\u2028\u2029"


class Lines:
    """Where each line starts and where its content ends (before its break), in character offsets."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.starts = [0]
        self.ends: list[int] = []
        for match in LINE_BREAK.finditer(text):
            self.ends.append(match.start())
            self.starts.append(match.end())
        self.ends.append(len(text))
        if len(self.starts) > 1 and self.starts[-1] == len(text):
            self.starts.pop()  # a final break ends the last line; no empty line follows it
            self.ends.pop()

    def __len__(self) -> int:
        return len(self.starts)

    def split(self) -> list[str]:
        """The lines with their breaks (like str.splitlines(keepends=True), with YAML's breaks)."""
        bounds = [*self.starts[1:], len(self.text)]
        return [self.text[start:end] for start, end in zip(self.starts, bounds, strict=True)]

    def position(self, offset: int) -> tuple[int, int, int]:
        """(line, column, offset) of the nearest place on a line's content: inside a break is its start."""
        offset = min(max(offset, 0), len(self.text))
        line = bisect_right(self.starts, offset)
        offset = min(offset, self.ends[line - 1])
        return line, offset - self.starts[line - 1] + 1, offset

    def offset_of(self, line: int, column: int) -> int:
        line = min(max(line, 1), len(self))
        return min(self.starts[line - 1] + max(column, 1) - 1, self.ends[line - 1])

    def clamp(self, span: Span, *, by_offset: bool = True) -> Span:
        """`span` inside the text; a place after the last line (end of file) is the last character."""
        start = span.offset if by_offset else self.offset_of(span.line, span.column)
        end = span.end_offset if by_offset else self.offset_of(span.end_line, span.end_column)
        last = len(self.text.rstrip(BREAK_CHARS)) - 1  # the last character that is not a line break
        if last < 0:
            return Span.start_of_file()
        start = min(max(start, 0), len(self.text))
        if start > self.ends[-1]:  # past the end of the last line: the end of the file
            start, end = last, last + 1
        line, column, start = self.position(start)
        next_line = bisect_right(self.starts, end)
        if end > start and next_line > line and self.starts[next_line - 1] == end:
            end_line, end_column = next_line, 1  # ends where a line starts: it covers the break before
        else:
            end_line, end_column, end = self.position(max(end, start))
        return Span(line, column, end_line, end_column, start, end)


def within_files(
    diagnostics: list[Diagnostic], cwd: Path, texts: Mapping[str, bytes] | None = None
) -> list[Diagnostic]:
    """Every diagnostic placed and clamped with the text of its file (read once per file); `texts`:
    unsaved text by absolute path, which the findings were computed from, instead of the disk's."""
    tables: dict[str, tuple[Lines, bool] | None] = {}
    unsaved = {os.path.normpath(name): text for name, text in (texts or {}).items()}
    placed = []
    for diagnostic in diagnostics:
        if diagnostic.path not in tables:
            path = cwd / diagnostic.path
            text = unsaved.get(os.path.normpath(path))
            tables[diagnostic.path] = _lines_of(path) if text is None else _decoded(text)
        table = tables[diagnostic.path]
        if table is None:
            placed.append(diagnostic)
            continue
        lines, decoded = table
        span = lines.clamp(diagnostic.span, by_offset=decoded)
        placed.append(diagnostic if span == diagnostic.span else replace(diagnostic, span=span))
    return placed


def _lines_of(path: Path) -> tuple[Lines, bool] | None:
    """The file's lines, and whether offsets index them (not for a file that is not UTF-8)."""
    try:
        # An editor's workspace places findings in the same unchanged files run after run: their
        # tables are kept while the file's identity, size and change times are what they were.
        info = os.stat(path)
        signature = (info.st_ino, info.st_size, info.st_mtime_ns, info.st_ctime_ns)
        known = _TABLES.get(path)
        if known is not None and known[0] == signature:
            return known[1]
        raw = read_bytes(path)  # within the content file limit, and only a regular file
    except OSError:
        return None  # a folder, gone, or too large (then reported at 1:1): nothing to measure against
    table = _decoded(raw)
    if len(_TABLES) >= 4096:
        _TABLES.clear()
    _TABLES[path] = (signature, table)
    return table


_TABLES: dict[Path, tuple[tuple[int, int, int, int], tuple[Lines, bool]]] = {}


@lru_cache(maxsize=512)  # an editor's workspace places findings in the same unchanged files run after run
def _decoded(raw: bytes) -> tuple[Lines, bool]:
    try:
        return Lines(raw.decode("utf-8-sig")), True
    except UnicodeDecodeError:
        return Lines(raw.decode("utf-8", "replace")), False
