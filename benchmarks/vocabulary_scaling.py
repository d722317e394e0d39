"""Time muscle-name scanning (mentions and misspellings) as the text and the vocabulary grow.

    python benchmarks/vocabulary_scaling.py [--repeats 7]

The goals are ratios measured side by side in one run: 8 times the text costs at most 24 times the time
(linear, with room for a busy machine; quadratic would be 64), and 20 times the names at most 6 times.
tests/test_vocabulary.py checks the same property by counting the work, never by the clock.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from hipcheck.muscle_vocabulary import Vocabulary

REPO = Path(__file__).resolve().parents[1]
ARTICLE = REPO / "content" / "articles" / "hips-and-flat-feet.md"
GREEK = "alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi omicron pi rho sigma tau".split()


def best_time(action: Callable[[], object], repeats: int) -> float:
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        action()
        best = min(best, time.perf_counter() - start)
    return best


def scanning(vocabulary: Vocabulary, text: str) -> Callable[[], object]:
    vocabulary.misspellings(text, vocabulary.scan(text))  # build the pattern and warm the caches first
    return lambda: vocabulary.misspellings(text, vocabulary.scan(text))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7, help="runs of each measurement; the best counts")
    args = parser.parse_args(argv)
    records: list[dict[str, Any]] = [
        yaml.safe_load(p.read_text("utf-8")) for p in sorted((REPO / "content" / "muscles").glob("*.yaml"))
    ]
    synthetic = [
        {"id": f"m{i}-{r['id']}", "kind": "muscle", "name": f"{r['name']} {word}", "aliases": [f"{word} {r['name']}"]}
        for i, word in enumerate(GREEK)
        for r in records
    ]
    small, large = Vocabulary.from_data(records), Vocabulary.from_data([*records, *synthetic])
    article = ARTICLE.read_text("utf-8")
    one = best_time(scanning(small, article), args.repeats)
    eight = best_time(scanning(small, article * 8), args.repeats)
    names = best_time(scanning(large, article), args.repeats)
    rows = [
        ("8 times the text", eight / one, 24.0),
        (f"{len(large.terms) / len(small.terms):.0f} times the names", names / one, 6.0),
    ]
    print(f"one article, {len(small.terms)} names: {one * 1000:.2f} ms (best of {args.repeats})")
    print("| growth | time ratio | limit |\n| --- | --- | --- |")
    for what, ratio, limit in rows:
        print(f"| {what} | {ratio:.1f} | ≤ {limit:g} |")
    return 0 if all(ratio <= limit for _, ratio, limit in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
