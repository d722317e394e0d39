"""Regenerate the rule documentation from the rule registry: README.md's rule table and docs/rules.md.

    python tools/docs.py           # rewrite what is out of date
    python tools/docs.py --check   # exit 1, naming the files, when something is out of date

Both come from the CLI (`hipcheck rules`, `hipcheck rules --format markdown`), which reads the registry, so
the files say what `hipcheck` says. tests/test_docs_generated.py fails when they drift.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
README = REPO / "README.md"
RULES_MD = REPO / "docs" / "rules.md"
MARKER = "<!-- The rule list is generated from the registry by `python tools/docs.py`; a test keeps it in sync. -->"
# The marker, then the ```text block the generator owns.
_BLOCK = re.compile(re.escape(MARKER) + r"\n```text\n.*?```\n", re.S)


def hipcheck(*args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "hipcheck", *args], cwd=REPO, check=True, capture_output=True, text=True
    )
    return done.stdout


def readme(current: str, rules_text: str) -> str:
    """README.md with its generated rule block replaced by `rules_text`."""
    block = f"{MARKER}\n```text\n{rules_text}```\n"
    if not _BLOCK.search(current):
        raise SystemExit(f"README.md has no generated rule block (the line {MARKER!r} and a ```text block)")
    return _BLOCK.sub(lambda _: block, current, count=1)


def generated() -> dict[Path, str]:
    return {
        README: readme(README.read_text("utf-8"), hipcheck("rules")),
        RULES_MD: hipcheck("rules", "--format", "markdown"),
    }


def main(argv: list[str]) -> int:
    stale = [path for path, text in generated().items() if path.read_text("utf-8") != text]
    if "--check" in argv:
        for path in stale:
            print(f"{path.relative_to(REPO)} is out of date: run python tools/docs.py", file=sys.stderr)
        return 1 if stale else 0
    for path, text in generated().items():
        if path in stale:
            path.write_text(text, encoding="utf-8")
            print(f"wrote {path.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
