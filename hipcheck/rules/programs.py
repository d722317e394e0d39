"""Programmes (`programs/<id>.yaml`): every exercise exists, and each dose agrees with the exercise's own."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from hipcheck.context import Context
from hipcheck.diagnostics import Finding, Severity
from hipcheck.index import ContentIndex
from hipcheck.loader.records import Record
from hipcheck.rules.registry import index_check, rule
from hipcheck.suggest import closest

PROGRAM = ("program",)
UNITS = ("reps", "hold_seconds", "duration_seconds")

UNKNOWN_PROGRAM_EXERCISE = rule(
    "HC820",
    "program-unknown-exercise",
    Severity.ERROR,
    """
    A programme's session lists an exercise id with no exercise record.

    ## What it does
    Checks the `exercise` of every entry in every session's `exercises` against the records in
    `exercises/`, and suggests the closest id.

    ## Why it matters
    A session is built from its exercises' pages; a wrong id is a hole in the reader's workout.

    ## Example
    ```yaml
    sessions:
      - day: monday
        exercises:
          - exercise: glute-bridges
    ```

    ## Fix
    Use the exercise's id (`hip-bridges`), or add the exercise.
    """,
    kinds=PROGRAM,
)

PER_SIDE_MISMATCH = rule(
    "HC821",
    "program-per-side-mismatch",
    Severity.ERROR,
    """
    A programme doses an exercise per side where the exercise itself says otherwise.

    ## What it does
    Compares an entry's `per_side` with the exercise record's `dosage.per_side`, when both are given.

    ## Why it matters
    The exercise page says "10 reps per side" and the programme "10 reps" (or the reverse): the reader
    does twice or half the work the programme means.

    ## Example
    ```yaml
    # exercises/side-lying-abductions.yaml: dosage: {sets: 1, reps: 10, per_side: true}
    exercises:
      - {exercise: side-lying-abductions, sets: 2, reps: 12, per_side: false}
    ```

    ## Fix
    Give the same `per_side` as the exercise (or remove it from the entry to inherit it).
    """,
    kinds=PROGRAM,
)

DOSE_UNIT_MISMATCH = rule(
    "HC822",
    "program-dose-unit-mismatch",
    Severity.ERROR,
    """
    A programme doses an exercise in a unit the exercise does not use.

    ## What it does
    Compares the units an entry overrides (`reps`, `hold_seconds`, `duration_seconds`) with the
    units of the exercise record's own dosage, and reports an entry that shares none of them: a
    timed exercise given repetitions, or a repetition exercise given a duration.

    ## Why it matters
    "Plank: 12 reps" or "Hip bridges: 45 seconds" cannot be followed as the exercise page describes
    the movement.

    ## Example
    ```yaml
    # exercises/side-plank.yaml: dosage: {sets: 2, duration_seconds: 30}
    exercises:
      - {exercise: side-plank, reps: 10}
    ```

    ## Fix
    Dose it in the exercise's unit (`duration_seconds: 30`), or change the exercise record.
    """,
    kinds=PROGRAM,
)


def _entries(record: Record) -> Iterator[tuple[tuple[Any, ...], dict[str, Any]]]:
    """(path, entry) of every exercise entry of every session."""
    sessions = record.data.get("sessions") if record.loaded else None
    if not isinstance(sessions, list):
        return
    for i, session in enumerate(sessions):
        exercises = session.get("exercises") if isinstance(session, dict) else None
        if not isinstance(exercises, list):
            continue
        for j, entry in enumerate(exercises):
            if isinstance(entry, dict):
                yield ("sessions", i, "exercises", j), entry


def _dosage(exercise: Record) -> dict[str, Any]:
    dosage = exercise.data.get("dosage") if exercise.loaded else None
    return dosage if isinstance(dosage, dict) else {}


def _given(mapping: dict[str, Any], key: str) -> bool:
    return key in mapping and mapping[key] is not None


@index_check(UNKNOWN_PROGRAM_EXERCISE)
def check_exercise_ids(index: ContentIndex, ctx: Context) -> Iterator[Finding]:
    for record in index.of_kind("program"):
        for path, entry in _entries(record):
            value = entry.get("exercise")
            if not isinstance(value, str) or index.has("exercise", value):
                continue
            hint = closest(value, index.ids("exercise"), unique=True)
            message = f"unknown exercise id '{value}'" + (f"; did you mean '{hint}'?" if hint else "")
            yield Finding(message, record.span((*path, "exercise")), path=record.path, related=(f"exercise:{value}",))


@index_check(PER_SIDE_MISMATCH)
def check_per_side(index: ContentIndex, ctx: Context) -> Iterator[Finding]:
    for record in index.of_kind("program"):
        for path, entry in _entries(record):
            value = entry.get("exercise")
            exercise = index.get("exercise", value) if isinstance(value, str) else None
            if exercise is None or not isinstance(entry.get("per_side"), bool):
                continue
            own = _dosage(exercise).get("per_side")
            if isinstance(own, bool) and own != entry["per_side"]:
                yield Finding(
                    f"per_side: {str(entry['per_side']).lower()} here, but exercise '{value}' is dosed with "
                    f"per_side: {str(own).lower()}",
                    record.span((*path, "per_side")),
                    path=record.path,
                    related=(f"exercise:{value}",),
                )


@index_check(DOSE_UNIT_MISMATCH)
def check_units(index: ContentIndex, ctx: Context) -> Iterator[Finding]:
    for record in index.of_kind("program"):
        for path, entry in _entries(record):
            value = entry.get("exercise")
            exercise = index.get("exercise", value) if isinstance(value, str) else None
            if exercise is None:
                continue
            own = [unit for unit in UNITS if _given(_dosage(exercise), unit)]
            given = [unit for unit in UNITS if _given(entry, unit)]
            if own and given and not set(own) & set(given):
                yield Finding(
                    f"dosed by {', '.join(given)} here, but exercise '{value}' is dosed by {', '.join(own)}",
                    record.key_span((*path, given[0])),
                    path=record.path,
                    related=(f"exercise:{value}",),
                )
