"""README.md stays true: its set-up commands are what CI runs, its sample output is a real run."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from test_realworld import MANUSCRIPT_CONFIG

from hipcheck.engine import check_paths

from helpers import REPO, text_report


def _first_block(text: str) -> list[str]:
    block = re.search(r"```sh\n(.*?)```", text, re.S)
    assert block is not None
    return block.group(1).strip().splitlines()


def test_readme_opens_with_the_two_setup_commands() -> None:
    readme = (REPO / "README.md").read_text("utf-8")
    assert readme.index("```sh") < 20
    install_and_run, install_and_test = _first_block(readme)
    assert install_and_run.endswith("hipcheck check content")
    assert "pytest" in install_and_test
    assert install_and_test in (REPO / ".ci" / "run").read_text("utf-8")


def test_readme_shows_the_real_drafts_report() -> None:
    readme = (REPO / "README.md").read_text("utf-8")
    shown = re.search(r"`hipcheck check examples/drafts --format concise` prints.*?```text\n(.*?)\n```", readme, re.S)
    assert shown is not None
    # The checked dates in the drafts do not depend on today, so the default date is fine here.
    assert shown.group(1) == text_report(check_paths(["examples/drafts"], cwd=REPO))


def test_readme_shows_the_real_manuscript_report(tmp_path: Path) -> None:
    """The manuscript example: its hipcheck.toml is the one tests/test_realworld.py uses, and its output is
    a real run of the commands shown, on the corpus files."""
    readme = (REPO / "README.md").read_text("utf-8")
    section = readme[readme.index("## Checking a Pandoc, Quarto or Manubot manuscript") :]
    config = re.search(r"```toml\n(.*?)```", section, re.S)
    shown = re.search(r"prints\n\n```text\n(.*?)\n```", section, re.S)
    assert config is not None and shown is not None
    assert config.group(1) == MANUSCRIPT_CONFIG
    source = REPO / "tests" / "realworld" / "locomotion-grf-acc"
    articles = tmp_path / "manuscript" / "articles"
    articles.mkdir(parents=True)
    shutil.copy(source / "manuscript.Rmd", articles / "manuscript.md")
    shutil.copy(source / "bibliography.bib", articles)
    (tmp_path / "manuscript" / "hipcheck.toml").write_text(config.group(1), encoding="utf-8")
    assert shown.group(1) == text_report(check_paths(["manuscript"], cwd=tmp_path, cache=False))
