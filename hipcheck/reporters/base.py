"""What every reporter shares: the report context, source text read once per file, and path helpers."""

from __future__ import annotations

import os
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from hipcheck import __version__
from hipcheck.bounds import BREAK_CHARS, Lines
from hipcheck.diagnostics import Diagnostic
from hipcheck.file_reading import read_bytes
from hipcheck.run_result import RunResult


class SourceCache:
    """File text split into lines, read at most once per file; None when the file cannot be shown."""

    def __init__(self, cwd: Path) -> None:
        self.cwd = cwd
        self._lines: dict[str, list[str] | None] = {}

    def lines(self, path: str) -> list[str] | None:
        if path not in self._lines:
            self._lines[path] = self._read(self.cwd / path)
        return self._lines[path]

    def line(self, path: str, number: int) -> str | None:
        lines = self.lines(path)
        if lines is None or not 1 <= number <= len(lines):
            return None
        return lines[number - 1]

    @staticmethod
    def _read(path: Path) -> list[str] | None:
        if path.is_symlink():
            return None  # perhaps out of the content root (never read there): show no excerpt of any link
        try:
            raw = read_bytes(path)  # bounded, and only a regular file: a link to a device would never end
        except OSError:
            return None
        if b"\x00" in raw[:8192]:
            return None  # binary: the loader reports it, and there is nothing to show
        try:
            # Decoded exactly as the loader decodes it, so spans index the same characters.
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            return None
        # Lines as diagnostics count them (hipcheck.bounds: CR, LF, CRLF, NEL, LS, PS), without their breaks.
        return [line.rstrip(BREAK_CHARS) for line in Lines(text).split()]


def find_root(cwd: Path) -> Path:
    """The repository root (nearest folder holding .git), else `cwd`: CI tools want paths relative to it."""
    for folder in (cwd, *cwd.parents):
        if (folder / ".git").exists():
            return folder
    return cwd


@dataclass
class ReportContext:
    """Everything a reporter needs besides the result. `cwd` is what diagnostic paths are relative to."""

    cwd: Path = field(default_factory=lambda: Path.cwd().resolve())
    root: Path | None = None  # None: found from cwd
    color: bool = False
    show_fixes: bool = False
    quiet: bool = False
    strict: bool = False
    version: str = __version__
    sources: SourceCache = field(init=False, repr=False)

    def __post_init__(self) -> None:
        if self.root is None:
            self.root = find_root(self.cwd)
        self.sources = SourceCache(self.cwd)

    def repo_path(self, path: str) -> str | None:
        """`path` relative to the repository root (POSIX, no './'), or None when it lies outside it."""
        assert self.root is not None
        absolute = os.path.normpath(os.path.join(self.cwd, path))
        relative = os.path.relpath(absolute, self.root)
        if relative == os.pardir or relative.startswith(os.pardir + os.sep):
            return None
        return Path(relative).as_posix()


Reporter = Callable[[RunResult, ReportContext], str]


def summary_line(result: RunResult) -> str:
    # Pinned by README and tests: "errors"/"warnings"/"infos" stay plural whatever the count.
    s = result.summary()
    plural = "" if s["files"] == 1 else "s"
    return f"Checked {s['files']} file{plural}: {s['errors']} errors, {s['warnings']} warnings, {s['infos']} infos."


def location(d: Diagnostic) -> str:
    return f"{printable_path(d.path)}:{d.span.line}:{d.span.column}"


def plain_line(d: Diagnostic) -> str:
    """The one-line shape every text format starts from: `path:line:col: CODE severity message`."""
    return f"{location(d)}: {d.code} {d.severity.value} {printable(d.message)}"


# Bidirectional controls can make a terminal show text in another order than it is ("Trojan Source").
_BIDI = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def escape_char(ch: str) -> str | None:
    """A visible escape for a character that must not reach a terminal raw, or None if it is safe."""
    if ch in _BIDI or (unicodedata.category(ch) == "Cc" and ch != "\t"):
        code = ord(ch)
        return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"
    return None


def printable(text: str) -> str:
    """Text with control characters escaped: one finding stays one line, and cannot drive the terminal."""
    if text.isprintable():
        return text
    return "".join(escape_char(ch) or ch for ch in text)


_PATH_ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def printable_path(path: str) -> str:
    """A file name as one line of text formats: a newline or escape code in it cannot split or colour a line.
    (JSON and SARIF escape it themselves.)"""
    if path.isprintable():
        return path
    return "".join(_PATH_ESCAPES.get(ch) or escape_char(ch) or ch for ch in path)


def truthy_env(environ: Mapping[str, str], name: str) -> bool:
    return environ.get(name, "").strip().lower() not in ("", "0", "false", "no")


def should_color(stream: TextIO, environ: Mapping[str, str]) -> bool:
    """ANSI colour: never with NO_COLOR (no-color.org), always with FORCE_COLOR, else only on a terminal."""
    if environ.get("NO_COLOR", ""):
        return False
    if truthy_env(environ, "FORCE_COLOR"):
        return True
    isatty = getattr(stream, "isatty", None)
    try:
        return bool(isatty and isatty())
    except (OSError, ValueError):  # a closed or detached stream
        return False
