"""The published pre-commit hook, run for real with `pre-commit try-repo` on this working tree."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from helpers import REPO

PRE_COMMIT = Path(sys.executable).parent / "pre-commit"


def _git(repo: Path, *args: str) -> None:
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.invalid", *args], cwd=repo, check=True)


@pytest.mark.skipif(shutil.which("git") is None or not PRE_COMMIT.exists(), reason="needs git and pre-commit")
def test_hook_passes_good_content_and_fails_bad_content(tmp_path: Path) -> None:
    site = tmp_path / "site"
    shutil.copytree(REPO / "content", site / "content")
    _git(site, "init", "-q")
    _git(site, "add", ".")
    _git(site, "commit", "-qm", "content")
    env = {**os.environ, "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home")}

    def try_repo(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(PRE_COMMIT), "try-repo", str(REPO), "hipcheck", *args],
            cwd=site,
            env=env,
            capture_output=True,
            text=True,
            timeout=900,
        )

    good = try_repo("--all-files")
    assert good.returncode == 0, good.stdout + good.stderr
    assert "Passed" in good.stdout

    exercise = site / "content" / "exercises" / "deadlifts.yaml"
    text = exercise.read_text("utf-8")
    exercise.write_text(text.split("\ndosage:", 1)[0] + "\n", "utf-8")  # drop dosage and what follows
    _git(site, "add", ".")
    bad = try_repo("--files", "content/exercises/deadlifts.yaml")
    assert bad.returncode == 1, bad.stdout + bad.stderr
    assert "content/exercises/deadlifts.yaml:1:1: HC203 error exercise has no dosage" in bad.stdout
    assert "HC206" in bad.stdout  # the barbell deadlift lost its safety notes too
