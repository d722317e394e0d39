"""Benchmark hipcheck against check-jsonschema and a libyaml baseline on generated content roots.

    python benchmarks/run.py [--sizes 10000,100000] [--skip-large] [--seed 0] [--repeat 3] [--keep] [--json FILE]

For each size it generates a content root (benchmarks/generate.py: N exercises, N/50 articles, the
sample muscles and references) in a temporary folder, then measures, one process at a time, the wall
time and peak RSS of:

- a libyaml baseline: `yaml.compose` with CSafeLoader over every exercise file (time of the loop only);
- `check-jsonschema --schemafile schemas/exercise.schema.json` over every exercise file;
- `hipcheck check ROOT --format json` cold (`--no-cache` when hipcheck has it), then, when it has a
  cache, a first run that fills it; a second run with nothing changed (warm); and the pre-commit path,
  `hipcheck check ROOT/exercises/<one>.yaml` after editing that one file, cache warm. Each hipcheck
  measurement is the median of `--repeat` runs (caches removed before each cold and first run, the file
  edited again before each pre-commit run); check-jsonschema, minutes long at 100,000, runs once.

It prints the machine and a Markdown table of times, peak memory, ratios to check-jsonschema and the
issue's targets: cold ≤ 0.1 × check-jsonschema; nothing changed ≤ 0.1 × the first run; one file changed
≤ 0.5 s in the 10,000-exercise repository; from 100,000 up, each measurement ≤ 11 × (per ten times the
records) the same one at 10,000, and peak memory ≤ 1 GB. Targets are ratios measured in one run, never
timed unit tests. Exit status 0 whether or not targets are met; 2 when a measured command fails.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from generate import generate  # benchmarks/ is not a package: generate.py beside this file

REPO = Path(__file__).resolve().parents[1]
SCHEMA = REPO / "schemas" / "exercise.schema.json"
LARGE = 10_000  # --skip-large drops sizes above this
PRE_COMMIT_SIZE = 10_000  # "one changed file in that repo": the 10,000-exercise repository
MB = 1024 * 1024
GB = 1_000_000_000  # the "1 GB", in bytes


@dataclass
class Measurement:
    size: int
    name: str
    seconds: float
    peak_bytes: int | None
    exit_code: int = 0
    detail: str = ""
    targets: list[tuple[str, bool | None]] = field(default_factory=list)  # (description, met; None = n/a)


class CommandFailed(Exception):
    pass


# --- measuring one child process -----------------------------------------------------------------


def run_measured(
    cmd: list[str], cwd: Path, env: dict[str, str], stdout: Path, ok_codes: tuple[int, ...] = (0, 1)
) -> tuple[float, int, int]:
    """Run `cmd` to completion; return (wall seconds, peak RSS bytes of that child, exit code)."""
    with stdout.open("wb") as out, stdout.with_suffix(".stderr").open("wb") as err:
        started = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=out, stderr=err)
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - started
    proc.returncode = code = os.waitstatus_to_exitcode(status)
    peak = usage.ru_maxrss if sys.platform == "darwin" else usage.ru_maxrss * 1024  # Linux: KiB
    if code not in ok_codes:
        tail = stdout.with_suffix(".stderr").read_text("utf-8", "replace").strip().splitlines()[-5:]
        raise CommandFailed(f"{' '.join(cmd[:6])} ... exited {code}: {' | '.join(tail)}")
    return seconds, peak, code


def batches(args: list[str], env: dict[str, str], fixed: list[str]) -> list[list[str]]:
    """Split `args` like xargs so each command line (with `fixed` and the environment) fits ARG_MAX."""
    arg_max = os.sysconf("SC_ARG_MAX") if hasattr(os, "sysconf") else 131072
    env_size = sum(len(k) + len(v) + 2 + 8 for k, v in env.items())
    budget = min(arg_max, 2 * MB) // 2 - env_size - sum(len(a) + 9 for a in fixed)
    out: list[list[str]] = [[]]
    used = 0
    for arg in args:
        cost = len(arg) + 1 + 8  # the string, its NUL and its argv pointer
        if out[-1] and used + cost > budget:
            out.append([])
            used = 0
        out[-1].append(arg)
        used += cost
    return out


# --- the tools ---------------------------------------------------------------------------------


def python_tool(name: str) -> Path | None:
    beside = Path(sys.executable).parent / name
    if beside.is_file():
        return beside
    found = shutil.which(name)
    return Path(found) if found else None


def ensure_check_jsonschema() -> Path:
    tool = python_tool("check-jsonschema")
    if tool is None:
        print("check-jsonschema is missing: pip install check-jsonschema", file=sys.stderr)
        subprocess.run([sys.executable, "-m", "pip", "install", "-q", "check-jsonschema"], check=True)
        tool = python_tool("check-jsonschema")
    if tool is None:
        raise SystemExit("check-jsonschema could not be installed")
    return tool


def tool_version(cmd: list[str]) -> str:
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    return (done.stdout or done.stderr).strip().splitlines()[0] if (done.stdout or done.stderr).strip() else "?"


def hipcheck_has_no_cache() -> bool:
    done = subprocess.run(
        [sys.executable, "-m", "hipcheck", "check", "--help"], capture_output=True, text=True, check=False
    )
    return "--no-cache" in done.stdout


def machine() -> list[str]:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    import yaml

    return [
        f"CPU: {cpu}; cores: {os.cpu_count()} ({usable} usable)",
        f"Python {platform.python_version()} ({platform.python_implementation()}) on {platform.platform()}",
        f"PyYAML {yaml.__version__} (libyaml: {'yes' if yaml.__with_libyaml__ else 'no'}); "
        f"{tool_version([sys.executable, '-m', 'hipcheck', '--version'])}; "
        f"check-jsonschema {tool_version([str(ensure_check_jsonschema()), '--version']).split()[-1]}",
    ]


# --- the libyaml baseline (runs in a child: `run.py --compose ROOT`) ---------------------------------


def compose_all(root: Path) -> dict[str, Any]:
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    files = sorted((root / "exercises").glob("*.yaml"))
    started = time.perf_counter()
    for path in files:
        yaml.compose(path.read_text("utf-8"), Loader=loader)
    return {"seconds": time.perf_counter() - started, "files": len(files), "libyaml": loader is not yaml.SafeLoader}


# --- one size -------------------------------------------------------------------------------------


def forget(cache: Path) -> None:
    """Remove hipcheck's caches (the result cache and the recorded runs): its whole cache folder."""
    shutil.rmtree(cache, ignore_errors=True)


