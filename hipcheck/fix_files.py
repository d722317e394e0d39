"""`--fix` and `--diff`: apply findings' fixes to the files (hipcheck.fix_edits makes the edits).

Fixes are applied in passes (a fix can reveal another, or overlap one) until nothing changes.
`--diff` runs the same passes on a temporary copy of each content root and prints the difference,
so what it shows is exactly what `--fix` would write.

What a write promises (tests/test_fix_safety.py proves each): bytes outside an edit, line endings,
BOM and final newline stay; a file that changed since hipcheck read it, a read-only file, a symbolic
link leading out of the content root, and a file that cannot be written are left as they were, each
with a one-line problem in `problems`. `--add-ignore` (hipcheck.add_ignore) writes the same way.
"""

from __future__ import annotations

import datetime as dt
import difflib
import shutil
import tempfile
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from hipcheck.diagnostics import Fix
from hipcheck.discovery import walk
from hipcheck.engine import RunResult, Target, check_paths, display_path, plan_targets
from hipcheck.file_writing import CHANGED, WriteRefused, write_checked
from hipcheck.fix_edits import apply_fixes

MAX_PASSES = 10
BOM = "\ufeff"


@dataclass
class FixOutcome:
    result: RunResult  # the findings left after fixing
    fixed: int = 0
    files: list[str] = field(default_factory=list)  # display paths of changed files
    diff: str = ""
    problems: list[WriteRefused] = field(default_factory=list)  # files left alone, and why


Signatures = dict[str, tuple[int, int, int]]


def signatures(targets: list[Target], cwd: Path) -> Signatures:
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


def root_of(path: Path, targets: list[Target]) -> Path:
    resolved = path.parent.resolve()
    for target in targets:
        if resolved.is_relative_to(target.root.resolve()):
            return target.root
    return path.parent


def decode(raw: bytes) -> str | None:
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
        before = signatures(targets, cwd)
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
                applied = _fix_file(path, relative, file_fixes, before, root_of(path, targets))
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
    text = decode(raw)
    if text is None:
        return 0
    bom = text.startswith(BOM)
    # Fix offsets index the text without its BOM, as the loader reads it.
    new_text, applied = apply_fixes(text[1:] if bom else text, fixes)
    new_text = BOM + new_text if bom else new_text
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
                before, after = decode(original.read_bytes()), decode((copy / relative).read_bytes())
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
