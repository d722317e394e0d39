"""What every rule may consult besides the record: configuration, today's date, the content index."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
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
    # Exercises the per-file stage found something in for the prose rules (None: not screened there).
    prose_flags: frozenset[str] | None = None
    prose_definitions: list[Any] = field(default_factory=list)  # muscle groups defined in articles' prose
    root: Path | None = None  # the content root, for cross-record checks that look files up in it
    link_answers: Mapping[str, Any] = field(default_factory=dict)  # external links' online answers, by address
