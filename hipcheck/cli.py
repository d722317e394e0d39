"""Command line: `hipcheck check | schema | rules | rule CODE`. Exit 0 clean, 1 errors, 2 failure."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from hipcheck import __version__
from hipcheck.config import ConfigError
from hipcheck.engine import RunResult, UsageError, check_paths
from hipcheck.rules import RULES, find_rule
from hipcheck.schemas import SCHEMA_FILES, render, write_schemas

EXIT_OK, EXIT_ERRORS, EXIT_FAILURE = 0, 1, 2


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from None


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="hipcheck", description=__doc__)
    parser.add_argument("--version", action="version", version=f"hipcheck {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    check = commands.add_parser("check", help="check content files and folders")
    check.add_argument("paths", nargs="*", help="files or folders (default: the configured content root)")
    check.add_argument("--format", choices=("text", "json"), default="text", help="report format")
    check.add_argument("--today", type=_date, help="the date to check dates against (default: today)")

    schema = commands.add_parser("schema", help="write the JSON Schemas generated from the models")
    schema.add_argument("--output", type=Path, default=Path("schemas"), help="folder (default: schemas)")
    schema.add_argument("--check", action="store_true", help="exit 1 if the folder is out of date; write nothing")

    commands.add_parser("rules", help="list every rule").add_argument(
        "--format", choices=("text", "json"), default="text"
    )
    rule = commands.add_parser("rule", help="print a rule's documentation")
    rule.add_argument("rule", metavar="CODE|NAME")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        if args.command == "check":
            return run_check(args)
        if args.command == "schema":
            return run_schema(args)
        if args.command == "rules":
            return run_rules(args)
        return run_rule(args)
    except (UsageError, ConfigError) as error:
        print(f"hipcheck: {error}", file=sys.stderr)
        return EXIT_FAILURE
    except BrokenPipeError:
        return EXIT_FAILURE
    except Exception as error:  # last resort: one line, never a traceback
        print(f"hipcheck: internal error: {type(error).__name__}: {error}", file=sys.stderr)
        return EXIT_FAILURE


def run_check(args: argparse.Namespace) -> int:
    result = check_paths(args.paths, today=args.today)
    if args.format == "json":
        print(json.dumps(json_report(result), indent=2, ensure_ascii=False))
    else:
        print(text_report(result))
    for message in result.internal_errors:
        print(f"hipcheck: {message}", file=sys.stderr)
    if result.internal_errors:
        return EXIT_FAILURE
    return EXIT_ERRORS if result.count_errors() else EXIT_OK


def text_report(result: RunResult) -> str:
    lines = [
        f"{d.path}:{d.span.line}:{d.span.column}: {d.code} {d.severity.value} {d.message}" for d in result.diagnostics
    ]
    s = result.summary()
    plural = "" if s["files"] == 1 else "s"
    lines.append(
        f"Checked {s['files']} file{plural}: {s['errors']} errors, {s['warnings']} warnings, {s['infos']} infos."
    )
    return "\n".join(lines)


def json_report(result: RunResult) -> dict[str, object]:
    return {
        "version": 1,
        "diagnostics": [d.to_json() for d in result.diagnostics],
        "summary": result.summary(),
    }


def run_schema(args: argparse.Namespace) -> int:
    if args.check:
        stale = [
            name
            for kind, name in SCHEMA_FILES.items()
            if not (args.output / name).is_file() or (args.output / name).read_text("utf-8") != render(kind)
        ]
        for name in stale:
            print(f"{args.output / name}: out of date; run 'hipcheck schema'", file=sys.stderr)
        return EXIT_ERRORS if stale else EXIT_OK
    changed = write_schemas(args.output)
    for path in changed:
        print(f"wrote {path}")
    if not changed:
        print(f"{args.output}: up to date")
    return EXIT_OK


def run_rules(args: argparse.Namespace) -> int:
    rules = sorted(RULES.values(), key=lambda r: r.code)
    if args.format == "json":
        rows = [
            {"code": r.code, "name": r.name, "severity": r.severity.value, "fixable": r.fixable, "summary": r.summary}
            for r in rules
        ]
        print(json.dumps(rows, indent=2))
        return EXIT_OK
    width = max(len(r.name) for r in rules)
    for r in rules:
        fixable = "fix" if r.fixable else "   "
        print(f"{r.code}  {r.name:<{width}}  {r.severity.value:<7}  {fixable}  {r.summary}")
    return EXIT_OK


def run_rule(args: argparse.Namespace) -> int:
    found = find_rule(args.rule)
    if found is None:
        raise UsageError(f"no rule {args.rule!r}; 'hipcheck rules' lists them")
    fixable = ", fixable" if found.fixable else ""
    print(f"{found.code} {found.name} (default severity: {found.severity.value}{fixable})\n")
    print(found.doc)
    return EXIT_OK
