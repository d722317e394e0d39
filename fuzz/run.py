"""Fuzz hipcheck's loader, citation scanner or prose scanner for a fixed budget (not part of the tests).

    python fuzz/run.py --target loader --runs 40000
    python fuzz/run.py --target prose --seconds 600
    python fuzz/run.py --target citations --runs 30000 --mutator   # without atheris

With atheris installed it runs libFuzzer (coverage-guided, hipcheck instrumented); otherwise, or with
--mutator, a plain random mutator over the same seeds. Seeds: fuzz/corpus/ (the files of content/ and
examples/drafts/, plus hand-written hostile ones). A crashing input is saved to fuzz/crashes/ and the run
exits 1; each one found becomes a regression case in tests/test_hostile_input.py.
"""

from __future__ import annotations

import argparse
import hashlib
import random
import sys
import time
import traceback
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent)]
CORPUS = HERE / "corpus"
CRASHES = HERE / "crashes"
WORK = HERE / "work"  # inputs libFuzzer finds interesting (not committed)
# Bytes per generated input: the loader's seeds are small records; the scanners' cost grows with the
# article, and a few KiB hold every construct while keeping hundreds of runs a second.
MAX_LEN = {"loader": 16_384, "citations": 4_096, "prose": 4_096}
TIMEOUT = 20  # seconds one input may take before libFuzzer calls it a hang

# Tokens the mutator inserts: YAML structure and tags, Markdown and citation syntax, odd characters.
TOKENS = [
    b"---\n",
    b"...\n",
    b"- ",
    b": ",
    b"? ",
    b"[",
    b"]",
    b"{",
    b"}",
    b",",
    b"&a ",
    b"*a",
    b"<<: *a\n",
    b"!!bool ",
    b"!!int ",
    b"!!float ",
    b"!!null ",
    b"!!timestamp ",
    b"!!binary ",
    b"!!python/object:os.system ",
    b"!x ",
    b"!!str ",
    b"!!map ",
    b"!!seq ",
    b"'",
    b'"',
    b"|\n",
    b">-\n",
    b"#",
    b"\t",
    b"\r",
    b"\r\n",
    b"\n\n",
    b"\x00",
    b"\xef\xbb\xbf",
    b"\xed\xa0\x80",
    b"\xc2\x85",
    b"\xe2\x80\xa8",
    b"\xff",
    b"`",
    b"```\n",
    b"@",
    b"[@",
    b"@{",
    b"<!--",
    b"-->",
    b"](",
    b"<http:",
    b"http://",
    b"www.",
    b"a@b.c",
    b"    ",
    b"gluteus medius",
    b"glutes",
    b"hip adductors",
    b"are made of: ",
    b"muscles:",
    b"(GMed)",
    b"1:30",
    b"2024-01-01",
    b"no",
    b"~",
    b".inf",
]


def seeds(target: str) -> list[bytes]:
    found = [p.read_bytes() for p in sorted((CORPUS / target).glob("*")) if p.is_file()]
    return found or [b""]


def mutate(data: bytes, pool: list[bytes], rng: random.Random, max_len: int) -> bytes:
    """One to four random edits: flip, insert, delete, repeat a slice, insert a token, splice another seed."""
    buffer = bytearray(data)
    for _ in range(rng.randint(1, 4)):
        choice = rng.randrange(7)
        at = rng.randint(0, len(buffer))
        if choice == 0 and buffer:
            buffer[min(at, len(buffer) - 1)] ^= 1 << rng.randrange(8)
        elif choice == 1:
            buffer[at:at] = bytes([rng.randrange(256)])
        elif choice == 2 and buffer:
            del buffer[at : at + rng.randint(1, 64)]
        elif choice == 3:
            piece = bytes(buffer[at : at + rng.randint(1, 16)]) or b"a"
            buffer[at:at] = piece * rng.choice((2, 10, 100, 1000))
        elif choice in (4, 5):
            buffer[at:at] = rng.choice(TOKENS) * rng.choice((1, 1, 1, 3, 50))
        else:
            other = rng.choice(pool)
            start = rng.randint(0, len(other))
            buffer[at:at] = other[start : start + rng.randint(1, 512)]
    return bytes(buffer[:max_len])


