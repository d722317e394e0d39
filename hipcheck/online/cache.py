"""The verification cache: a JSON file in the content repository, reviewed and committed like content.

Sorted keys and a stable layout keep its diffs small; it is written atomically so an interrupted run
never leaves half a file. A cache that cannot be read is treated as empty (and the user is told): it
is a cache, and the next online run rebuilds it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from hipcheck.fixes import write_atomically
from hipcheck.online.results import Result

VERSION = 1
ABOUT = (
    "hipcheck online verification results (hipcheck check --online), keyed by identifier. "
    "Review changes like content; delete an entry to have it checked again."
)


class Cache:
    def __init__(self, path: Path, entries: dict[str, Result] | None = None) -> None:
        self.path = path
        self.entries: dict[str, Result] = entries or {}
        self.problems: list[str] = []  # what was wrong with the file when it was read

    @classmethod
    def load(cls, path: Path) -> Cache:
        cache = cls(path)
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return cache
        except (OSError, UnicodeDecodeError) as error:
            cache.problems.append(f"{path}: cannot read the verification cache ({_why(error)}); treating it as empty")
            return cache
        try:
            data = json.loads(text)
        except ValueError as error:
            cache.problems.append(f"{path}: the verification cache is not valid JSON ({error}); treating it as empty")
            return cache
        if not isinstance(data, dict) or data.get("version") != VERSION or not isinstance(data.get("entries"), dict):
            cache.problems.append(
                f"{path}: not a version {VERSION} verification cache (no 'version' and 'entries'); treating it as empty"
            )
            return cache
        bad = []
        for key, value in data["entries"].items():
            try:
                cache.entries[key] = Result.from_json(key, value)
            except (KeyError, TypeError, ValueError):
                bad.append(key)
        if bad:
            shown = ", ".join(bad[:3]) + (", ..." if len(bad) > 3 else "")
            cache.problems.append(
                f"{path}: ignored {len(bad)} malformed cache entr{'y' if len(bad) == 1 else 'ies'}: {shown}"
            )
        return cache

    def render(self) -> str:
        document: dict[str, Any] = {
            "about": ABOUT,
            "version": VERSION,
            "entries": {key: self.entries[key].to_json() for key in sorted(self.entries)},
        }
        return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"

    def save(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        write_atomically(self.path, self.render())


def _why(error: BaseException) -> str:
    return getattr(error, "strerror", None) or type(error).__name__
