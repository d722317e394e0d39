"""GitLab Code Quality report: a JSON array the merge request widget and diff annotations read."""

from __future__ import annotations

import json

from hipcheck.diagnostics import Severity
from hipcheck.reporters.base import ReportContext
from hipcheck.reporters.fingerprint import fingerprints
from hipcheck.run_result import RunResult

# GitLab has five levels (info, minor, major, critical, blocker); hipcheck has three. An error fails the run,
# which GitLab calls "major"; "critical" and "blocker" are left for tools whose findings are security flaws.
SEVERITIES = {Severity.ERROR: "major", Severity.WARNING: "minor", Severity.INFO: "info"}


def report(result: RunResult, ctx: ReportContext) -> str:
    issues = [
        {
            "description": f"{d.code} {d.message}",
            "check_name": d.code,
            "fingerprint": fingerprint,
            "severity": SEVERITIES[d.severity],
            "location": {
                "path": ctx.repo_path(d.path) or d.path,
                "lines": {"begin": d.span.line, "end": d.span.end_line},
            },
        }
        for d, fingerprint in zip(result.diagnostics, fingerprints(result, ctx), strict=True)
    ]
    return json.dumps(issues, indent=2, ensure_ascii=False)
