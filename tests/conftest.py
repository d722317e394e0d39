"""Tests see the same environment on a laptop and in CI: no inherited colour or CI-format switches."""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

import pytest

# Before hipcheck is imported (here and in every process a test starts): exercises in the index raise when
# a cross-record check reads a field the index does not keep, instead of silently seeing nothing.
os.environ["HIPCHECK_CHECK_INDEX_FIELDS"] = "1"
# A finding with a code no rule registered (or that its check does not declare) raises, not only reports.
os.environ["HIPCHECK_DEVELOPMENT"] = "1"
# Caches go to a folder of this test session's own, never to the user's cache folder.
os.environ["HIPCHECK_CACHE_DIR"] = tempfile.mkdtemp(prefix="hipcheck-test-cache-")

# A fresh clone has no ../shared (the project's reference material beside the repository): a test that opens
# or lists anything there fails here too, on a machine that has it (tests/data holds what tests need).
SHARED = Path(__file__).resolve().parents[2] / "shared"


def _refuse_shared(event: str, args: tuple[object, ...]) -> None:
    if event not in ("open", "os.listdir", "os.scandir") or not args or not isinstance(args[0], (str, os.PathLike)):
        return
    path = os.path.abspath(os.fspath(args[0]))
    if path == str(SHARED) or path.startswith(str(SHARED) + os.sep):
        raise PermissionError(f"a test read {path}: tests never read ../shared (vendor it in tests/data)")


sys.addaudithook(_refuse_shared)


@pytest.fixture(autouse=True)
def _neutral_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("GITHUB_ACTIONS", "FORCE_COLOR", "NO_COLOR", "CLICOLOR_FORCE"):
        monkeypatch.delenv(name, raising=False)
