"""`--fix`, `--diff` and `--add-ignore`: turn findings into exact text edits on the files.

Fixes are applied in passes (a fix can reveal another, or overlap one) until nothing changes.
`--diff` runs the same passes on a temporary copy of each content root and prints the difference,
so what it shows is exactly what `--fix` would write.

What a write promises (tests/test_fix_safety.py proves each): bytes outside an edit, line endings,
BOM and final newline stay; a file that changed since hipcheck read it, a read-only file, a symbolic
link leading out of the content root, and a file that cannot be written are left as they were, each
with a one-line problem in `problems`.
"""

from __future__ import annotations

import datetime as dt
import difflib
import shutil
import tempfile
from bisect import bisect_right
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from hipcheck.bounds import BREAK_CHARS, Lines
from hipcheck.diagnostics import Diagnostic, Fix, Severity, Span
from hipcheck.discovery import walk
from hipcheck.engine import RunResult, Target, check_paths, display_path, plan_targets
from hipcheck.fixes import CHANGED, WriteRefused, apply_fixes, write_checked
from hipcheck.loader.records import Record, kind_of, read_records
from hipcheck.rules.file_format import UNREADABLE
from hipcheck.rules.registry import RULES
from hipcheck.suppression_comments import collect, logical_lines

MAX_PASSES = 10
_BOM = "\ufeff"


@dataclass
class FixOutcome:
    result: RunResult  # the findings left after fixing
    fixed: int = 0
    files: list[str] = field(default_factory=list)  # display paths of changed files
    diff: str = ""
    problems: list[WriteRefused] = field(default_factory=list)  # files left alone, and why


Signatures = dict[str, tuple[int, int, int]]


def _signatures(targets: list[Target], cwd: Path) -> Signatures:
    """(inode, size, mtime) of every content file, taken before the engine reads them."""
    found: Signatures = {}
    for target in targets:
        for relative, _ in walk(target.root):
            path = target.root / relative
            try:
                info = path.stat()
            except OSError:
                continue
            found[display_path(path, cwd)] = (info.st_ino, info.st_size, info.st_mtime_ns)
    return found


def _root_of(path: Path, targets: list[Target]) -> Path:
    resolved = path.parent.resolve()
    for target in targets:
        if resolved.is_relative_to(target.root.resolve()):
            return target.root
    return path.parent