def bench_size(
    size: int, work: Path, seed: int, cjs: Path, no_cache: bool, log: list[str], repeat: int = 3
) -> list[Measurement]:
    root = work / f"corpus-{size}"
    shutil.rmtree(root, ignore_errors=True)  # always a fresh corpus: nothing cached from an earlier run
    started = time.perf_counter()
    manifest = generate(root, size, seed=seed)
    log.append(
        f"{size}: generated {manifest['exercises']} exercises ({manifest['exercise_bytes'] / 1e6:.1f} MB), "
        f"{manifest['articles']} articles, {manifest['muscles']} muscles, {manifest['references']} references, "
        f"{len(manifest['defects'])} seeded findings in {time.perf_counter() - started:.1f} s"
    )
    cache = work / f"hipcheck-cache-{size}"
    env = dict(os.environ, XDG_CACHE_HOME=str(work / f"xdg-cache-{size}"), PYTHONDONTWRITEBYTECODE="1")
    # hipcheck's bytecode compiled first, as `pip install` does for an installed package: otherwise
    # (PYTHONDONTWRITEBYTECODE set, as on some machines, or a fresh editable checkout) every measured
    # run would compile hipcheck's sources again, which no user's run does.
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(Path(__file__).resolve().parents[1] / "hipcheck")])
    env["HIPCHECK_CACHE_DIR"] = str(cache)
    out = work / f"out-{size}"
    out.mkdir(exist_ok=True)
    rel = root.name
    results: list[Measurement] = []

    # (e) libyaml compose, in a child so that its peak memory is its own
    seconds, peak, _ = run_measured(
        [sys.executable, __file__, "--compose", str(root)], work, env, out / "compose.json", ok_codes=(0,)
    )
    composed = json.loads((out / "compose.json").read_text())
    results.append(
        Measurement(size, "libyaml compose (CSafeLoader, in-process loop)", composed["seconds"], peak, 0, "baseline")
    )

    # (d) check-jsonschema, batched like xargs
    exercises = sorted(p.relative_to(work).as_posix() for p in (root / "exercises").glob("*.yaml"))
    fixed = [str(cjs), "--schemafile", str(SCHEMA)]
    total, peak_max, worst = 0.0, 0, 0
    chunks = batches(exercises, env, fixed)
    for i, chunk in enumerate(chunks):
        seconds, peak, code = run_measured([*fixed, *chunk], work, env, out / f"cjs-{i}.txt")
        total, peak_max, worst = total + seconds, max(peak_max, peak), max(worst, code)
    cjs_detail = f"{len(chunks)} invocation(s), times summed" + ("" if worst == 0 else "; some files invalid")
    cjs_run = Measurement(size, "check-jsonschema, exercise schema", total, peak_max, worst, cjs_detail)
    results.append(cjs_run)

    def hipcheck(name: str, args: list[str], stem: str, before: Callable[[], None] = lambda: None) -> Measurement:
        """The median of `repeat` runs (peak memory: the largest), `before` each run; this machine's
        timings vary from run to run by ±15% or more."""
        cmd = [sys.executable, "-m", "hipcheck", "check", *args, "--format", "json"]
        runs = []
        for _ in range(repeat):
            before()
            runs.append(run_measured(cmd, work, env, out / f"{stem}.json"))
        seconds = statistics.median(r[0] for r in runs)
        report = json.loads((out / f"{stem}.json").read_text("utf-8"))
        summary = report["summary"]
        detail = f"{summary['files']} files, {len(report['diagnostics'])} findings"
        if repeat > 1:
            detail += f"; median of {repeat} runs ({', '.join(f'{r[0]:.2f}' for r in runs)} s)"
        return Measurement(size, name, seconds, max(r[1] for r in runs), max(r[2] for r in runs), detail)

    # (a) cold, (b) warm, (c) one changed file with a warm cache
    if no_cache:
        cold = hipcheck("hipcheck check, cold (--no-cache)", [rel, "--no-cache"], "cold", lambda: forget(cache))
    else:
        cold = hipcheck("hipcheck check, cold (first run)", [rel], "cold", lambda: forget(cache))
    cold.detail += f" (seeded: {len(manifest['defects'])})"
    results.append(cold)
    first = cold
    if no_cache:
        first = hipcheck("hipcheck check, first run (fills cache)", [rel], "first", before=lambda: forget(cache))
        results.append(first)
    warm = hipcheck("hipcheck check, second run, nothing changed", [rel], "warm")
    results.append(warm)
    clean = {d["path"] for d in manifest["defects"]}
    one = next(p for p in sorted((root / "exercises").glob("*.yaml")) if f"exercises/{p.name}" not in clean)

    def edit() -> None:  # a new change before each run, as each commit brings one
        one.write_text(one.read_text("utf-8").replace("\nname: ", "\nname: Edited ", 1), "utf-8")

    relative = one.relative_to(work).as_posix()
    single = hipcheck("hipcheck check ONE.yaml, one file changed, warm", [relative], "single", before=edit)
    results.append(single)

    # targets
    cold.targets.append(("≤ 0.1 × check-jsonschema", cold.seconds <= 0.1 * cjs_run.seconds))
    warm.targets.append((f"≤ 0.1 × first run ({first.seconds:.2f} s)", warm.seconds <= 0.1 * first.seconds))
    if size == PRE_COMMIT_SIZE:  # the pre-commit target is for its 10,000-exercise repository
        single.targets.append(("≤ 0.5 s wall", single.seconds <= 0.5))
    return results


