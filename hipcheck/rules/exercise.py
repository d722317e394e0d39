"""Exercise completeness: what a reader needs to do an exercise safely and at the right dose."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from hipcheck.context import Context
from hipcheck.diagnostics import Finding, Severity
from hipcheck.loader.records import Record
from hipcheck.rules.registry import record_check, rule

EXERCISE = ("exercise",)
LOADED_EQUIPMENT = frozenset({"barbell", "dumbbell", "kettlebell", "ez-bar"})

TOO_FEW_STEPS = rule(
    "HC201",
    "exercise-too-few-steps",
    Severity.ERROR,
    """
    An exercise has fewer than two steps.

    ## What it does
    Counts the non-empty entries of `steps` and reports an exercise with fewer than two.
    (An entry of the wrong type still counts as a step here; `yaml-implicit-type` or
    `schema-violation` reports its type.)

    ## Why it matters
    One sentence is not instructions: readers need the setup, the movement, and the return, or
    they improvise and get hurt.

    ## Example
    ```yaml
    steps:
      - Do hip circles.
    ```

    ## Fix
    Write the movement as at least two steps, one action each.
    """,
    kinds=EXERCISE,
)

NO_STARTING_POSITION = rule(
    "HC202",
    "exercise-missing-starting-position",
    Severity.WARNING,
    """
    An exercise does not say where to start.

    ## What it does
    Reports an exercise with no `starting_position`, or an empty one.

    ## Why it matters
    Most technique faults begin before the first repetition: the stance, the grip, the spine.

    ## Example
    ```yaml
    name: Hip circles
    steps: [...]
    ```

    ## Fix
    Add `starting_position: Stand on your left leg, right leg extended; hold a wall if needed.`
    """,
    kinds=EXERCISE,
)

NO_DOSAGE = rule(
    "HC203",
    "exercise-missing-dosage",
    Severity.ERROR,
    """
    An exercise does not say how much to do.

    ## What it does
    Requires a `dosage` with `sets` and at least one of `reps`, `hold_seconds` or
    `duration_seconds`.

    ## Why it matters
    Without a dose, readers either do too little to benefit or too much too soon; health
    publishers are expected to state one.

    ## Example
    ```yaml
    name: Banded walks
    steps: [...]
    ```

    ## Fix
    ```yaml
    dosage:
      sets: 2
      reps: 10
      per_side: true
    ```
    """,
    kinds=EXERCISE,
)

NO_PER_SIDE = rule(
    "HC204",
    "exercise-missing-per-side",
    Severity.WARNING,
    """
    A one-sided exercise does not say whether its dose is per side.

    ## What it does
    Treats an exercise as one-sided when `unilateral: true`, or when its text says so ("each
    side", "switch legs", "on your right side"), and then requires `dosage.per_side`. An explicit
    `unilateral: false` turns the text heuristic off. An exercise with no dosage at all is left to
    `exercise-missing-dosage` (HC203).

    ## Why it matters
    "10 reps" of a one-legged exercise means 10 in total to one reader and 20 to another.

    ## Example
    ```yaml
    steps:
      - Lie on your right side and lift the top leg.
      - Repeat, then switch sides.
    dosage: {sets: 2, reps: 10}
    ```

    ## Fix
    Add `per_side: true` (or `false`) to `dosage`.
    """,
    kinds=EXERCISE,
)

NO_PRIMARY_MUSCLE = rule(
    "HC205",
    "exercise-missing-primary-muscle",
    Severity.ERROR,
    """
    An exercise names no primary muscle.

    ## What it does
    Requires at least one id in `muscles.primary`.

    ## Why it matters
    Readers choose exercises by what they train, and the site's muscle pages list exercises by
    their primary muscles; an exercise with none is invisible there.

    ## Example
    ```yaml
    muscles:
      secondary: [hamstrings]
    ```

    ## Fix
    Add the muscles that drive the movement: `primary: [gluteus-maximus]`.
    """,
    kinds=EXERCISE,
)

NO_SAFETY = rule(
    "HC206",
    "exercise-missing-safety",
    Severity.ERROR,
    """
    A loaded or non-beginner exercise has no safety notes.

    ## What it does
    Requires a non-empty `safety` list when the equipment includes a barbell, dumbbell or
    kettlebell, or when the exercise is not marked `level: beginner`.

    ## Why it matters
    External load and advanced technique are where readers get injured; a publisher is expected
    to say what to watch for.

    ## Example
    ```yaml
    name: Deadlifts
    equipment: [barbell]
    ```

    ## Fix
    ```yaml
    safety:
      - Keep a neutral spine; stop the set if your back rounds.
      - Keep the bar close to your body throughout the lift.
    ```
    """,
    kinds=EXERCISE,
)

_ONE_SIDED = re.compile(
    r"\b(?:each|per|the other|opposite) (?:side|leg|arm|foot|hip)s?\b"
    r"|\bswitch(?:ing)? (?:sides|legs|arms|feet)\b|\bswitch sides\b|\bon (?:your|the) (?:left|right) (?:side|leg)\b"
    r"|\bstand on (?:your|one) (?:left|right|one)? ?leg\b|\bsingle[- ](?:leg|arm)\b|\bone[- ](?:legged|armed)\b",
    re.I,
)


def _mapping(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _texts(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value] if value.strip() else []
    if isinstance(value, list):
        return [v for v in value if isinstance(v, str) and v.strip()]
    return []


def _present(value: Any) -> bool:
    return value is not None and value != "" and value != [] and value != {}


@record_check(TOO_FEW_STEPS)
def check_steps(record: Record, ctx: Context) -> Iterator[Finding]:
    raw = record.data.get("steps")
    steps = (
        [s for s in raw if _present(s) and not (isinstance(s, str) and not s.strip())] if isinstance(raw, list) else []
    )
    if len(steps) < 2:
        count = "no steps" if not steps else "only one step"
        yield Finding(f"exercise has {count}; write at least two", record.span(("steps",)))


@record_check(NO_STARTING_POSITION)
def check_starting_position(record: Record, ctx: Context) -> Iterator[Finding]:
    if not _texts(record.data.get("starting_position")):
        yield Finding("exercise has no starting_position", record.span(("starting_position",)))


@record_check(NO_DOSAGE)
def check_dosage(record: Record, ctx: Context) -> Iterator[Finding]:
    dosage = _mapping(record.data.get("dosage"))
    if not dosage:
        yield Finding(
            "exercise has no dosage: give sets and reps, hold_seconds or duration_seconds",
            record.span(("dosage",)),
        )
        return
    if not any(_present(dosage.get(k)) for k in ("reps", "hold_seconds", "duration_seconds")):
        yield Finding("dosage gives no reps, hold_seconds or duration_seconds", record.key_span(("dosage",)))
    if not _present(dosage.get("sets")):
        yield Finding("dosage gives no sets", record.key_span(("dosage",)))


@record_check(NO_PER_SIDE)
def check_per_side(record: Record, ctx: Context) -> Iterator[Finding]:
    data = record.data
    if data.get("unilateral") is False:
        return
    dosage = _mapping(data.get("dosage"))
    # No dose at all is HC203's finding; whether it is per side is part of writing that dose.
    if not dosage or dosage.get("per_side") is not None:
        return
    if data.get("unilateral") is True:
        reason = "unilateral: true"
    else:
        text = " ".join([*_texts(data.get("name")), *_texts(data.get("starting_position")), *_texts(data.get("steps"))])
        match = _ONE_SIDED.search(text)
        if match is None:
            return
        reason = f"its text says '{match.group(0)}'"
    yield Finding(f"one-sided exercise ({reason}) but dosage does not say per_side", record.key_span(("dosage",)))


@record_check(NO_PRIMARY_MUSCLE)
def check_primary_muscle(record: Record, ctx: Context) -> Iterator[Finding]:
    muscles = _mapping(record.data.get("muscles"))
    if not _texts(muscles.get("primary")):
        path = ("muscles", "primary") if "primary" in muscles else ("muscles",)
        yield Finding("exercise names no primary muscle", record.span(path))


@record_check(NO_SAFETY)
def check_safety(record: Record, ctx: Context) -> Iterator[Finding]:
    if _texts(record.data.get("safety")):
        return
    equipment = record.data.get("equipment")
    loaded = sorted(LOADED_EQUIPMENT.intersection(equipment if isinstance(equipment, list) else []))
    level = record.data.get("level")
    if loaded:
        reason = f"it is loaded ({', '.join(loaded)})"
    elif level is None:
        reason = "it is not marked level: beginner"
    elif level != "beginner":
        reason = f"it is level: {level}"
    else:
        return
    yield Finding(f"exercise has no safety notes, and {reason}", record.span(("safety",)))