def _decode(raw: bytes) -> str | None:
    """The text with a BOM kept as its first character (so it round-trips), or None if not UTF-8."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return None


def fix_paths(
    paths: list[str],
    cwd: Path,
    today: dt.date | None,
    *,
    unsafe: bool = False,
    select: list[str] | None = None,
    cache: bool = True,
) -> FixOutcome:
    """Apply fixes to the files in place until no more apply; return what is left. `cache=False`
    (`--no-cache`) neither reads nor writes the results cache."""
    outcome = FixOutcome(result=RunResult())
    changed: set[str] = set()
    left_alone: set[str] = set()
    targets = plan_targets(paths, cwd)
    for _ in range(MAX_PASSES):
        before = _signatures(targets, cwd)
        result = check_paths(paths, cwd=cwd, today=today, select=select, cache=cache)
        outcome.result = result
        fixes: dict[str, list[Fix]] = defaultdict(list)
        for diagnostic in result.diagnostics:
            if diagnostic.fix is not None and (diagnostic.fix.safe or unsafe) and diagnostic.path not in left_alone:
                fixes[diagnostic.path].append(diagnostic.fix)
        applied_this_pass = 0
        for relative, file_fixes in fixes.items():
            path = cwd / relative
            try:
                applied = _fix_file(path, relative, file_fixes, before, _root_of(path, targets))
            except WriteRefused as refused:
                outcome.problems.append(refused)
                left_alone.add(relative)
                continue
            if applied:
                changed.add(relative)
                applied_this_pass += applied
        outcome.fixed += applied_this_pass
        if not applied_this_pass:
            break
    outcome.files = sorted(changed)
    return outcome


def _fix_file(path: Path, relative: str, fixes: list[Fix], before: Signatures, root: Path) -> int:
    """Apply `fixes` (offsets into the text the engine read) to the file; returns how many applied."""
    try:
        info = path.stat()
        raw = path.read_bytes()
    except OSError as error:
        raise WriteRefused("cannot read {}: " + str(error.strerror or error), relative) from None
    if before.get(relative) != (info.st_ino, info.st_size, info.st_mtime_ns):
        raise WriteRefused(CHANGED, relative)
    text = _decode(raw)
    if text is None:
        return 0
    bom = text.startswith(_BOM)
    # Fix offsets index the text without its BOM, as the loader reads it.
    new_text, applied = apply_fixes(text[1:] if bom else text, fixes)
    new_text = _BOM + new_text if bom else new_text
    if new_text == text:
        return 0
    try:
        data = new_text.encode("utf-8")
    except UnicodeEncodeError:
        raise WriteRefused("{}: a fix would write text that is not UTF-8; not written", relative) from None
    write_checked(path, root, relative, data, raw)
    return applied


def diff_paths(
    paths: list[str],
    cwd: Path,
    today: dt.date | None,
    *,
    unsafe: bool = False,
    select: list[str] | None = None,
    cache: bool = True,
) -> FixOutcome:
    """What `fix_paths` would change, as a unified diff `git apply` takes; the files are not touched."""
    outcome = FixOutcome(result=RunResult())
    chunks: list[str] = []
    with tempfile.TemporaryDirectory(prefix="hipcheck-diff-") as scratch:
        for number, target in enumerate(plan_targets(paths, cwd)):
            copy = Path(scratch) / str(number)
            # Links stay links, so the copy refuses the writes the content root would refuse.
            ignored = shutil.ignore_patterns(".git", ".hipcheck_cache")
            shutil.copytree(target.root, copy, symlinks=True, ignore=ignored)
            files = sorted(target.files) if target.files is not None else [target.root]
            copied = [str(copy / f.relative_to(target.root)) if f != target.root else str(copy) for f in files]
            # The copy's folder is new every time: a cache of it could never be used again.
            fixed = fix_paths(copied, copy, today, unsafe=unsafe, select=select, cache=False)
            outcome.fixed += fixed.fixed
            for refused in fixed.problems:  # named as the user named them, not as in the copy
                refused.name = display_path(target.root / refused.name, cwd)
                outcome.problems.append(refused)
            for relative in fixed.files:
                original = target.root / (copy / relative).relative_to(copy)
                name = display_path(original, cwd)
                before, after = _decode(original.read_bytes()), _decode((copy / relative).read_bytes())
                if before is None or after is None:
                    continue
                outcome.files.append(name)
                chunks.append(unified_diff(before, after, name))
    outcome.result = check_paths(paths, cwd=cwd, today=today, select=select, cache=cache)
    outcome.diff = "".join(chunks)
    return outcome


def unified_diff(before: str, after: str, name: str) -> str:
    """A diff in git's line model: lines end at LF only (a CR is content), a missing final newline
    is marked, and a name with special characters is quoted as git quotes it."""
    old, new = before.split("\n"), after.split("\n")
    old_lines = [line + "\n" for line in old[:-1]] + ([old[-1]] if old[-1] else [])
    new_lines = [line + "\n" for line in new[:-1]] + ([new[-1]] if new[-1] else [])
    lines = difflib.unified_diff(old_lines, new_lines, fromfile=_quoted(f"a/{name}"), tofile=_quoted(f"b/{name}"))
    return "".join(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n" for line in lines)


def _quoted(name: str) -> str:
    if not any(ch in '"\\' or ord(ch) < 0x20 or ord(ch) == 0x7F for ch in name):
        return name
    escapes = {"\n": "\\n", "\t": "\\t", "\r": "\\r", '"': '\\"', "\\": "\\\\"}
    body = "".join(escapes.get(ch, f"\\{ord(ch):03o}" if ord(ch) < 0x20 or ord(ch) == 0x7F else ch) for ch in name)
    return f'"{body}"'


# --- --add-ignore ---------------------------------------------------------------------------------


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
    before = _signatures(targets, cwd)
    result = check_paths(paths, cwd=cwd, today=today, cache=cache)
    by_file: dict[str, list[Diagnostic]] = defaultdict(list)
    for diagnostic in result.diagnostics:
        by_file[diagnostic.path].append(diagnostic)
    for relative, diagnostics in sorted(by_file.items()):
        path = cwd / relative
        try:
            count = _ignore_in_file(path, relative, diagnostics, reason, before, _root_of(path, targets), outcome)
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
    text = _decode(raw)
    if kind is None or text is None or "\x00" in text:
        return 0  # not a content record, binary or not UTF-8: no comment can be written into it
    if before.get(relative) != (info.st_ino, info.st_size, info.st_mtime_ns):
        raise WriteRefused(CHANGED, relative)
    bom = text.startswith(_BOM)
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
    new_body, count, lost = _with_suppressions(body, old, relative, wanted, reason, raw, path, kind)
    for line, code in sorted(lost):
        outcome.unsuppressible.append(f"{relative}:{line}: {code} cannot be suppressed by an inline comment")
    if not count:
        return 0
    write_checked(path, root, relative, ((_BOM if bom else "") + new_body).encode("utf-8"), raw)
    return count


def _with_suppressions(
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
        new_raw = ((_BOM if bom else "") + new_text).encode("utf-8", "surrogatepass")
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