def add_growth_targets(results: list[Measurement]) -> None:
    """From 100,000 records up, each hipcheck measurement grows linearly from the same one at 10,000
    (≤ 11 × for ten times the records) and peaks under 1 GB."""
    base = {m.name: m for m in results if m.size == 10_000}
    for m in results:
        if m.size < 100_000 or not m.name.startswith("hipcheck"):
            continue
        limit = 11 * (m.size / 10_000) / 10
        if m.name not in base:
            m.targets.append((f"≤ {limit:g} × the 10,000 figure (not measured in this run)", None))
        else:
            grown = m.seconds / base[m.name].seconds
            m.targets.append((f"≤ {limit:g} × the 10,000 figure (is {grown:.1f}×)", grown <= limit))
        if m.peak_bytes is not None:
            m.targets.append(("peak ≤ 1 GB", m.peak_bytes <= GB))


# --- report ----------------------------------------------------------------------------------------


def table(results: list[Measurement]) -> str:
    rows = [
        "| size | measurement | seconds | peak MB | × check-jsonschema | target | met |",
        "| ---: | --- | ---: | ---: | ---: | --- | --- |",
    ]
    cjs = {m.size: m.seconds for m in results if m.name.startswith("check-jsonschema")}
    for m in results:
        ratio = m.seconds / cjs[m.size] if cjs.get(m.size) else None
        peak = f"{m.peak_bytes / MB:.0f}" if m.peak_bytes is not None else "–"
        target = "; ".join(t for t, _ in m.targets) or "–"
        met = "; ".join("n/a" if ok is None else ("met" if ok else "NOT met") for _, ok in m.targets) or "–"
        rows.append(
            f"| {m.size:,} | {m.name} | {m.seconds:.2f} | {peak} | "
            f"{'–' if ratio is None else f'{ratio:.3f}'} | {target} | {met} |"
        )
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10000,100000", help="exercise counts, comma-separated (10000,100000)")
    parser.add_argument("--skip-large", action="store_true", help=f"drop sizes above {LARGE:,}")
    parser.add_argument("--seed", type=int, default=0, help="corpus seed (default 0)")
    parser.add_argument("--keep", action="store_true", help="keep the generated corpora and outputs")
    parser.add_argument("--workdir", type=Path, help="where to generate (default: a new temporary folder)")
    parser.add_argument("--json", type=Path, help="also write the measurements to this JSON file")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each hipcheck measurement; the median counts")
    parser.add_argument("--compose", type=Path, help=argparse.SUPPRESS)  # internal: the libyaml baseline child
    args = parser.parse_args(argv)
    if args.compose:
        print(json.dumps(compose_all(args.compose)))
        return 0

    sizes = [int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()]
    if args.skip_large:
        sizes = [s for s in sizes if s <= LARGE]
    if not sizes:
        parser.error("no sizes to run")
    cjs = ensure_check_jsonschema()
    no_cache = hipcheck_has_no_cache()
    work = args.workdir or Path(tempfile.mkdtemp(prefix="hipcheck-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    work = work.resolve()
    info = machine()
    log: list[str] = []
    results: list[Measurement] = []
    try:
        for size in sizes:
            print(f"benchmarking {size:,} exercises in {work} ...", file=sys.stderr, flush=True)
            results.extend(bench_size(size, work, args.seed, cjs, no_cache, log, max(1, args.repeat)))
    except CommandFailed as error:
        print(f"benchmark failed: {error}", file=sys.stderr)
        return 2
    finally:
        if not args.keep and args.workdir is None:
            shutil.rmtree(work, ignore_errors=True)
    add_growth_targets(results)

    print("## Machine\n")
    print("\n".join(f"- {line}" for line in info))
    print("\n## Results\n")
    print(table(results))
    print("\n## Notes\n")
    notes = [
        *log,
        "Each measurement is one child process; wall time from start to exit, peak RSS from os.wait4 "
        "(ru_maxrss of that child). The libyaml row times the compose loop inside its process (no start-up).",
        "check-jsonschema gets the exercise files as arguments, split like xargs to fit ARG_MAX: "
        + "; ".join(f"{m.size:,}: {m.detail}" for m in results if m.name.startswith("check-jsonschema")),
        "hipcheck findings per run: "
        + "; ".join(f"{m.size:,} {m.name}: {m.detail}" for m in results if m.name.startswith("hipcheck")),
    ]
    if not no_cache:
        notes.append(
            "no cache yet: `hipcheck check --help` has no --no-cache, so the cold run is a plain first run and "
            "the 'second run' repeats the same work."
        )
    if args.keep or args.workdir:
        notes.append(f"corpora and outputs kept in {work}")
    print("\n".join(f"- {n}" for n in notes))
    if args.json:
        args.json.write_text(
            json.dumps({"machine": info, "results": [asdict(m) for m in results], "notes": notes}, indent=2) + "\n"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
