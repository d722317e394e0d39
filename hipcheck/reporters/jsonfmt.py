"""`json` (one document, version 1; its shape is a public contract) and `json-lines` (one finding a line)."""

from __future__ import annotations

import json

from hipcheck.reporters.base import ReportContext
from hipcheck.run_result import RunResult


def document_data(result: RunResult) -> dict[str, object]:
    return {
        "version": 1,
        "diagnostics": [d.to_json() for d in result.diagnostics],
        "summary": result.summary(),
    }


def document(result: RunResult, ctx: ReportContext) -> str:
    return json.dumps(document_data(result), indent=2, ensure_ascii=False)


def lines(result: RunResult, ctx: ReportContext) -> str:
    # No summary record: every line has the same shape, so `jq` and log shippers need no special case.
    return "\n".join(json.dumps(d.to_json(), ensure_ascii=False) for d in result.diagnostics)