def save_crash(target: str, data: bytes, error: BaseException) -> Path:
    CRASHES.mkdir(exist_ok=True)
    path = CRASHES / f"{target}-{hashlib.sha1(data).hexdigest()[:16]}"
    path.with_suffix(".bin").write_bytes(data)
    path.with_suffix(".txt").write_text("".join(traceback.format_exception(error)), "utf-8")
    return path.with_suffix(".bin")


def run_mutator(target: str, fuzz: Callable[[bytes], None], runs: int | None, seconds: float | None, seed: int) -> int:
    rng = random.Random(seed)
    pool = seeds(target)
    start, done, crashes, slowest = time.monotonic(), 0, 0, 0.0
    for data in pool:  # the seeds themselves first
        fuzz(data)
    while (runs is None or done < runs) and (seconds is None or time.monotonic() - start < seconds):
        data = mutate(rng.choice(pool), pool, rng, MAX_LEN[target])
        began = time.monotonic()
        try:
            fuzz(data)
        except Exception as error:
            crashes += 1
            print(f"crash: {save_crash(target, data, error)}: {type(error).__name__}: {error}", flush=True)
        slowest = max(slowest, time.monotonic() - began)
        done += 1
        if rng.random() < 0.01:
            pool.append(data)  # keep some mutants, so edits accumulate
        if done % 5000 == 0:
            print(f"{target}: {done} inputs, {time.monotonic() - start:.0f} s", flush=True)
    elapsed = time.monotonic() - start
    print(f"{target}: {done} inputs in {elapsed:.1f} s, {crashes} crashes, slowest input {slowest:.2f} s (mutator)")
    return 1 if crashes else 0


def run_atheris(target: str, runs: int | None, seconds: float | None) -> int:
    import atheris  # type: ignore[import-untyped]

    with atheris.instrument_imports(include=["hipcheck"]):
        from targets import TARGETS

    fuzz = TARGETS[target]

    def one(data: bytes) -> None:
        try:
            fuzz(data)
        except Exception as error:
            save_crash(target, data, error)
            raise

    work = WORK / target
    work.mkdir(parents=True, exist_ok=True)
    CRASHES.mkdir(exist_ok=True)
    argv = [sys.argv[0], str(work), str(CORPUS / target), f"-max_len={MAX_LEN[target]}", f"-timeout={TIMEOUT}"]
    argv += [f"-artifact_prefix={CRASHES}/{target}-", "-print_final_stats=1", "-rss_limit_mb=2048"]
    argv += [f"-runs={runs}"] if runs is not None else []
    argv += [f"-max_total_time={int(seconds)}"] if seconds is not None else []
    atheris.Setup(argv, one)
    atheris.Fuzz()  # exits the process when the budget is spent, or at the first crash
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--target", required=True, choices=["loader", "citations", "prose"])
    parser.add_argument("--runs", type=int, help="inputs to try")
    parser.add_argument("--seconds", type=float, help="time to spend")
    parser.add_argument("--mutator", action="store_true", help="the plain random mutator, even with atheris")
    parser.add_argument("--seed", type=int, default=0, help="random seed of the plain mutator")
    args = parser.parse_args()
    if args.runs is None and args.seconds is None:
        parser.error("give --runs or --seconds")
    try:
        import atheris  # noqa: F401
    except ImportError:
        args.mutator = True
    if args.mutator:
        from targets import TARGETS

        return run_mutator(args.target, TARGETS[args.target], args.runs, args.seconds, args.seed)
    return run_atheris(args.target, args.runs, args.seconds)


if __name__ == "__main__":
    sys.exit(main())
