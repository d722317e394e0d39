"""--statistics: how many findings each rule produced, most frequent first."""

from __future__ import annotations

import json
from collections import Counter

from hipcheck.reporters.base import ReportContext, summary_line
from hipcheck.run_result import RunResult

MARKER = "[*]"


def rows(result: RunResult) -> list[dict[str, object]]:
    counts = Counter(d.code for d in result.diagnostics)
    fixable = Counter(d.code for d in result.diagnostics if d.fix is not None)
    names = {d.code: d.name for d in result.diagnostics}
    ordered = sorted(counts, key=lambda code: (-counts[code], code))
    return [{"code": c, "name": names[c], "count": counts[c], "fixable": fixable[c]} for c in ordered]


def text(result: RunResult, ctx: ReportContext) -> str:
    table = rows(result)
    lines = []
    if table:
        count_width = max(len(str(r["count"])) for r in table)
        name_width = max(len(str(r["name"])) for r in table)
        for r in table:
            marker = MARKER if r["fixable"] else ""
            lines.append(f"{r['count']:>{count_width}}  {r['code']}  {r['name']:<{name_width}}  {marker}".rstrip())
        if any(r["fixable"] for r in table):
            lines.append(f"{MARKER} a fix is available for some or all of these (--show-fixes lists them)")
    if not ctx.quiet:
        lines.append(summary_line(result))
    return "\n".join(lines)


def json_rows(result: RunResult, ctx: ReportContext) -> str:
    return json.dumps(rows(result), indent=2, ensure_ascii=False)
