from __future__ import annotations

import datetime as dt
from pathlib import Path

from hipcheck.reporters import REPORTERS, ReportContext
from hipcheck.run_result import RunResult

REPO = Path(__file__).resolve().parents[1]
DATA = REPO / "tests" / "data"
TODAY = dt.date(2026, 11, 21)


def data_file(relative: str) -> Path:
    """A file vendored in tests/data (origin, release and licence in tests/data/SOURCES.md): the tests never
    read ../shared, so a fresh clone runs them all."""
    path = DATA / relative
    assert path.is_file(), f"tests/data/{relative} is missing; tests/data/SOURCES.md says where it comes from"
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
