"""Mutation testing of the rules, identifiers and fixes modules with cosmic-ray (issue 12).

    pip install -e '.[mutation]'
    python tools/mutation.py --sample 150 --seed 12 --report mutation-report.json

Copies the work tree (tracked and untracked, not ignored, files) to a scratch folder, so the checkout is never
edited, lists every mutant cosmic-ray makes of MODULES, keeps a random sample of them (a whole run takes
hours on two cores: `--sample 0` runs them all), runs the fast targeted TESTS_FOR against each, then the
module's own test files (the first failure stops a run), and prints the survival rate and every surviving
mutant's diff. Exit status 1 when the survival rate is over `--max-survival` percent.

MODULES, TESTS_FOR and SLOW_TESTS are the lists to update when modules move or tests are added.
"""

from __future__ import annotations

import argparse
import ast
import fnmatch
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from cosmic_ray.work_db import WorkDB, use_db
from cosmic_ray.work_item import TestOutcome, WorkerOutcome, WorkResult

REPO = Path(__file__).resolve().parents[1]

# Globs relative to the repository; a glob matching nothing is reported, not an error, so a module move
# elsewhere shows up as a smaller run rather than a crash.
MODULES = [
    "hipcheck/rules/*.py",
    "hipcheck/rules/*/*.py",
    "hipcheck/identifiers.py",
    "hipcheck/fix_edits.py",  # fixes: the edits applied to a text
    "hipcheck/file_writing.py",  # fixes: the one atomic write
]
# The tests run against a mutant of each module: the first pattern the module matches wins. In a list,
# "{codes}" stands for a pytest -k expression of the rule codes the mutated module names (its own rules),
# so a rule module's mutant runs only its rules' fixtures and mutant tests (-k is case-insensitive).
IDENTIFIER_TESTS = ["tests/test_identifiers.py", "tests/test_rules.py", "tests/test_mutants.py"]
TESTS_FOR: list[tuple[str, list[str]]] = [
    ("hipcheck/identifiers.py", [*IDENTIFIER_TESTS, "-k", "test_identifiers or HC50"]),  # HC506-HC508 use it
    ("hipcheck/rules/reference_identifiers.py", [*IDENTIFIER_TESTS, "-k", "test_identifiers or {codes}"]),
    # test_every_rule...: the rule's metadata against its fixtures (fixable, fixture cases)
    ("hipcheck/rules/*", ["tests/test_rules.py", "tests/test_mutants.py", "-k", "{codes} or test_every_rule"]),
    ("hipcheck/fix_edits.py", ["tests/test_rules.py", "tests/test_mutants.py", "tests/test_fix_properties.py"]),
    ("hipcheck/file_writing.py", ["tests/test_file_writing.py", "tests/test_fix_safety.py"]),
]
TESTS = ["tests/test_rules.py", "tests/test_identifiers.py", "tests/test_mutants.py"]  # anything else
# Then, in a second run, the module's own test files: those that import it or name a rule it defines (a rule
# tested in test_prose_rules.py, test_links.py, test_online.py, ... is killed there, not by its fixtures),
# except these, too slow to run against every mutant (whole corpora, external oracles, batteries of hostile
# input or written files: 10 s to over a minute each on two busy cores). The full suite runs them.
SLOW_TESTS = {
    "tests/test_benchmark_corpus.py",
    "tests/test_bibtex_pandoc.py",
    "tests/test_cache.py",
    "tests/test_cache_security.py",
    "tests/test_citations_pandoc.py",
    "tests/test_csl_schema.py",
    "tests/test_drafts.py",
    "tests/test_fix_safety.py",
    "tests/test_free_exercise_db.py",
    "tests/test_hostile_input.py",
    "tests/test_online_hostile.py",
    "tests/test_packaging.py",
    "tests/test_precommit.py",
    "tests/test_realworld.py",
    "tests/test_workflow.py",
}
PRISTINE = ".mutation-pristine"  # the scratch copy's unmutated modules, to tell which one a mutant changed


def tests_for(module: str, source: str, root: Path = REPO) -> list[list[str]]:
    """The pytest runs a mutant of `module` (whose unmutated text is `source`) must pass to survive."""
    arguments = TESTS
    for pattern, listed in TESTS_FOR:
        if fnmatch.fnmatch(module, pattern):
            codes = " or ".join(sorted(set(re.findall(r"\bHC\d{3}\b", source)))) or "HC"
            arguments = [a.replace("{codes}", codes) for a in listed]
            break
    own = [name for name in own_tests(module, source, root) if name not in arguments]
    return [arguments, own] if own else [arguments]


