"""What every rule may consult besides the record: configuration, today's date, the content index."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hipcheck.config import Config
from hipcheck.index import ContentIndex

if TYPE_CHECKING:
    from hipcheck.online.results import Result


@dataclass
class Context:
    config: Config
    today: dt.date
    index: ContentIndex
    verification: Mapping[str, Result] = field(default_factory=dict)  # online results by "doi:..."/"pmid:..."
    # What the per-file passes noted (registry.file_pass): by pass name, then display path. None: the
    # per-file stage ran no pass (the checks then do the whole job themselves).
    notes: Mapping[str, Mapping[str, Any]] | None = None
    root: Path | None = None  # the content root (None: no root, as when a test calls a check directly)
    # What the checks that read answers from outside (registry.reads_outside) were given: by check name.
    answers: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)

    def file_notes(self, check: Callable[..., Any]) -> Mapping[str, Any] | None:
        """The notes the per-file pass of `check` made, by display path; None when it did not run."""
        from hipcheck.rules.registry import pass_name  # the registry imports this module's type only

        return None if self.notes is None else self.notes.get(pass_name(check), {})

    def answers_for(self, check: Callable[..., Any]) -> Mapping[str, Any]:
        """The outside answers `check` declared it reads (registry.reads_outside), by key; empty when none."""
        from hipcheck.rules.registry import pass_name

        return self.answers.get(pass_name(check), {})
