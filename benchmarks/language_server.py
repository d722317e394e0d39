"""The language server's latency on a large workspace, beside `hipcheck check` measured in the same run.

    python benchmarks/language_server.py [--exercises 10000] [--edits 100] [--jobs N] [--json out.json]

Generates a content root (benchmarks/generate.py), starts `hipcheck server` over stdio with a real LSP
client (pytest-lsp's, from the test extra), and measures:
- index build: from the first didOpen to that document's first publishDiagnostics (the whole root
  checked), beside a cold `hipcheck check --no-cache ROOT`;
- edits: for each of `--edits` didChange notifications on one article (debounce 0), the time to the
  publishDiagnostics that answers it; median and 95th percentile, beside `hipcheck check --no-cache` of
  that one file (a cold process) and `hipcheck check --stdin-filename`.
Prints a Markdown table with the ratios and the targets (median edit <= 50 ms; build <= 1 x cold check).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))

from lsp_session import Session  # noqa: E402  (the tests' LSP client driver)


def timed(command: list[str], stdin: bytes | None = None) -> float:
    start = time.perf_counter()
    subprocess.run(command, input=stdin, capture_output=True, check=False)
    return time.perf_counter() - start


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


async def measure_server(root: Path, article: str, edits: int, jobs: int) -> dict[str, object]:
    async with Session(root, debounce_ms=0, jobs=jobs) as session:
        start = time.perf_counter()
        uri = session.open(article)
        await session.diagnostics_after(uri, 0)
        build = time.perf_counter() - start
        text = session.texts[uri]
        latencies = []
        for i in range(edits):
            mark = len(session.published)
            edited = text + f"\nEdit number {i} adds one more sentence to the article.\n"
            sent = time.perf_counter()
            session.change(uri, edited)
            await session.diagnostics_after(uri, mark)
            arrived = next(p for p in session.published[mark:] if p[1] == uri)[0]
            latencies.append(arrived - sent)
        return {"build": build, "latencies": latencies}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--exercises", type=int, default=10_000)
    parser.add_argument("--edits", type=int, default=100)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--json", type=Path, help="write the figures here too")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder) / "corpus"
        subprocess.run(
            [sys.executable, str(HERE / "generate.py"), str(root), "--exercises", str(args.exercises)],
            check=True,
            capture_output=True,
        )
        article = sorted(p.relative_to(root).as_posix() for p in (root / "articles").glob("*.md"))[0]
        hipcheck = [sys.executable, "-m", "hipcheck", "check", "--no-cache", "--jobs", str(args.jobs)]
        cold = timed([*hipcheck, str(root)])
        one_file = statistics.median(timed([*hipcheck, str(root / article)]) for _ in range(3))
        text = (root / article).read_bytes()
        stdin = statistics.median(
            timed([*hipcheck, "--stdin-filename", str(root / article), "-"], stdin=text) for _ in range(3)
        )
        server = asyncio.run(measure_server(root, article, args.edits, args.jobs))
    latencies = server["latencies"]
    assert isinstance(latencies, list)
    build = server["build"]
    assert isinstance(build, float)
    median, p95 = statistics.median(latencies), percentile(latencies, 0.95)
    figures = {
        "exercises": args.exercises,
        "edits": args.edits,
        "jobs": args.jobs,
        "cold_check_s": cold,
        "index_build_s": build,
        "edit_median_ms": median * 1000,
        "edit_p95_ms": p95 * 1000,
        "check_one_file_s": one_file,
        "check_stdin_s": stdin,
    }
    print(f"machine: {os.cpu_count()} CPUs, Python {sys.version.split()[0]}; {args.exercises} exercises, {article}")
    print()
    print("| measure | figure | beside | ratio | target |")
    print("| --- | --- | --- | --- | --- |")
    print(
        f"| index build (didOpen -> first diagnostics) | {build:.2f} s | cold `hipcheck check` {cold:.2f} s "
        f"| {build / cold:.2f} | <= 1 |"
    )
    print(
        f"| didChange -> publishDiagnostics, median of {args.edits} | {median * 1000:.0f} ms "
        f"| `hipcheck check FILE` {one_file * 1000:.0f} ms | {median / one_file:.3f} | <= 50 ms |"
    )
    print(
        f"| didChange -> publishDiagnostics, 95th percentile | {p95 * 1000:.0f} ms "
        f"| `--stdin-filename` {stdin * 1000:.0f} ms | {p95 / stdin:.3f} | |"
    )
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
