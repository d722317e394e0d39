"""Generate a large, realistic hipcheck content root for benchmarks.

    python benchmarks/generate.py OUT_DIR --exercises 10000 [--articles N] [--seed S] [--defect-share 0.02]

OUT_DIR gets `muscles/` and `references/` copied from `content/` as they are, N exercise files derived
from `content/exercises/` (ids `<base>-<n>`, varied names, wording, dosage, real muscle and reference ids)
and articles derived from `content/articles/` whose front matter lists generated exercise ids and whose
bodies cite real reference keys. A small share of records carries a defect (missing dosage, unknown muscle
id, ...) so the rules have work; `benchmark-manifest.json` in OUT_DIR lists every seeded defect with the
code hipcheck should report. The same seed gives byte-identical output.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import re
import shutil
import sys
import textwrap
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parents[1]
DEFAULT_SOURCE = REPO / "content"
MANIFEST = "benchmark-manifest.json"
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

# --- a small YAML emitter in the style of content/ (flow lists of ids, folded long text) --------------

_PLAIN = re.compile(r"[A-Za-z][A-Za-z0-9 ,.'’()/\-–;!?&+]*")
_YAML11_WORDS = {"y", "n", "yes", "no", "on", "off", "true", "false", "null", "~"}
_BLOCK_LISTS = {"steps", "safety"}
_WRAP = 100


def _scalar(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    text = str(value)
    if _PLAIN.fullmatch(text) and text.lower() not in _YAML11_WORDS and not text.endswith((" ", ":")):
        return text
    return json.dumps(text, ensure_ascii=False)  # a JSON string is a valid YAML double-quoted scalar


def _text(value: str, indent: int, key_width: int) -> str:
    """A string value after `key: ` (or `- `): plain when it fits, folded (`>-`) when long."""
    one_line = _scalar(value)
    if indent + key_width + len(one_line) <= _WRAP or one_line.startswith('"'):
        return " " + one_line
    pad = " " * (indent + 2)
    lines = textwrap.wrap(value, width=_WRAP - len(pad), break_long_words=False, break_on_hyphens=False)
    return " >-\n" + "\n".join(pad + line for line in lines)


def _flowable(items: list[Any]) -> bool:
    """True when every item can stand in a flow sequence as it is: no commas, brackets or quotes."""
    return all(not isinstance(i, dict | list) and not set(_scalar(i)) & set(',[]{}"#:') for i in items)


def _flow(items: list[Any]) -> str:
    return "[" + ", ".join(_scalar(i) for i in items) + "]"


def emit(data: dict[str, Any], indent: int = 0) -> str:
    """YAML for a mapping of scalars, flow-able lists and nested mappings (what records hold)."""
    out: list[str] = []
    pad = " " * indent
    for key, value in data.items():
        if isinstance(value, dict):
            if value and all(not isinstance(v, dict | list) for v in value.values()) and key == "reps":
                out.append(f"{pad}{key}: {{" + ", ".join(f"{k}: {_scalar(v)}" for k, v in value.items()) + "}")
            elif value:
                out.append(f"{pad}{key}:\n{emit(value, indent + 2)}")
            else:
                out.append(f"{pad}{key}: {{}}")
        elif isinstance(value, list):
            flow = _flow(value)
            too_long = indent + len(key) + 2 + len(flow) > _WRAP
            if value and (key in _BLOCK_LISTS or too_long or not _flowable(value)):
                out.append(f"{pad}{key}:")
                out.extend(f"{pad}-{_text(i, indent, 0)}" for i in value)
            else:
                out.append(f"{pad}{key}: {flow}")
        elif isinstance(value, str):
            out.append(f"{pad}{key}:{_text(value, indent, len(key) + 2)}")
        else:
            out.append(f"{pad}{key}: {_scalar(value)}")
    return "\n".join(out)


# --- variation --------------------------------------------------------------------------------------

NAME_PREFIXES = [
    "Tempo",
    "Paused",
    "Slow",
    "Supported",
    "Controlled",
    "Wide-stance",
    "Narrow-stance",
    "Elevated",
    "Progressive",
    "Assisted",
]
SUBSTITUTIONS = [
    ("Keep your", "Hold your"),
    ("Slowly", "Gradually"),
    ("engage", "brace"),
    ("throughout", "the whole time"),
    ("with control", "in a controlled way"),
    ("as high as you can", "as far as is comfortable"),
    ("Hold the position", "Stay in the position"),
    ("small circles", "small, even circles"),
    ("take a step", "step"),
    ("the ground", "the floor"),
]
CUES = [
    "Breathe out as you lift and breathe in as you lower.",
    "Pause for a count of two at the top of the movement.",
    "Keep your knees in line with your toes.",
    "Stop if you feel sharp pain, and ask a physiotherapist before you continue.",
    "Move at a steady pace rather than using momentum.",
    "Keep your ribs down and your neck long.",
    "Let your breathing stay relaxed and even.",
    "Keep your weight spread evenly across both feet.",
]
SAFETY_CUES = [
    "Stop if you feel sharp or shooting pain.",
    "Warm up for a few minutes before the first set.",
    "Start with a lighter load or fewer reps until the movement feels familiar.",
    "Rest between sets for as long as you need to keep good form.",
]
SUMMARY_TAILS = [
    " A good choice for runners.",
    " Useful after long periods of sitting.",
    " Suitable as part of a warm-up.",
    " Works well at the end of a training session.",
    "",
    "",
]
# Ids no muscle record has (informal names such as "glutes" are aliases now: they get muscle-name-as-id).
WRONG_MUSCLES = ["core", "hip-muscles", "posterior-chain", "upper-body", "leg-muscles"]
WRONG_REFERENCES = ["babu2021", "niemuth2004", "ikezoe2020", "pelvic-stabilization"]
WRONG_CITATIONS = ["@babu2021", "@niemuth2004", "@ikezoe2020"]


@dataclass(frozen=True)
class Defect:
    """A defect to seed: `apply` breaks the record in place and returns the codes hipcheck must report."""

    name: str
    apply: Callable[[dict[str, Any], random.Random], list[str]]


LOADED = frozenset({"barbell", "dumbbell", "kettlebell", "ez-bar"})  # hipcheck's LOADED_EQUIPMENT


def _no_dosage(record: dict[str, Any], rng: random.Random) -> list[str]:
    record.pop("dosage", None)
    codes = ["HC203"]  # no dosage: HC204 leaves the missing per_side to it
    return [*codes, "HC810"] if LOADED.intersection(record["equipment"]) else codes  # and no intensity


def _unknown_muscle(record: dict[str, Any], rng: random.Random) -> list[str]:
    record["muscles"]["primary"] = [rng.choice(WRONG_MUSCLES)]
    return ["HC401"]


def _unknown_reference(record: dict[str, Any], rng: random.Random) -> list[str]:
    record["references"] = [rng.choice(WRONG_REFERENCES)]
    return ["HC402"]


def _one_step(record: dict[str, Any], rng: random.Random) -> list[str]:
    record["steps"] = record["steps"][:1]
    return ["HC201"]


def _no_safety(record: dict[str, Any], rng: random.Random) -> list[str]:
    record["level"] = "intermediate"
    record["safety"] = []
    return ["HC206"]


def _no_starting_position(record: dict[str, Any], rng: random.Random) -> list[str]:
    record.pop("starting_position", None)
    return ["HC202"]


EXERCISE_DEFECTS = [
    Defect("missing dosage", _no_dosage),
    Defect("unknown muscle id", _unknown_muscle),
    Defect("unknown reference id", _unknown_reference),
    Defect("only one step", _one_step),
    Defect("no safety notes", _no_safety),
    Defect("no starting position", _no_starting_position),
]


def _reword(text: str, rng: random.Random) -> str:
    for old, new in SUBSTITUTIONS:
        if old in text and rng.random() < 0.5:
            text = text.replace(old, new, 1)
    return text


def _dosage(base: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    dosage: dict[str, Any] = {"sets": rng.randint(1, 4)}
    if "hold_seconds" in base or rng.random() < 0.15:
        low = rng.randint(3, 10)
        dosage["reps"] = {"min": low, "max": low + rng.randint(2, 5)}
        dosage["hold_seconds"] = rng.choice([3, 5, 10, 15, 20, 30])
    elif rng.random() < 0.5:
        low = rng.randint(5, 12)
        dosage["reps"] = {"min": low, "max": low + rng.randint(2, 4)}
    else:
        dosage["reps"] = rng.randint(5, 20)
    if rng.random() < 0.6:
        dosage["rest_seconds"] = rng.choice([30, 45, 60, 90, 120])
    if "per_side" in base:
        dosage["per_side"] = base["per_side"]
    return dosage


def make_exercise(
    base: dict[str, Any], n: int, muscles: list[str], references: list[str], rng: random.Random
) -> dict[str, Any]:
    steps = [_reword(s, rng) for s in base["steps"]]
    for _ in range(rng.choice([0, 1, 1, 2])):
        steps.insert(rng.randint(1, len(steps)), rng.choice(CUES))
    safety = list(base.get("safety") or [])
    if rng.random() < 0.5:
        safety.append(rng.choice(SAFETY_CUES))
    # The base exercise's own muscles: random ones would contradict its stated joint actions.
    primary = list(base["muscles"]["primary"])
    secondary = [m for m in base["muscles"].get("secondary", []) if m not in primary]
    record: dict[str, Any] = {
        "id": f"{base['id']}-{n}",
        "name": f"{rng.choice(NAME_PREFIXES)} {base['name'][0].lower()}{base['name'][1:]} {n}",
        "summary": _reword(base["summary"], rng) + rng.choice(SUMMARY_TAILS),
        "level": base["level"],
        "equipment": list(base["equipment"]),
        "unilateral": base["unilateral"],
        "actions": list(base["actions"]),
        "starting_position": _reword(base["starting_position"], rng),
        "steps": steps,
        "muscles": {"primary": primary, "secondary": secondary},
        "dosage": _dosage(base.get("dosage") or {}, rng),
        "safety": safety,
        "references": sorted(rng.sample(references, rng.choice([0, 1, 1, 2]))),
    }
    if LOADED.intersection(record["equipment"]):  # a loaded exercise states its intensity (HC810)
        record["dosage"]["intensity"] = {"rpe": 7}
    return record


def _split_front_matter(text: str) -> tuple[dict[str, Any], str]:
    _, front, body = text.split("---\n", 2)
    return yaml.load(front, Loader=_Loader), body


def make_article(base: dict[str, Any], n: int, exercise_ids: list[str], rng: random.Random) -> dict[str, Any]:
    """Front matter for article `<slug>-<n>`: earlier dates, and 3 to 6 generated exercises."""
    front = dict(base)
    published = base["published"] - dt.timedelta(days=rng.randint(30, 700))
    updated = published + dt.timedelta(days=rng.randint(0, 20))
    front["title"] = f"{base['title']} (part {n})"
    front["slug"] = f"{base['slug']}-{n}"
    front["published"] = published
    front["updated"] = updated
    front["last_reviewed"] = updated + dt.timedelta(days=rng.randint(0, 10))
    front["exercises"] = rng.sample(exercise_ids, min(len(exercise_ids), rng.randint(3, 6)))
    return front


# --- the corpus --------------------------------------------------------------------------------------


def _load_folder(folder: Path) -> list[dict[str, Any]]:
    return [yaml.load(p.read_text("utf-8"), Loader=_Loader) for p in sorted(folder.glob("*.yaml"))]


def generate(
    out: Path,
    exercises: int,
    articles: int | None = None,
    seed: int = 0,
    defect_share: float = 0.02,
    source: Path = DEFAULT_SOURCE,
) -> dict[str, Any]:
    """Write the content root; return the manifest (also written to OUT/benchmark-manifest.json)."""
    rng = random.Random(seed)
    articles = max(1, exercises // 50) if articles is None else articles
    out.mkdir(parents=True, exist_ok=True)
    for folder in ("muscles", "references"):
        shutil.copytree(source / folder, out / folder, dirs_exist_ok=True)
    muscles = sorted(m["id"] for m in _load_folder(source / "muscles"))
    references = sorted(r["id"] for r in _load_folder(source / "references"))
    bases = _load_folder(source / "exercises")
    base_articles = [_split_front_matter(p.read_text("utf-8")) for p in sorted((source / "articles").glob("*.md"))]
    defects: list[dict[str, str]] = []

    exercise_dir = out / "exercises"
    exercise_dir.mkdir(exist_ok=True)
    broken = set(rng.sample(range(exercises), round(exercises * defect_share)))
    broken_done: list[int] = []
    ids: list[str] = []
    total_bytes = 0
    for i in range(exercises):
        record = make_exercise(bases[i % len(bases)], i // len(bases) + 1, muscles, references, rng)
        if i in broken:
            defect = EXERCISE_DEFECTS[len(broken_done) % len(EXERCISE_DEFECTS)]
            broken_done.append(i)
            path = f"exercises/{record['id']}.yaml"
            defects.extend({"path": path, "code": code} for code in defect.apply(record, rng))
        ids.append(record["id"])
        data = (emit(record) + "\n").encode("utf-8")
        total_bytes += len(data)
        (exercise_dir / f"{record['id']}.yaml").write_bytes(data)

    article_dir = out / "articles"
    article_dir.mkdir(exist_ok=True)
    broken_articles = set(rng.sample(range(articles), round(articles * defect_share)))
    seeded_articles = 0
    for i in range(articles):
        base, body = base_articles[i % len(base_articles)]
        front = make_article(base, i // len(base_articles) + 1, ids, rng)
        if i in broken_articles:
            path = f"articles/{front['slug']}.md"
            seeded_articles += 1
            if seeded_articles % 2 == 1 or "[@" not in body:
                front["exercises"] = [*front["exercises"], f"{rng.choice(ids)}-draft"]
                defects.append({"path": path, "code": "HC403"})
            else:
                body = body.replace("[@", f"[{rng.choice(WRONG_CITATIONS)}; @", 1)
                defects.append({"path": path, "code": "HC404"})
        (article_dir / f"{front['slug']}.md").write_bytes(f"---\n{emit(front)}\n---\n{body}".encode())

    manifest: dict[str, Any] = {
        "seed": seed,
        "exercises": exercises,
        "articles": articles,
        "muscles": len(muscles),
        "references": len(references),
        "exercise_bytes": total_bytes,
        "defects": sorted(defects, key=lambda d: (d["path"], d["code"])),
    }
    (out / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n", "utf-8")
    return manifest


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path, help="the content root to write (created; existing files are overwritten)")
    parser.add_argument("--exercises", type=int, default=10_000, help="number of exercise files (default 10000)")
    parser.add_argument("--articles", type=int, help="number of articles (default: exercises / 50, at least 1)")
    parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    parser.add_argument("--defect-share", type=float, default=0.02, help="share of records with a defect (0.02)")
    parser.add_argument("--source", type=Path, default=DEFAULT_SOURCE, help="content to derive from (content/)")
    args = parser.parse_args(argv)
    if args.exercises < 1 or (args.articles is not None and args.articles < 0):
        parser.error("--exercises must be at least 1 and --articles at least 0")
    started = time.perf_counter()
    manifest = generate(args.out, args.exercises, args.articles, args.seed, args.defect_share, args.source)
    seconds = time.perf_counter() - started
    print(
        f"{args.out}: {manifest['exercises']} exercises ({manifest['exercise_bytes'] / 1e6:.1f} MB, "
        f"{manifest['exercise_bytes'] / manifest['exercises']:.0f} B each), {manifest['articles']} articles, "
        f"{manifest['muscles']} muscles, {manifest['references']} references, "
        f"{len(manifest['defects'])} seeded defects; {seconds:.1f} s",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
