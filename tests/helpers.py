from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
TODAY = dt.date(2026, 11, 21)


def shared_file(relative: str) -> Path:
    """A file from ../shared, or skip the test naming what is missing."""
    path = SHARED / relative
    if not path.is_file():
        pytest.skip(f"needs ../shared/{relative}, which is not present")
    return path


def write_tree(root: Path, files: dict[str, str]) -> None:
    for relative, text in files.items():
        target = root / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(text.encode("utf-8"))
