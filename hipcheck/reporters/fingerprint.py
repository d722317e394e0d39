"""Fingerprints that identify a finding across commits: they survive lines moving, not the finding changing."""

from __future__ import annotations

import hashlib
import re
from collections import Counter

from hipcheck.reporters.base import ReportContext
from hipcheck.run_result import RunResult


def fingerprints(result: RunResult, ctx: ReportContext) -> list[str]:
    """One hex digest per diagnostic, in order.

    The key is the rule code, the repository-relative path, the message and the text of the span's first
    line with its whitespace collapsed: no line or column numbers, so inserting or deleting lines above a
    finding (or re-indenting it) keeps its fingerprint. Findings whose keys are equal (the same message on
    two identical lines) are told apart by their occurrence number within the file, which also survives
    shifts because the order of findings in a file does not change. The severity is left out so that
    reconfiguring a rule's severity does not make CI dashboards see new findings.
    """
    seen: Counter[str] = Counter()
    digests = []
    for d in result.diagnostics:
        line = ctx.sources.line(d.path, d.span.line) or ""
        message = _without_line_numbers(d.message)
        key = "\0".join((d.code, ctx.repo_path(d.path) or d.path, message, " ".join(line.split())))
        occurrence = seen[key]
        seen[key] += 1
        digests.append(hashlib.sha256(f"{key}\0{occurrence}".encode()).hexdigest())
    return digests


_LINE_REFERENCES = re.compile(r"\b(lines?)\s+\d+(?:\s*(?:,|and)\s*\d+)*|(\.\w+):\d+\b")


def _without_line_numbers(message: str) -> str:
    """Messages that point elsewhere ("first at line 2", "lines 74, 93", "a.yaml:3") keep their
    fingerprint when lines shift above them."""
    return _LINE_REFERENCES.sub(lambda m: m.group(1) or m.group(2), message)
