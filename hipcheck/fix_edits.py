"""Apply fixes to a text as exact edits: everything outside an edit stays byte for byte."""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable
from itertools import pairwise

from hipcheck.diagnostics import Edit, Fix


def apply_fixes(text: str, fixes: Iterable[Fix]) -> tuple[str, int]:
    """Apply non-overlapping fixes (the first of two overlapping ones wins); returns text and count.

    A fix with an edit outside the text is dropped (a stale or broken fix must not corrupt a file).
    O(n log n) in the edits, and the text is assembled from slices once.
    """
    starts: list[int] = []  # the chosen edits, sorted by start (they do not overlap)
    chosen: list[Edit] = []
    applied = 0
    candidates = [f for f in fixes if f.edits and all(0 <= e.start <= e.end <= len(text) for e in f.edits)]
    for fix in sorted(candidates, key=lambda f: min(e.start for e in f.edits)):
        edits = sorted(fix.edits, key=lambda e: e.start)
        if any(_overlaps(a, b) for a, b in pairwise(edits)) or any(_clashes(e, starts, chosen) for e in edits):
            continue  # the next run picks it up
        for edit in edits:
            at = bisect_left(starts, edit.start)
            starts.insert(at, edit.start)
            chosen.insert(at, edit)
        applied += 1
    parts: list[str] = []
    at = 0
    for edit in chosen:
        parts += [text[at : edit.start], edit.replacement]
        at = edit.end
    parts.append(text[at:])
    return "".join(parts), applied


def _clashes(edit: Edit, starts: list[int], chosen: list[Edit]) -> bool:
    """Whether `edit` overlaps a chosen edit: only its neighbours in start order can."""
    at = bisect_left(starts, edit.start)
    return any(_overlaps(edit, chosen[i]) for i in (at - 1, at) if 0 <= i < len(chosen))


def _overlaps(a: Edit, b: Edit) -> bool:
    return (a.start < b.end and b.start < a.end) or a.start == b.start
