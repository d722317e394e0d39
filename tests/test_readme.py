"""README.md stays true: its set-up commands are what CI runs, its sample output is a real run."""

from __future__ import annotations

import re

from hipcheck.cli import text_report
from hipcheck.engine import check_paths

from helpers import REPO


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
