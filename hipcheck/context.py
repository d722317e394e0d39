"""What every rule may consult besides the record: configuration, today's date, the content index."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from hipcheck.config import Config
from hipcheck.index import ContentIndex


@dataclass
class Context:
    config: Config
    today: dt.date
    index: ContentIndex
