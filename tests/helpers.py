from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from hipcheck.reporters import REPORTERS, ReportContext
from hipcheck.run_result import RunResult

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
TODAY = dt.date(2026, 11, 21)


def shared_file(relative: str) -> Path:
    """A file from ../shared, or skip the test naming what is missing."""
    path = SHARED / relative
    if not path.is_file():
        pytest.skip(f"needs ../shared/{relative}, which is not present")
    return path


def text_report(result: RunResult) -> str:
    """The concise report without colour: one line per finding, then the summary (README shows it)."""
    return REPORTERS["concise"](result, ReportContext())


def write_tree(root: Path, files: dict[str, str]) -> None:
    for relative, text in files.items():
        target = root / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(text.encode("utf-8"))


# A complete, clean exercise (given the gluteus-medius muscle record).
GOOD_EXERCISE = """\
id: banded-walks
name: Banded walks
level: beginner
equipment: [band]
starting_position: Stand with a band around both ankles, feet shoulder-width apart.
steps:
  - Bend slightly at the knees and hinge into a half-squat.
  - Step sideways with one leg, then follow with the other.
muscles:
  primary: [gluteus-medius]
dosage:
  sets: 2
  reps: 10
safety:
  - Keep your hips level.
"""


def line_of(path: Path, needle: str, occurrence: int = 1) -> int:
    """The 1-based line of the n-th line of `path` containing `needle` (pins findings to text, not numbers)."""
    seen = 0
    for number, line in enumerate(path.read_text("utf-8").splitlines(), start=1):
        if needle in line:
            seen += 1
            if seen == occurrence:
                return number
    raise AssertionError(f"{needle!r} not in {path}")
