"""A dose that can be followed: intensity for loaded exercises, and no dosage that contradicts itself."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from hipcheck.context import Context
from hipcheck.diagnostics import Finding, Severity
from hipcheck.loader.records import Record
from hipcheck.rules.exercise import LOADED_EQUIPMENT
from hipcheck.rules.registry import record_check, rule

EXERCISE = ("exercise",)

LOADED_WITHOUT_INTENSITY = rule(
    "HC810",
    "loaded-exercise-missing-intensity",
    Severity.WARNING,
    """
    A loaded exercise does not say how heavy.

    ## What it does
    Reports an exercise whose `equipment` includes a barbell, dumbbell, kettlebell or EZ bar (the
    loads `exercise-missing-safety` also counts) and whose `dosage` has no `intensity`: an RPE, a
    percentage of the one-repetition maximum, a load, a heart-rate zone or a described level.
    Applies under every `prescription-profile`.

    ## Why it matters
    "Eight deadlifts" with an empty bar and with a near-maximal load are different exercises; the
    load is where readers get hurt.

    ## Example
    ```yaml
    equipment: [barbell]
    dosage: {sets: 3, reps: 8}
    ```

    ## Fix
    ```yaml
    dosage:
      sets: 3
      reps: 8
      intensity: {described: A weight you could lift two or three more times with good form.}
    ```
    """,
    kinds=EXERCISE,
)

REPS_AND_DURATION = rule(
    "HC811",
    "dosage-reps-and-duration",
    Severity.ERROR,
    """
    A dose gives both repetitions and a duration.

    ## What it does
    Reports a `dosage` with both `reps` and `duration_seconds`. (`hold_seconds` with `reps` is a
    hold in each repetition, and is fine.)

    ## Why it matters
    "10 reps, 30 seconds" leaves the reader to guess which one ends the set: ten repetitions, or as
    many as fit in thirty seconds.

    ## Example
    ```yaml
    dosage: {sets: 2, reps: 10, duration_seconds: 30}
    ```

    ## Fix
    Keep the one that ends the set; for a hold in each repetition use `hold_seconds`.
    """,
    kinds=EXERCISE,
)

PER_SIDE_ON_BILATERAL = rule(
    "HC812",
    "per-side-on-bilateral",
    Severity.WARNING,
    """
    A two-sided exercise's dose is given per side.

    ## What it does
    Reports `dosage.per_side: true` on an exercise marked `unilateral: false` whose name, starting
    position and steps say nothing about sides or directions (each side, sideways, left, right,
    both directions, ...): a lateral walk counted per direction is not reported.

    ## Why it matters
    An exercise that works both sides at once has no "per side"; one of the two fields is wrong, and
    readers double or halve the dose depending on which they believe.

    ## Example
    ```yaml
    name: Hip bridges
    unilateral: false
    dosage: {sets: 2, reps: 10, per_side: true}
    ```

    ## Fix
    Remove `per_side` (or set it to false), or mark the exercise `unilateral: true` if it is done one
    side at a time.
    """,
    kinds=EXERCISE,
)

# Words that give a two-sided exercise sides to count: directions of travel, or a side named.
_SIDES = re.compile(
    r"\b(?:each|per|either|both|the other|opposite) (?:side|direction|leg|arm|foot|hip)s?\b"
    r"|\bsideways\b|\bside[- ]to[- ]side\b|\bto the (?:left|right|side)\b|\blateral(?:ly)?\b"
    r"|\b(?:left|right)\b|\bswitch(?:ing)? (?:sides|legs|arms|feet|directions?)\b|\balternat\w*",
    re.I,
)


def _mapping(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _present(value: Any) -> bool:
    if isinstance(value, str):
        return bool(value.strip())
    return value is not None and value != [] and value != {}


def _texts(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [v for v in value if isinstance(v, str)]
    return []


@record_check(LOADED_WITHOUT_INTENSITY)
def check_intensity(record: Record, ctx: Context) -> Iterator[Finding]:
    equipment = record.data.get("equipment")
    loaded = (
        sorted(LOADED_EQUIPMENT.intersection(e for e in equipment if isinstance(e, str)))
        if isinstance(equipment, list)
        else []
    )
    if not loaded:
        return
    dosage = _mapping(record.data.get("dosage"))
    if _present(dosage.get("intensity")):
        return
    where = record.key_span(("dosage",)) if "dosage" in record.data else record.span(("dosage",))
    yield Finding(f"loaded exercise ({', '.join(loaded)}) with no dosage.intensity", where)


@record_check(REPS_AND_DURATION)
def check_reps_and_duration(record: Record, ctx: Context) -> Iterator[Finding]:
    dosage = _mapping(record.data.get("dosage"))
    if _present(dosage.get("reps")) and _present(dosage.get("duration_seconds")):
        yield Finding(
            "dosage gives both reps and duration_seconds: say which one ends the set",
            record.key_span(("dosage", "duration_seconds")),
        )


@record_check(PER_SIDE_ON_BILATERAL)
def check_per_side(record: Record, ctx: Context) -> Iterator[Finding]:
    data = record.data
    dosage = _mapping(data.get("dosage"))
    if data.get("unilateral") is not False or dosage.get("per_side") is not True:
        return
    text = " ".join([*_texts(data.get("name")), *_texts(data.get("starting_position")), *_texts(data.get("steps"))])
    if _SIDES.search(text):
        return  # sides or directions to count (a lateral walk, alternating legs)
    yield Finding(
        "dosage is per_side but the exercise is unilateral: false and its text names no sides or directions",
        record.key_span(("dosage", "per_side")),
    )
