from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Callable
from pathlib import Path
from types import FrameType
from typing import Any

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


def steps(action: Callable[[], object], folder: Path) -> int:
    """The work `action` does in the modules under `folder`, counted, not timed: the lines of those modules
    it executes (a loop's every turn counts) and the calls those lines make into C (a regular expression
    search, a rapidfuzz comparison). The same for the same code and input on any machine, however busy, so
    a test can compare how it grows; wall-clock goals belong to benchmarks/."""
    inside = str(folder)
    count = 0

    def line(frame: FrameType, event: str, arg: Any) -> Any:
        nonlocal count
        count += event == "line"
        return line

    def call(frame: FrameType, event: str, arg: Any) -> Any:
        return line if frame.f_code.co_filename.startswith(inside) else None

    def c_call(frame: FrameType, event: str, arg: Any) -> None:
        nonlocal count
        count += event == "c_call" and frame.f_code.co_filename.startswith(inside)

    tracer, profiler = sys.gettrace(), sys.getprofile()  # a coverage tool's, restored after
    sys.settrace(call)
    sys.setprofile(c_call)
    try:
        action()
    finally:
        sys.settrace(tracer)
        sys.setprofile(profiler)
    return count


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