def own_tests(module: str, source: str, root: Path) -> list[str]:
    """The test files, not in SLOW_TESTS, that import `module` or name a rule code it defines."""
    dotted = module.removesuffix(".py").replace("/", ".")
    codes = set(re.findall(r'\brule\(\s*"(HC\d{3})"', source))
    found = []
    for path in sorted((root / "tests").glob("test_*.py")):
        name = path.relative_to(root).as_posix()
        if name in SLOW_TESTS:
            continue
        text = path.read_text("utf-8")
        if dotted in imported_modules(text) or codes & set(re.findall(r"\bHC\d{3}\b", text)):
            found.append(name)
    return found


def imported_modules(source: str) -> set[str]:
    """Every module a Python file imports, anywhere in it: `from a.b import c` counts as a.b and a.b.c."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


def run_tests(root: Path) -> int:
    """The test command cosmic-ray runs in the scratch copy: the tests of the module the mutant changed,
    the first run to fail ending it (a killed mutant)."""
    runs = [TESTS]
    for pristine in (root / PRISTINE).rglob("*.py"):
        module = pristine.relative_to(root / PRISTINE).as_posix()
        source = pristine.read_text("utf-8")
        if (root / module).read_text("utf-8") != source:
            runs = tests_for(module, source, root)
            break
    for arguments in runs:
        command = [sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider", "-o", "addopts=", *arguments]
        if returncode := subprocess.run(command, cwd=root, check=False).returncode:
            return returncode
    return 0


def modules(root: Path) -> list[str]:
    found: list[str] = []
    for pattern in MODULES:
        matches = sorted(str(p.relative_to(root)) for p in root.glob(pattern) if p.name != "__init__.py")
        if not matches and "*" not in pattern:
            print(f"note: {pattern} matches nothing", file=sys.stderr)
        found += [m for m in matches if m not in found]
    return found


def copy_tree(destination: Path) -> None:
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=REPO,
        check=True,
        capture_output=True,
    ).stdout.decode()
    for relative in filter(None, listed.split("\0")):
        source = REPO / relative
        if source.is_file():
            target = destination / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)


def config(root: Path, paths: list[str], timeout: float) -> str:
    command = f"{sys.executable} {root / 'tools' / 'mutation.py'} --run-tests {root}"
    return (
        "[cosmic-ray]\n"
        f"module-path = {json.dumps(paths)}\n"
        f"timeout = {timeout}\n"
        "excluded-modules = []\n"
        f"test-command = {json.dumps(command)}\n\n"
        '[cosmic-ray.distributor]\nname = "local"\n'
    )


def cosmic_ray(*args: str, cwd: Path) -> None:
    script = Path(sys.executable).with_name("cosmic-ray")
    # The copy's hipcheck, not the editable install's.
    subprocess.run([str(script), *args], cwd=cwd, check=True, env={**os.environ, "PYTHONPATH": str(cwd)})


def annotation_spans(path: Path) -> list[tuple[tuple[int, int], tuple[int, int]]]:
    """The spans of a module's annotations: with `from __future__ import annotations` they never run, so a
    mutant inside one is equivalent to the original and is not counted."""
    spans = []
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        found: list[ast.expr | None] = []
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            arguments = node.args
            every = [*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs, arguments.vararg, arguments.kwarg]
            found += [node.returns, *(a.annotation for a in every if a is not None)]
        elif isinstance(node, ast.AnnAssign):
            found.append(node.annotation)
        for expr in filter(None, found):
            assert expr.end_lineno is not None and expr.end_col_offset is not None
            spans.append(((expr.lineno, expr.col_offset), (expr.end_lineno, expr.end_col_offset)))
    return spans


def sample(session: Path, root: Path, size: int, seed: int) -> tuple[int, int]:
    """Mark mutants of annotations, then all but `size` random other work items, as skipped; return how
    many annotation mutants there were and how many mutants will run."""

    with use_db(str(session), WorkDB.Mode.open) as db:
        spans: dict[str, list[tuple[tuple[int, int], tuple[int, int]]]] = {}
        equivalent = []
        for item in db.pending_work_items:
            (mutation,) = item.mutations
            module = str(mutation.module_path)
            if module not in spans:
                spans[module] = annotation_spans(root / module)
            start, end = tuple(mutation.start_pos), tuple(mutation.end_pos)
            if any(low <= start and end <= high for low, high in spans[module]):
                equivalent.append(item.job_id)
        db.set_multiple_results(
            equivalent, WorkResult(worker_outcome=WorkerOutcome.SKIPPED, output="equivalent: in an annotation")
        )
        jobs = sorted(item.job_id for item in db.pending_work_items)
        if size <= 0 or size >= len(jobs):
            return len(equivalent), len(jobs)
        keep = set(random.Random(seed).sample(jobs, size))
        db.set_multiple_results(
            [job for job in jobs if job not in keep],
            WorkResult(worker_outcome=WorkerOutcome.SKIPPED, output="not in the sample"),
        )
        return len(equivalent), size


def summary(session: Path) -> dict[str, Any]:

    counts = {"total": 0, "in_annotations": 0, "run": 0, "killed": 0, "survived": 0, "incompetent": 0, "timeout": 0}
    survivors = []
    with use_db(str(session), WorkDB.Mode.open) as db:
        counts["total"] = db.num_work_items
        for item, result in db.completed_work_items:
            if result.worker_outcome == WorkerOutcome.SKIPPED:
                counts["in_annotations"] += (result.output or "").startswith("equivalent")
                continue
            counts["run"] += 1
            if result.test_outcome == TestOutcome.SURVIVED:
                counts["survived"] += 1
                (mutation,) = item.mutations
                survivors.append(
                    {
                        "module": str(mutation.module_path),
                        "line": mutation.start_pos[0],
                        "operator": mutation.operator_name,
                        "diff": result.diff,
                    }
                )
            elif result.test_outcome == TestOutcome.INCOMPETENT or result.worker_outcome != WorkerOutcome.NORMAL:
                counts["incompetent"] += 1
            else:
                counts["killed"] += 1
                counts["timeout"] += result.output == "timeout"
    scored = counts["killed"] + counts["survived"]
    rate = 100.0 * counts["survived"] / scored if scored else 0.0
    return {"counts": counts, "survival_percent": round(rate, 1), "survivors": survivors}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sample", type=int, default=150, help="mutants to run (0: all)")
    parser.add_argument("--seed", type=int, default=12)
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds per mutant's test runs")
    parser.add_argument("--only", nargs="*", default=None, help="module paths to mutate instead of MODULES")
    parser.add_argument("--report", type=Path, help="write the summary as JSON here")
    parser.add_argument("--max-survival", type=float, default=10.0)
    parser.add_argument("--run-tests", type=Path, help=argparse.SUPPRESS)  # cosmic-ray's test command
    args = parser.parse_args(argv)
    if args.run_tests:
        return run_tests(args.run_tests)

    with tempfile.TemporaryDirectory(prefix="hipcheck-mutation-") as scratch:
        root = Path(scratch)
        copy_tree(root)
        paths = args.only or modules(root)
        for module in paths:
            (root / PRISTINE / module).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(root / module, root / PRISTINE / module)
        (root / "cosmic-ray.toml").write_text(config(root, paths, args.timeout), encoding="utf-8")
        session = root / "session.sqlite"
        cosmic_ray("init", "cosmic-ray.toml", str(session), cwd=root)
        cosmic_ray("baseline", "cosmic-ray.toml", cwd=root)
        equivalent, running = sample(session, root, args.sample, args.seed)
        print(f"mutating {len(paths)} modules: {equivalent} mutants in annotations; running {running}", file=sys.stderr)
        cosmic_ray("exec", "cosmic-ray.toml", str(session), cwd=root)
        result = summary(session)
    result["modules"] = paths
    result["sample"] = {"size": args.sample, "seed": args.seed}
    for survivor in result["survivors"]:
        print(f"--- survived: {survivor['module']}:{survivor['line']} ({survivor['operator']})\n{survivor['diff']}")
    print(json.dumps(result["counts"]), f"survival {result['survival_percent']}%")
    if args.report:
        args.report.write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    return 1 if result["survival_percent"] > args.max_survival else 0


if __name__ == "__main__":
    raise SystemExit(main())
