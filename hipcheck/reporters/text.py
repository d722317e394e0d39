"""The human formats: `full` (source excerpt and carets), `concise` (one line each) and `grouped` (by file)."""

from __future__ import annotations

import unicodedata
from itertools import groupby

from hipcheck.diagnostics import Diagnostic, Severity
from hipcheck.reporters.base import (
    ReportContext,
    escape_char,
    location,
    plain_line,
    printable,
    printable_path,
    summary_line,
)
from hipcheck.run_result import RunResult

TAB_WIDTH = 4
MAX_EXCERPT_WIDTH = 120  # prose paragraphs are single long lines; show a window around the span
CONTEXT_BEFORE = 40  # cells kept left of the span when the line is windowed

_SEVERITY_STYLE = {Severity.ERROR: "1;31", Severity.WARNING: "1;33", Severity.INFO: "1;36"}
_GUTTER_STYLE = "1;34"
_HELP_STYLE = "1;32"
_BOLD = "1"


def paint(text: str, style: str, on: bool) -> str:
    return f"\x1b[{style}m{text}\x1b[0m" if on and text else text


def header(d: Diagnostic, color: bool) -> str:
    if not color:
        return plain_line(d)  # byte for byte the documented shape
    style = _SEVERITY_STYLE[d.severity]
    return (
        f"{paint(location(d), _BOLD, True)}: {paint(d.code, style, True)} "
        f"{paint(d.severity.value, style, True)} {printable(d.message)}"
    )


def _summary(result: RunResult, ctx: ReportContext) -> list[str]:
    return [] if ctx.quiet else [paint(summary_line(result), _BOLD, ctx.color)]


def concise(result: RunResult, ctx: ReportContext) -> str:
    lines = [header(d, ctx.color) for d in result.diagnostics]
    lines += fixes_section(result, ctx)
    return "\n".join(lines + _summary(result, ctx))


def grouped(result: RunResult, ctx: ReportContext) -> str:
    blocks: list[str] = []
    # Diagnostics arrive sorted by path, so groupby sees each file once.
    for path, group in groupby(result.diagnostics, key=lambda d: d.path):
        items = list(group)
        width = max(len(f"{d.span.line}:{d.span.column}") for d in items)
        lines = [paint(f"{printable_path(path)}:", _BOLD, ctx.color)]
        for d in items:
            where = f"{d.span.line}:{d.span.column}".ljust(width)
            style = _SEVERITY_STYLE[d.severity]
            code, severity = paint(d.code, style, ctx.color), paint(d.severity.value, style, ctx.color)
            lines.append(f"  {where}  {code} {severity} {printable(d.message)}")
        blocks.append("\n".join(lines))
    blocks += ["\n".join(section) for section in (fixes_section(result, ctx), _summary(result, ctx)) if section]
    return "\n\n".join(blocks)


def full(result: RunResult, ctx: ReportContext) -> str:
    blocks = [_full_block(d, ctx) for d in result.diagnostics]
    blocks += ["\n".join(section) for section in (fixes_section(result, ctx), _summary(result, ctx)) if section]
    return "\n\n".join(blocks)


def _full_block(d: Diagnostic, ctx: ReportContext) -> str:
    lines = [header(d, ctx.color)]
    text = ctx.sources.line(d.path, d.span.line)
    if text is not None:
        number = str(d.span.line)
        pad = " " * len(number)
        bar = paint("|", _GUTTER_STYLE, ctx.color)
        shown, carets = excerpt(text, d)
        lines.append(f"{pad} {bar}")
        lines.append(f"{paint(number, _GUTTER_STYLE, ctx.color)} {bar} {shown}".rstrip())
        lines.append(f"{pad} {bar} {paint(carets, _SEVERITY_STYLE[d.severity], ctx.color)}")
    if d.fix is not None:
        lines.append(f"{paint('help', _HELP_STYLE, ctx.color)}: {printable(d.fix.description)}")
    return "\n".join(lines)


def _cell(ch: str, at: int) -> tuple[str, int]:
    """How one character is shown, and how many terminal cells it takes when it starts at cell `at`."""
    if ch == "\t":
        spaces = TAB_WIDTH - at % TAB_WIDTH
        return " " * spaces, spaces
    escaped = escape_char(ch)
    if escaped is not None:
        return escaped, len(escaped)
    if unicodedata.combining(ch) or unicodedata.category(ch) in ("Mn", "Me", "Cf"):
        return ch, 0  # combining marks and zero-width characters share the previous cell
    if unicodedata.east_asian_width(ch) in ("W", "F"):
        return ch, 2
    return ch, 1


def excerpt(line: str, d: Diagnostic) -> tuple[str, str]:
    """The source line as shown (tabs expanded, controls escaped, long lines windowed) and its caret line."""
    cells: list[tuple[str, int]] = []
    at = 0
    for ch in line:
        shown, width = _cell(ch, at)
        cells.append((shown, width))
        at += width

    start = d.span.column - 1
    # A span running past this line is marked to the line's end; one ending at column 1 of the next line
    # covers just this line's newline.
    end = d.span.end_column - 1 if d.span.end_line == d.span.line else len(cells)
    past_end = max(0, start - len(cells))  # a position after the last character (a missing value at EOL)
    start = min(start, len(cells))
    end = min(max(end, start), len(cells))

    first, last = 0, len(cells)
    if at > MAX_EXCERPT_WIDTH:
        first = start
        while first > 0 and sum(w for _, w in cells[first - 1 : start]) <= CONTEXT_BEFORE:
            first -= 1
        last, used = first, 0
        while last < len(cells) and used + cells[last][1] <= MAX_EXCERPT_WIDTH:
            used += cells[last][1]
            last += 1
    prefix = "…" if first > 0 else ""
    suffix = "…" if last < len(cells) else ""
    shown = prefix + "".join(s for s, _ in cells[first:last]) + suffix

    lead = len(prefix) + sum(w for _, w in cells[first:start]) + past_end
    width = sum(w for _, w in cells[start : min(end, last)])
    carets = " " * lead + "^" * max(1, width)
    if d.span.end_line > d.span.line and not (d.span.end_line == d.span.line + 1 and d.span.end_column == 1):
        carets += f" (through line {d.span.end_line})"
    return shown, carets


def fixes_section(result: RunResult, ctx: ReportContext) -> list[str]:
    """With --show-fixes: every available fix, one line each, after the findings."""
    if not ctx.show_fixes:
        return []
    fixable = [d for d in result.diagnostics if d.fix is not None]
    if not fixable:
        return [] if ctx.quiet else ["No fixes available."]
    lines = [paint(f"Fixes available for {len(fixable)} of {len(result.diagnostics)} findings:", _BOLD, ctx.color)]
    for d in fixable:
        assert d.fix is not None
        unsafe = "" if d.fix.safe else " (unsafe)"
        lines.append(
            f"{location(d)}: {d.code} {paint('fix', _HELP_STYLE, ctx.color)}: {printable(d.fix.description)}{unsafe}"
        )
    return lines
