"""Report formats. One module per format; REPORTERS maps each `--format` name to its renderer.

A reporter turns a RunResult into the whole report as text (no trailing newline); the CLI decides where it
goes. Reporters never decide the exit status.
"""

from __future__ import annotations

from hipcheck.reporters import github, gitlab, jsonfmt, junit, sarif, statistics, text
from hipcheck.reporters.base import ReportContext, Reporter, should_color
from hipcheck.run_result import RunResult

REPORTERS: dict[str, Reporter] = {
    "full": text.full,
    "concise": text.concise,
    "grouped": text.grouped,
    "json": jsonfmt.document,
    "json-lines": jsonfmt.lines,
    "sarif": sarif.report,
    "github": github.report,
    "gitlab": gitlab.report,
    "junit": junit.report,
}

# --statistics replaces the findings with a table; only these formats have a sensible table.
STATISTICS: dict[str, Reporter] = {
    "full": statistics.text,
    "concise": statistics.text,
    "grouped": statistics.text,
    "json": statistics.json_rows,
}

__all__ = ["REPORTERS", "STATISTICS", "ReportContext", "Reporter", "render", "should_color"]


def render(name: str, result: RunResult, ctx: ReportContext, *, with_statistics: bool = False) -> str:
    table = STATISTICS if with_statistics else REPORTERS
    return table[name](result, ctx)
