"""GitHub Actions workflow commands: one annotation per finding on the pull request's diff."""

from __future__ import annotations

from hipcheck.diagnostics import Severity
from hipcheck.reporters.base import ReportContext, summary_line
from hipcheck.run_result import RunResult

COMMANDS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def escape_data(text: str) -> str:
    """The message after `::`: GitHub decodes %25, %0D and %0A (so '%' must be escaped first)."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """A `key=value` property: also ':' and ',', which would otherwise end the value."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def _strip_dot(path: str) -> str:
    while path.startswith("./"):
        path = path[2:]
    return path


def _file(path: str, ctx: ReportContext) -> str:
    # GitHub matches annotations to files relative to the workspace (the repository root), without './'.
    return _strip_dot(ctx.repo_path(path) or path)


def report(result: RunResult, ctx: ReportContext) -> str:
    lines = []
    for d in result.diagnostics:
        s = d.span
        properties = {
            "file": _file(d.path, ctx),
            "line": s.line,
            "endLine": s.end_line,
            "col": s.column,
            "endColumn": s.end_column,
            "title": f"{d.code} {d.name}",
        }
        joined = ",".join(f"{key}={escape_property(str(value))}" for key, value in properties.items())
        # The message repeats the location, so the log line is useful on its own and reads like `concise`.
        # Newlines stay (escaped): GitHub shows a multi-line message as such.
        message = f"{_strip_dot(d.path)}:{s.line}:{s.column}: {d.code} {d.severity.value} {d.message}"
        lines.append(f"::{COMMANDS[d.severity]} {joined}::{escape_data(message)}")
    for message in result.internal_errors:
        lines.append(f"::error title={escape_property('hipcheck internal error')}::{escape_data(message)}")
    if not ctx.quiet:
        lines.append(summary_line(result))  # a plain log line, not an annotation
    return "\n".join(lines)
