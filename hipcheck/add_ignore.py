"""`--add-ignore`: write a suppression comment for every current finding one can silence.

Writes go through the same checks as `--fix` (hipcheck.file_writing): a file changed since it was
read, a read-only file or a link out of the content root is left alone, with a one-line problem.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_right
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from hipcheck.bounds import BREAK_CHARS, Lines
from hipcheck.diagnostics import Diagnostic, Severity, Span
from hipcheck.engine import check_paths, plan_targets
from hipcheck.file_writing import CHANGED, WriteRefused, write_checked
from hipcheck.fix_files import BOM, Signatures, decode, root_of, signatures
from hipcheck.loader.records import Record, kind_of, read_records
from hipcheck.rules.file_format import UNREADABLE
from hipcheck.rules.registry import RULES
from hipcheck.suppression_comments import collect, logical_lines


@dataclass
class IgnoreOutcome:
    added: int = 0
    files: list[str] = field(default_factory=list)
    problems: list[WriteRefused] = field(default_factory=list)  # files left alone, and why
    unsuppressible: list[str] = field(default_factory=list)  # findings no inline comment silences


def add_ignores(
    paths: list[str], cwd: Path, today: dt.date | None, reason: str | None = None, *, cache: bool = True
) -> IgnoreOutcome:
    """Write a suppression for every current finding that one can silence.

    YAML (and article front matter) gets a comment line above the finding; a Markdown body line gets
    a trailing HTML comment, which does not split its paragraph. Before a file is written, its new text
    is loaded: the data must be what it was, and each suppression must silence its finding where it
    will stand; a finding no inline comment can silence is reported instead. Re-running adds nothing.
    """
    outcome = IgnoreOutcome()
    targets = plan_targets(paths, cwd)
    before = signatures(targets, cwd)
    result = check_paths(paths, cwd=cwd, today=today, cache=cache)
    by_file: dict[str, list[Diagnostic]] = defaultdict(list)
    for diagnostic in result.diagnostics:
        by_file[diagnostic.path].append(diagnostic)
    for relative, diagnostics in sorted(by_file.items()):
        path = cwd / relative
        try:
            count = _ignore_in_file(path, relative, diagnostics, reason, before, root_of(path, targets), outcome)
        except WriteRefused as refused:
            outcome.problems.append(refused)
            continue
        if count:
            outcome.added += count
            outcome.files.append(relative)
    return outcome


def _ignore_in_file(
    path: Path,
    relative: str,
    diagnostics: list[Diagnostic],
    reason: str | None,
    before: Signatures,
    root: Path,
    outcome: IgnoreOutcome,
) -> int:
    kind = kind_of(path, root)
    try:
        info = path.stat()
        raw = path.read_bytes()
    except OSError:
        return 0  # the loader reported why; nothing can be written into it
    text = decode(raw)
    if kind is None or text is None or "\x00" in text:
        return 0  # not a content record, binary or not UTF-8: no comment can be written into it
    if before.get(relative) != (info.st_ino, info.st_size, info.st_mtime_ns):
        raise WriteRefused(CHANGED, relative)
    bom = text.startswith(BOM)
    body = text[1:] if bom else text
    old = read_records(path, kind, relative, raw)
    wanted = {(d.span.line, d.code) for d in diagnostics}
    if kind == "article" and any(issue.code == UNREADABLE.code for record in old for issue in record.issues):
        # The loader refused the article (CR-only line breaks, a stray BOM, ...) before finding its front
        # matter: a trailing comment could land on a `---` fence and unmake it. Say so; write nothing.
        lost = wanted
        for line, code in sorted(lost):
            outcome.unsuppressible.append(f"{relative}:{line}: {code} cannot be suppressed by an inline comment")
        return 0
    new_body, count, lost = with_suppressions(body, old, relative, wanted, reason, raw, path, kind)
    for line, code in sorted(lost):
        outcome.unsuppressible.append(f"{relative}:{line}: {code} cannot be suppressed by an inline comment")
    if not count:
        return 0
    write_checked(path, root, relative, ((BOM if bom else "") + new_body).encode("utf-8"), raw)
    return count


def with_suppressions(
    text: str,
    old: list[Record],
    relative: str,
    wanted: set[tuple[int, str]],
    reason: str | None,
    raw: bytes,
    path: Path,
    kind: str,
) -> tuple[str, int, set[tuple[int, str]]]:
    """The text with suppressions for `wanted` (line, code) findings, how many, and the findings left.

    A finding whose suppression would not silence it once written, or whose comment would change the
    loaded data, is left out (and the rest tried again), so the result is stable and loads the same.
    """
    lost: set[tuple[int, str]] = set()
    for _ in range(3):  # a second try without the findings that failed almost always holds
        keep = wanted - lost
        if not keep:
            return text, 0, lost
        new_text, count, shift = _insert_suppressions(text, old[0], keep, reason)
        bom = raw.startswith(b"\xef\xbb\xbf")
        new_raw = ((BOM if bom else "") + new_text).encode("utf-8", "surrogatepass")
        new = read_records(path, kind, relative, new_raw)
        if [(r.data, r.loaded) for r in new] != [(r.data, r.loaded) for r in old]:
            return text, 0, set(wanted)  # the comments would change what the file says: add none
        silenced = collect(new[0])
        failed = {
            (line, code)
            for line, code in keep
            if not silenced.suppresses(_at(relative, shift(line), code), RULES[code])
        }
        if not failed:
            return new_text, count, lost
        lost |= failed
    return text, 0, set(wanted)


def _at(relative: str, line: int, code: str) -> Diagnostic:
    """A stand-in for a finding on `line`, to ask whether a suppression covers it."""
    rule = RULES[code]
    return Diagnostic(relative, Span(line, 1, line, 1), code, rule.name, Severity.INFO, "")


def _insert_suppressions(
    text: str, record: Record, wanted: set[tuple[int, str]], reason: str | None
) -> tuple[str, int, Callable[[int], int]]:
    table = Lines(text)
    lines = table.split()
    markdown = record.kind == "article"
    body_start = _body_start(record, table) if markdown else None
    logical = logical_lines(record.doc) if record.doc is not None and record.doc.root is not None else {}
    codes_at: dict[int, set[str]] = defaultdict(set)
    for line, code in wanted:
        line = min(max(line, 1), len(lines))
        codes_at[logical.get(line, line)].add(code)
    suffix = f" -- {_one_line(reason)}" if reason else ""
    inserted_before: list[int] = []  # old line numbers a new line goes in front of
    for line in sorted(codes_at, reverse=True):
        directive = f"hipcheck: ignore[{', '.join(sorted(codes_at[line]))}]{suffix}"
        current = lines[line - 1]
        content = current.rstrip(BREAK_CHARS)
        ending = current[len(content) :]
        if markdown and body_start is not None and line >= body_start:
            lines[line - 1] = f"{content} <!-- {directive} -->{ending}"
        elif markdown and line == 1:
            lines.insert(1, f"# {directive}{_break_near(lines, 0)}")  # right after the opening `---`
            inserted_before.append(2)
        else:
            indent = content[: len(content) - len(content.lstrip(" \t"))]
            lines.insert(line - 1, f"{indent}# {directive}{_break_near(lines, line - 1)}")
            inserted_before.append(line)

    inserted_before.sort()

    def shift(line: int) -> int:
        line = min(max(line, 1), len(table))
        return line + bisect_right(inserted_before, line)

    return "".join(lines), len(codes_at), shift


def _break_near(lines: list[str], index: int) -> str:
    """The line break to end an inserted line with: the line's own, else the nearest line's before it."""
    for line in [lines[index], *reversed(lines[:index])] if index < len(lines) else reversed(lines):
        content = line.rstrip(BREAK_CHARS)
        if len(content) < len(line):
            return line[len(content) :]
    return "\n"


def _one_line(reason: str) -> str:
    """A reason cannot end its comment early or start a new line."""
    return " ".join(reason.replace("-->", "- ->").split())


def _body_start(record: Record, table: Lines) -> int | None:
    """1-based line where an article body starts, as the loader split it (None: no closed front matter)."""
    if record.doc is None:
        return None if record.front is None and record.body_offset else 1
    return table.position(record.body_offset)[0] if record.body_offset < len(table.text) else len(table) + 1
