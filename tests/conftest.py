"""Tests see the same environment on a laptop and in CI: no inherited colour or CI-format switches."""

from __future__ import annotations

import os
import tempfile

import pytest

# Before hipcheck is imported (here and in every process a test starts): exercises in the index raise when
# a cross-record check reads a field the index does not keep, instead of silently seeing nothing.
os.environ["HIPCHECK_CHECK_INDEX_FIELDS"] = "1"
# A finding with a code no rule registered (or that its check does not declare) raises, not only reports.
os.environ["HIPCHECK_DEVELOPMENT"] = "1"
# Caches go to a folder of this test session's own, never to the user's cache folder.
os.environ["HIPCHECK_CACHE_DIR"] = tempfile.mkdtemp(prefix="hipcheck-test-cache-")


@pytest.fixture(autouse=True)
def _neutral_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("GITHUB_ACTIONS", "FORCE_COLOR", "NO_COLOR", "CLICOLOR_FORCE"):
        monkeypatch.delenv(name, raising=False)
