"""`--fix`, `--diff` and `--add-ignore`: turn findings into exact text edits on the files.

Fixes are applied in passes (a fix can reveal another, or overlap one) until nothing changes.
`--diff` runs the same passes on a temporary copy of each content root and prints the difference,
so what it shows is exactly what `--fix` would write.
"""

from __future__ import annotations

import codecs
import datetime as dt
import difflib
import shutil
import tempfile
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from hipcheck.diagnostics import Diagnostic, Fix
from hipcheck.engine import RunResult, check_paths, display_path, plan_targets
from hipcheck.fixes import apply_fixes, write_atomically
from hipcheck.loader.records import kind_of
from hipcheck.loader.yaml_tree import parse_yaml
from hipcheck.suppressions import logical_lines

MAX_PASSES = 10


@dataclass
class FixOutcome:
    result: RunResult  # the findings left after fixing
    fixed: int = 0
    files: list[str] = field(default_factory=list)  # display paths of changed files
    diff: str = ""


def _read(path: Path) -> tuple[str, bool]:
    raw = path.read_bytes()
    return raw.decode("utf-8-sig"), raw.startswith(codecs.BOM_UTF8)


def _write(path: Path, text: str, bom: bool) -> None:
    write_atomically(path, ("\ufeff" if bom else "") + text)


def fix_paths(
    paths: list[str], cwd: Path, today: dt.date | None, *, unsafe: bool = False, select: list[str] | None = None
) -> FixOutcome:
    """Apply fixes to the files in place until no more apply; return what is left."""
    outcome = FixOutcome(result=RunResult())
    changed: set[str] = set()
    for _ in range(MAX_PASSES):
        result = check_paths(paths, cwd=cwd, today=today, select=select)
        outcome.result = result
        fixes: dict[str, list[Fix]] = defaultdict(list)
        for diagnostic in result.diagnostics:
            if diagnostic.fix is not None and (diagnostic.fix.safe or unsafe):
                fixes[diagnostic.path].append(diagnostic.fix)
        applied_this_pass = 0
        for relative, file_fixes in fixes.items():
            path = cwd / relative
            text, bom = _read(path)
            new_text, applied = apply_fixes(text, file_fixes)
            if new_text != text:
                _write(path, new_text, bom)
                changed.add(relative)
                applied_this_pass += applied
        outcome.fixed += applied_this_pass
        if not applied_this_pass:
            break
    outcome.files = sorted(changed)
    return outcome


def diff_paths(
    paths: list[str], cwd: Path, today: dt.date | None, *, unsafe: bool = False, select: list[str] | None = None
) -> FixOutcome:
    """What `fix_paths` would change, as a unified diff; the files themselves are not touched."""
    outcome = FixOutcome(result=RunResult())
    chunks: list[str] = []
    with tempfile.TemporaryDirectory(prefix="hipcheck-diff-") as scratch:
        for number, target in enumerate(plan_targets(paths, cwd)):
            copy = Path(scratch) / str(number)
            shutil.copytree(target.root, copy, ignore=shutil.ignore_patterns(".git", ".hipcheck_cache"))
            files = sorted(target.files) if target.files is not None else [target.root]
            copied = [str(copy / f.relative_to(target.root)) if f != target.root else str(copy) for f in files]
            fixed = fix_paths(copied, copy, today, unsafe=unsafe, select=select)
            outcome.fixed += fixed.fixed
            for relative in fixed.files:
                inside = (copy / relative).relative_to(copy)
                original = target.root / inside
                before, after = _read(original)[0], _read(copy / relative)[0]
                name = display_path(original, cwd)
                outcome.files.append(name)
                chunks.extend(
                    difflib.unified_diff(
                        before.splitlines(keepends=True),
                        after.splitlines(keepends=True),
                        fromfile=f"a/{name}",
                        tofile=f"b/{name}",
                    )
                )
    outcome.result = check_paths(paths, cwd=cwd, today=today, select=select)
    outcome.diff = "".join(
        line if line.endswith("\n") else line + "\n\\ No newline at end of file\n" for line in chunks
    )
    return outcome


# --- --add-ignore ---------------------------------------------------------------------------------


def add_ignores(paths: list[str], cwd: Path, today: dt.date | None, reason: str | None = None) -> tuple[int, list[str]]:
    """Write a suppression for every current finding; returns (suppressions added, files changed).

    YAML (and article front matter) gets a comment line above the finding; a Markdown body line gets
    a trailing HTML comment, which does not split its paragraph. Re-running adds nothing.
    """
    result = check_paths(paths, cwd=cwd, today=today)
    by_file: dict[str, list[Diagnostic]] = defaultdict(list)
    for diagnostic in result.diagnostics:
        by_file[diagnostic.path].append(diagnostic)
    added, changed = 0, []
    for relative, diagnostics in sorted(by_file.items()):
        path = cwd / relative
        try:
            text, bom = _read(path)
        except (OSError, UnicodeDecodeError):
            continue  # unreadable or binary: nothing can be written into it
        new_text, count = _insert_suppressions(text, diagnostics, _is_markdown(path), reason)
        if count:
            _write(path, new_text, bom)
            added += count
            changed.append(relative)
    return added, changed


def _is_markdown(path: Path) -> bool:
    for parent in path.parents:
        if kind_of(path, parent) is not None:
            return kind_of(path, parent) == "article"
    return path.suffix.lower() in (".md", ".markdown")


def _insert_suppressions(
    text: str, diagnostics: list[Diagnostic], markdown: bool, reason: str | None
) -> tuple[str, int]:
    lines = text.splitlines(keepends=True)
    newline = "\r\n" if "\r\n" in text else "\n"
    body_start = _body_start(lines) if markdown else None
    logical = _logical_lines(text, markdown)
    codes_at: dict[int, set[str]] = defaultdict(set)
    for diagnostic in diagnostics:
        line = logical.get(diagnostic.span.line, diagnostic.span.line)
        codes_at[line].add(diagnostic.code)
    suffix = f" -- {reason}" if reason else ""
    for line in sorted(codes_at, reverse=True):
        directive = f"hipcheck: ignore[{', '.join(sorted(codes_at[line]))}]{suffix}"
        if markdown and body_start is not None and line >= body_start:
            current = lines[line - 1]
            stripped = current.rstrip("\r\n")
            lines[line - 1] = f"{stripped} <!-- {directive} -->{current[len(stripped) :] or newline}"
        elif markdown and line == 1:
            lines.insert(1, f"# {directive}{newline}")  # right after the opening `---`: covers line 1
        else:
            current = lines[line - 1] if line <= len(lines) else ""
            indent = current[: len(current) - len(current.lstrip(" \t"))]
            lines.insert(line - 1, f"{indent}# {directive}{newline}")
    return "".join(lines), len(codes_at)


def _body_start(lines: list[str]) -> int | None:
    """1-based line where an article body starts (after the closing front matter fence)."""
    if not lines or lines[0].strip() != "---":
        return 1
    for number, line in enumerate(lines[1:], start=2):
        if line.strip() in ("---", "..."):
            return number + 1
    return None


def _logical_lines(text: str, markdown: bool) -> dict[int, int]:
    """Lines inside multi-line YAML values map to the value's first line (as suppressions read them)."""
    if markdown:
        lines = text.splitlines(keepends=True)
        end = _body_start(lines)
        if not end or end == 1:
            return {}
        front = "".join(lines[1 : end - 2])
        doc = parse_yaml(front, line_offset=1, char_offset=len(lines[0]))
    else:
        doc = parse_yaml(text)
    return logical_lines(doc) if doc.root is not None else {}
