"""What every rule may consult besides the record: configuration, today's date, the content index."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
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

    def file_notes(self, check: Callable[..., Any]) -> Mapping[str, Any] | None:
        """The notes the per-file pass of `check` made, by display path; None when it did not run."""
        from hipcheck.rules.registry import pass_name  # the registry imports this module's type only

        return None if self.notes is None else self.notes.get(pass_name(check), {})
