"""SARIF 2.1.0, as GitHub code scanning and other SARIF viewers read it: one run, every rule, every finding."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING
from urllib.parse import quote

from hipcheck.diagnostics import Diagnostic, Severity
from hipcheck.reporters.base import ReportContext
from hipcheck.reporters.fingerprint import fingerprints
from hipcheck.run_result import RunResult

if TYPE_CHECKING:
    from hipcheck.rules.registry import Rule

SCHEMA_URI = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
LEVELS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}
ROOT_ID = "%SRCROOT%"
FINGERPRINT_KEY = "hipcheck/v1"  # versioned: a new recipe gets a new key rather than silently new values


def _rule(rule: Rule) -> dict[str, object]:
    return {
        "id": rule.code,
        "name": rule.name,
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": rule.doc},
        "help": {"text": rule.section("Fix"), "markdown": rule.doc},
        "defaultConfiguration": {"level": LEVELS[rule.severity]},
        "properties": {"fixable": rule.fixable},
    }


def _artifact(d: Diagnostic, ctx: ReportContext) -> dict[str, str]:
    relative = ctx.repo_path(d.path)
    if relative is None:  # outside the repository: an absolute URI is the only honest one
        return {"uri": (ctx.cwd / d.path).resolve().as_uri()}
    return {"uri": quote(relative), "uriBaseId": ROOT_ID}


def _result(d: Diagnostic, index: dict[str, int], fingerprint: str, ctx: ReportContext) -> dict[str, object]:
    s = d.span
    result: dict[str, object] = {"ruleId": d.code}
    if d.code in index:
        result["ruleIndex"] = index[d.code]
    result |= {
        "level": LEVELS[d.severity],
        "message": {"text": d.message},
        "locations": [
            {
                "physicalLocation": {
                    "artifactLocation": _artifact(d, ctx),
                    # SARIF regions are 1-based with an exclusive end column, like hipcheck's spans.
                    "region": {
                        "startLine": s.line,
                        "startColumn": s.column,
                        "endLine": s.end_line,
                        "endColumn": s.end_column,
                    },
                }
            }
        ],
        "partialFingerprints": {FINGERPRINT_KEY: fingerprint},
    }
    return result


def report_data(result: RunResult, ctx: ReportContext) -> dict[str, object]:
    from hipcheck.rules import RULES  # every rule registered, also when the result came from the cache

    rules = sorted(RULES.values(), key=lambda r: r.code)
    index = {rule.code: i for i, rule in enumerate(rules)}
    invocation: dict[str, object] = {"executionSuccessful": not result.internal_errors}
    if result.internal_errors:
        invocation["toolExecutionNotifications"] = [
            {"level": "error", "message": {"text": message}} for message in result.internal_errors
        ]
    run = {
        "tool": {
            "driver": {
                "name": "hipcheck",
                "version": ctx.version,
                "rules": [_rule(rule) for rule in rules],
            }
        },
        "invocations": [invocation],
        # No absolute URI here: the output stays the same on every machine, and consumers (GitHub code
        # scanning, editors) resolve relative URIs against the checkout they already know.
        "originalUriBaseIds": {
            ROOT_ID: {"description": {"text": "The repository root: the folder holding .git, else the working folder."}}
        },
        "columnKind": "unicodeCodePoints",  # hipcheck's columns count characters, not UTF-16 units
        "results": [
            _result(d, index, fp, ctx) for d, fp in zip(result.diagnostics, fingerprints(result, ctx), strict=True)
        ],
    }
    return {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [run]}


def report(result: RunResult, ctx: ReportContext) -> str:
    return json.dumps(report_data(result, ctx), indent=2, ensure_ascii=False)
