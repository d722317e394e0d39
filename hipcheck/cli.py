"""Command line: `hipcheck check | schema | rules | rule CODE`. Exit 0 clean, 1 errors, 2 failure."""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import json
import os
import sys
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import NoReturn

from hipcheck import __version__
from hipcheck.caching import runs
from hipcheck.errors import ConfigError, UsageError
from hipcheck.muscles_command import add_muscles_parser, run_muscles
from hipcheck.reporters import REPORTERS, STATISTICS, ReportContext, should_color
from hipcheck.reporters import render as render_report
from hipcheck.reporters.base import printable
from hipcheck.run_result import RunResult

# The engine, the rules and the models load on demand (below): a run whose result is replayed from the
# cache (hipcheck.caching.runs) never needs them, and importing them is most of such a run's time.

EXIT_OK, EXIT_ERRORS, EXIT_FAILURE = 0, 1, 2


def plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def _codes(text: str) -> list[str]:
    return [code.strip() for code in text.split(",") if code.strip()]


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from None


def _count(text: str) -> int:
    if not text.isdecimal():
        raise argparse.ArgumentTypeError(f"not a whole number >= 0: {text!r}")
    return int(text)


FORMAT_ALIASES = {"text": "concise"}  # the name of the one-line format before there were several
DEFAULT_FORMAT = "full"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="hipcheck", description=__doc__)
    parser.add_argument("--version", action="version", version=f"hipcheck {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    check = commands.add_parser("check", help="check content files and folders")
    check.add_argument("paths", nargs="*", help="files or folders (default: the configured content root)")
    check.add_argument(
        "--format",
        choices=(*REPORTERS, *FORMAT_ALIASES),
        help="report format (default: full; github when GITHUB_ACTIONS=true); text is the old name of concise",
    )
    check.add_argument("--today", type=_date, help="the date to check dates against (default: today)")
    check.add_argument("--online", action="store_true", help="check DOIs, PMIDs and links online; update caches")
    check.add_argument("--select", type=_codes, metavar="CODES", help="run only these rules (codes, names, prefixes)")
    check.add_argument("--ignore", type=_codes, metavar="CODES", help="skip these rules (codes, names, prefixes)")
    check.add_argument("--no-cache", action="store_true", help="read and write no cache (with --fix too)")
    check.add_argument("--jobs", "-j", type=_count, metavar="N", help="worker processes (default: one per CPU)")
    check.add_argument(
        "--stdin-filename",
        metavar="PATH",
        help="check standard input as if it were the file PATH (give - as the only path)",
    )
    check.add_argument("--output-file", "-o", type=Path, metavar="PATH", help="write the report to PATH, not stdout")
    check.add_argument("--statistics", action="store_true", help="count findings per rule instead of listing them")
    check.add_argument("--show-fixes", action="store_true", help="list the available fixes after the findings")
    check.add_argument("--quiet", "-q", action="store_true", help="only the findings: no summary, nothing when clean")
    fixing = check.add_argument_group("fixing")
    fixing.add_argument("--fix", action="store_true", help="apply safe fixes to the files, then report what is left")
    fixing.add_argument("--diff", action="store_true", help="print the edits --fix would make; change nothing")
    fixing.add_argument(
        "--unsafe-fixes", action="store_true", help="with --fix/--diff, also apply fixes that need judgment"
    )
    fixing.add_argument("--add-ignore", action="store_true", help="write a suppression for every current finding")
    fixing.add_argument("--reason", metavar="TEXT", help="with --add-ignore, the reason written after each suppression")
    status = check.add_argument_group("exit status")
    status.add_argument("--exit-zero", action="store_true", help="exit 0 even when there are errors")
    status.add_argument("--strict", action="store_true", help="warnings fail the run too")
    status.add_argument("--max-warnings", type=_count, metavar="N", help="fail when there are more than N warnings")

    schema = commands.add_parser("schema", help="write the JSON Schemas generated from the models")
    schema.add_argument("--output", type=Path, default=Path("schemas"), help="folder (default: schemas)")
    schema.add_argument("--check", action="store_true", help="exit 1 if the folder is out of date; write nothing")

    commands.add_parser("rules", help="list every rule").add_argument(
        "--format", choices=("text", "json", "markdown"), default="text"
    )
    refs = commands.add_parser("refs", help="work with reference records").add_subparsers(
        dest="refs_command", required=True, metavar="ACTION"
    )
    importer = refs.add_parser("import", help="turn a BibTeX (.bib) or CSL-JSON file into one record per reference")
    importer.add_argument("file", type=Path, help="a .bib file, or a CSL-JSON file (Zotero, pandoc export)")
    importer.add_argument("--to", type=Path, metavar="ROOT", help="content root (default: the configured one, or .)")
    importer.add_argument("--overwrite", action="store_true", help="replace records that already exist")
    importer.add_argument(
        "--format", choices=("text", "json"), default="text", help="json: the summary as one JSON document"
    )
    from hipcheck import exercise_import  # hipcheck import exercises FILE --from free-exercise-db|wger

    exercise_import.add_parser(commands)
    config = commands.add_parser("config", help="print the resolved configuration and where each value came from")
    config.add_argument("path", nargs="?", default=".", help="a content file or folder (default: .)")
    config.add_argument("--format", choices=("text", "json"), default="text")
    add_muscles_parser(commands)
    server = commands.add_parser("server", help="run the language server over stdio (needs the lsp extra)")
    server.add_argument("--jobs", "-j", type=_count, metavar="N", help="worker processes (default: one per CPU)")
    rule = commands.add_parser("rule", help="print a rule's documentation")
    rule.add_argument("rule", metavar="CODE|NAME")
    rule.add_argument("--source", action="store_true", help="print only the file of the module that defines the rule")
    return parser


def entry_point() -> NoReturn:
    """The `hipcheck` command (and `python -m hipcheck`): `main`, with the collector off, then an exit
    that skips tearing the interpreter down. A run builds no garbage cycles worth collecting, and freeing
    the hundreds of thousands of objects a large content root leaves would only cost time."""
    gc.disable()
    status = main()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (BrokenPipeError, ValueError):
            status = status or EXIT_FAILURE
    os._exit(status)


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        if args.command == "check":
            return run_check(args)
        if args.command == "schema":
            return run_schema(args)
        if args.command == "rules":
            return run_rules(args)
        if args.command == "config":
            return run_config(args)
        if args.command == "refs":
            return run_refs_import(args)
        if args.command == "import":
            from hipcheck import exercise_import

            return exercise_import.run(args)
        if args.command == "muscles":
            return run_muscles(args)
        if args.command == "server":
            return run_server(args)
        return run_rule(args)
    except (UsageError, ConfigError) as error:
        # One line, whatever a file name or value holds: a line break could start a CI workflow command.
        print(f"hipcheck: {' '.join(str(error).splitlines())}", file=sys.stderr)
        return EXIT_FAILURE
    except BrokenPipeError:
        return EXIT_FAILURE
    except Exception as error:  # last resort: one line, never a traceback
        print(f"hipcheck: internal error: {type(error).__name__}: {error}", file=sys.stderr)
        return EXIT_FAILURE


def run_check(args: argparse.Namespace) -> int:
    name = choose_format(args.format, os.environ)
    _refuse_conflicts(args, name)
    cwd = Path.cwd()
    # A file hipcheck left alone (changed meanwhile, read-only, a link out of the root, a failed write)
    # is one line on stderr, and the run exits 2: what was asked was not done.
    if args.add_ignore:
        return _run_add_ignore(args, cwd)
    if args.diff:
        return _run_diff(args, cwd)
    if args.fix:
        from hipcheck.fix_files import fix_paths

        outcome = fix_paths(
            args.paths, cwd, args.today, unsafe=args.unsafe_fixes, select=args.select, cache=not args.no_cache
        )
        result = outcome.result
        print(
            f"Fixed {plural(outcome.fixed, 'finding')} in {plural(len(outcome.files), 'file')}.",
            file=sys.stderr,
        )
        _problems(str(p) for p in outcome.problems)
        left_alone = bool(outcome.problems)
    else:
        result, left_alone = _run_engine(args), False
    ctx = ReportContext(
        # Colour is for a person at a terminal; a report file never gets escape codes.
        color=args.output_file is None and should_color(sys.stdout, os.environ),
        show_fixes=args.show_fixes,
        quiet=args.quiet,
        strict=args.strict,
    )
    report = render_report(name, result, ctx, with_statistics=args.statistics)
    write_report(report, args.output_file)
    for message in result.internal_errors:
        print(f"hipcheck: {message}", file=sys.stderr)
    warnings = result.summary()["warnings"]
    if args.max_warnings is not None and warnings > args.max_warnings and not args.exit_zero:
        print(f"hipcheck: {warnings} warnings, more than --max-warnings {args.max_warnings}", file=sys.stderr)
    status = exit_status(result, exit_zero=args.exit_zero, strict=args.strict, max_warnings=args.max_warnings)
    return EXIT_FAILURE if left_alone else status


def run_server(args: argparse.Namespace) -> int:
    try:
        from hipcheck.language_server.server import serve
    except ImportError as missing:
        raise UsageError(f"the language server needs the lsp extra: pip install 'hipcheck[lsp]' ({missing})") from None
    gc.enable()  # a long-lived process: unlike a run, it must collect what it no longer uses
    return serve(args.jobs)


def _refuse_conflicts(args: argparse.Namespace, name: str) -> None:
    """UsageError for options that exclude each other."""
    if args.stdin_filename is not None:
        if args.paths != ["-"]:
            raise UsageError("--stdin-filename checks standard input: give - as the only path")
        if args.fix or args.diff or args.add_ignore or args.online:
            raise UsageError("--stdin-filename works without --fix, --diff, --add-ignore and --online")
    elif "-" in args.paths:
        raise UsageError("- (standard input) needs --stdin-filename PATH: the file the text stands for")
    if args.statistics and name not in STATISTICS:
        raise UsageError(f"--statistics works with the {', '.join(STATISTICS)} formats, not {name}")
    if args.fix and args.diff:
        raise UsageError("--fix and --diff exclude each other: --diff only shows what --fix would write")
    # --fix and --diff take --select but not --ignore, --add-ignore neither: refuse rather than edit files
    # for every rule while the command line names fewer.
    if args.add_ignore and (args.select is not None or args.ignore is not None):
        raise UsageError("--select and --ignore do not work with --add-ignore, which suppresses every finding")
    if (args.fix or args.diff) and args.ignore is not None:
        raise UsageError(f"--ignore does not work with {'--fix' if args.fix else '--diff'}; --select does")


def _run_add_ignore(args: argparse.Namespace, cwd: Path) -> int:
    from hipcheck.add_ignore import add_ignores

    ignored = add_ignores(args.paths, cwd, args.today, args.reason, cache=not args.no_cache)
    print(f"Added {plural(ignored.added, 'suppression')} to {plural(len(ignored.files), 'file')}.")
    _problems([*ignored.unsuppressible, *(str(p) for p in ignored.problems)])
    return EXIT_FAILURE if ignored.problems else EXIT_OK


def _run_diff(args: argparse.Namespace, cwd: Path) -> int:
    from hipcheck.fix_files import diff_paths

    outcome = diff_paths(
        args.paths, cwd, args.today, unsafe=args.unsafe_fixes, select=args.select, cache=not args.no_cache
    )
    _write_bytes(outcome.diff)
    print(
        f"Would fix {plural(outcome.fixed, 'finding')} in {plural(len(outcome.files), 'file')}.",
        file=sys.stderr,
    )
    _problems(str(p) for p in outcome.problems)
    return EXIT_FAILURE if outcome.problems else EXIT_ERRORS if outcome.files else EXIT_OK


def _problems(lines: Iterable[str]) -> None:
    for line in lines:
        print(f"hipcheck: {printable(line)}", file=sys.stderr)


def _write_bytes(text: str) -> None:
    """A diff byte for byte (CRs and all), whatever the encoding and newline mode of stdout."""
    sys.stdout.flush()
    buffer = getattr(sys.stdout, "buffer", None)
    if buffer is None:
        sys.stdout.write(text)
        return
    buffer.write(text.encode("utf-8", "surrogateescape"))
    buffer.flush()


def _check_stdin(args: argparse.Namespace, today: dt.date) -> RunResult:
    """Standard input checked as the file --stdin-filename names (editors, scripts): its findings and
    those of the records that refer to it, as `hipcheck check PATH` reports them."""
    from hipcheck.engine import check_text
    from hipcheck.file_reading import MAX_FILE_BYTES

    text = sys.stdin.buffer.read(MAX_FILE_BYTES + 1)  # the loader reports a file over the limit
    path = Path(args.stdin_filename)
    return check_text(path, text, today=today, select=args.select, ignore=args.ignore, jobs=args.jobs)


def _run_engine(args: argparse.Namespace) -> RunResult:
    """The result from the fast path when nothing changed since the same run, else from the engine."""
    today = args.today or dt.date.today()
    cwd = Path.cwd()
    if args.stdin_filename is not None:
        return _check_stdin(args, today)
    replayable = not (args.no_cache or args.online) and all(Path(p).is_dir() for p in args.paths)
    selection = {"select": args.select, "ignore": args.ignore}
    key = tuple(f"{name}={','.join(codes)}" for name, codes in selection.items() if codes is not None)
    if replayable and (replayed := runs.replay(args.paths, cwd, today, key)) is not None:
        return replayed
    from hipcheck.engine import check_paths

    result = check_paths(
        args.paths,
        today=today,
        online=args.online,
        progress=sys.stderr.isatty(),
        cache=not args.no_cache,
        jobs=args.jobs,
        select=args.select,
        ignore=args.ignore,
    )
    if replayable and not result.internal_errors:
        runs.remember(args.paths, cwd, today, result, key)
    return result


def choose_format(given: str | None, environ: Mapping[str, str]) -> str:
    if given is not None:
        return FORMAT_ALIASES.get(given, given)
    # In a GitHub Actions job, annotations on the pull request are what a reader sees first.
    return "github" if environ.get("GITHUB_ACTIONS") == "true" else DEFAULT_FORMAT


def write_report(report: str, output_file: Path | None) -> None:
    text = report + "\n" if report else ""  # nothing at all when there is nothing to say (--quiet, clean)
    if output_file is None:
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    try:
        output_file.parent.mkdir(parents=True, exist_ok=True)
        output_file.write_text(text, encoding="utf-8")
    except OSError as error:
        raise UsageError(f"{output_file}: cannot write the report: {error.strerror or error}") from None


def exit_status(
    result: RunResult, *, exit_zero: bool = False, strict: bool = False, max_warnings: int | None = None
) -> int:
    """2 when hipcheck could not check everything (whatever the options), else 1 when the findings fail."""
    if result.internal_errors:
        return EXIT_FAILURE
    if exit_zero:
        return EXIT_OK
    s = result.summary()
    too_many_warnings = (strict and s["warnings"] > 0) or (max_warnings is not None and s["warnings"] > max_warnings)
    return EXIT_ERRORS if s["errors"] or too_many_warnings else EXIT_OK


def run_schema(args: argparse.Namespace) -> int:
    from hipcheck.schemas import published, render, write_schemas

    if args.check:
        stale = [
            name
            for name, kind in published().items()
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
    from hipcheck.rules import RULES

    rules = sorted(RULES.values(), key=lambda r: r.code)
    if args.format == "json":
        rows = [
            {"code": r.code, "name": r.name, "severity": r.severity.value, "fixable": r.fixable, "summary": r.summary}
            for r in rules
        ]
        print(json.dumps(rows, indent=2))
        return EXIT_OK
    if args.format == "markdown":
        print(rules_markdown(), end="")
        return EXIT_OK
    width = max(len(r.name) for r in rules)
    for r in rules:
        fixable = "fix" if r.fixable else "   "
        print(f"{r.code}  {r.name:<{width}}  {r.severity.value:<7}  {fixable}  {r.summary}")
    return EXIT_OK


def run_rule(args: argparse.Namespace) -> int:
    from hipcheck.rules import find_rule
    from hipcheck.rules.registry import did_you_mean

    found = find_rule(args.rule)
    if found is None:
        raise UsageError(f"no rule {args.rule!r}{did_you_mean(args.rule, prefixes=False)}")
    if args.source:
        print(found.source)
        return EXIT_OK
    fixable = ", fixable" if found.fixable else ""
    print(f"{found.code} {found.name} (default severity: {found.severity.value}{fixable})\n")
    print(found.doc)
    print(f"\nDefined in {found.source_file}.")
    return EXIT_OK


def run_config(args: argparse.Namespace) -> int:
    from hipcheck.config import load_config

    start = Path(args.path)
    if not start.exists():
        raise UsageError(f"{args.path}: no such file or directory")
    config = load_config(start)
    values = config.model_dump(by_alias=True, exclude={"extend"})
    if args.format == "json":
        document = {
            "file": str(config.source) if config.source else None,
            "values": values,
            "origins": {key: config.origins.get(key, "default") for key in values},
        }
        print(json.dumps(document, indent=2, default=str))
        return EXIT_OK
    print(f"# configuration: {config.source or 'none found (defaults)'}")
    for key, value in values.items():
        origin = config.origins.get(key, "default")
        print(f"{key} = {json.dumps(value, default=str)}  # {origin}")
    return EXIT_OK


def rules_markdown() -> str:
    """docs/rules.md: every rule's documentation, from the same docstrings `hipcheck rule` prints."""
    from hipcheck.rules import RULES

    rules = sorted(RULES.values(), key=lambda r: r.code)
    parts = [
        "# hipcheck rules\n\n",
        "<!-- Generated by `hipcheck rules --format markdown > docs/rules.md`; a test keeps it in sync. -->\n\n",
        "| code | name | severity | fixable | summary |\n| --- | --- | --- | --- | --- |\n",
    ]
    for r in rules:
        fixable = "yes" if r.fixable else ""
        parts.append(
            f"| [{r.code}](#{r.code.lower()}-{r.name}) | `{r.name}` | {r.severity.value} | {fixable} | {r.summary} |\n"
        )
    for r in rules:
        body = r.doc.split("\n", 1)[1].strip().replace("## ", "### ")
        fixable = ", fixable" if r.fixable else ""
        parts.append(
            f"\n## {r.code} {r.name}\n\n{r.summary} (default severity: {r.severity.value}{fixable})\n\n{body}\n"
            f"\nDefined in `{r.source_file}`.\n"
        )
    return "".join(parts)


def run_refs_import(args: argparse.Namespace) -> int:
    from hipcheck.config import load_config
    from hipcheck.refs_import import RefsImportError, import_references  # BibTeX parsing loads a lot

    if not args.file.is_file():
        raise UsageError(f"{args.file}: no such file")
    root = args.to or load_config(Path.cwd()).root_dir or Path.cwd()
    try:
        report = import_references(args.file, root / "references", overwrite=args.overwrite)
    except RefsImportError as error:
        raise UsageError(str(error)) from None
    if args.format == "json":
        print(json.dumps(report.as_data(), indent=2, ensure_ascii=False))
        return EXIT_OK
    for path in report.written:
        print(f"wrote {path}")
    for note in report.notes:
        print(f"note: {note}")
    for problem in report.problems:
        print(f"hipcheck: {args.file}: {problem}", file=sys.stderr)
    for key, why in report.skipped:
        print(f"hipcheck: skipped {key}: {why}", file=sys.stderr)
    print(report.summary())  # everything the import changed or could not map, at the end
    print(f"Imported {plural(len(report.written), 'reference')}; now run: hipcheck check {root}")
    return EXIT_OK
