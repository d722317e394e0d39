"""free-exercise-db (tests/data/free-exercise-db/exercises.json, 873 real exercises) through the real engine.

The records are converted into hipcheck exercises (hipcheck.exercise_import), with content/'s muscle
records plus the coarse mapping as their vocabulary, written into a scratch content root and checked.
Pinned: nothing crashes, every coarse muscle name resolves, and the corpus's real defects are found:
records with no (or one) instruction, a muscle listed as primary and secondary, and a primary muscle
that cannot produce the movement the exercise's name states ("Cable Hip Adduction": quadriceps).
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import yaml

import hipcheck.rules.prose  # noqa: F401  (registers HC601-HC612 until hipcheck.rules imports them)
from hipcheck.engine import RunResult, check_paths
from hipcheck.exercise_import import COARSE_MUSCLES, Converted, convert, derive_actions, files
from hipcheck.muscle_vocabulary import Vocabulary

from helpers import REPO, TODAY, write_tree

DATA = REPO / "tests/data/free-exercise-db/exercises.json"  # source and licence: tests/data/SOURCES.md
SELECT = ["HC1", "HC201", "HC205", "HC401", "HC6"]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> tuple[list[dict[str, Any]], Converted, RunResult]:
    raw = json.loads(DATA.read_text("utf-8"))
    muscles = [yaml.safe_load(p.read_text("utf-8")) for p in sorted((REPO / "content" / "muscles").glob("*.yaml"))]
    converted = convert(raw, muscles)
    root = tmp_path_factory.mktemp("free-exercise-db") / "content"
    write_tree(root, files(converted))
    result = check_paths([str(root)], cwd=root, today=TODAY, select=SELECT)
    return raw, converted, result


def _by_name(corpus: tuple[list[dict[str, Any]], Converted, RunResult], name: str) -> tuple[str, list[Any]]:
    raw, converted, result = corpus
    [source] = [r for r in raw if r["name"] == name]
    [exercise_id] = [i for i, s in converted.source_ids.items() if s == source["id"]]
    return exercise_id, [d for d in result.diagnostics if d.path == f"exercises/{exercise_id}.yaml"]


def test_every_record_converts_and_every_coarse_name_resolves(corpus: Any) -> None:
    raw, converted, result = corpus
    assert len(raw) == len(converted.exercises) == 873
    used = {m for r in raw for m in r["primaryMuscles"] + r["secondaryMuscles"]}
    assert used == set(COARSE_MUSCLES)
    assert converted.unresolved == {}
    vocabulary = Vocabulary.from_data(converted.muscles)
    resolved = {name: vocabulary.lookup(name) for name in COARSE_MUSCLES}
    assert {n: t.id for n, t in resolved.items() if t is not None and not (t.id or "").startswith("coarse-")} == {
        "abductors": "hip-abductors",
        "adductors": "hip-adductors",
        "glutes": "gluteal-muscles",
        "hamstrings": "hamstrings",
        "quadriceps": "quadriceps",
    }
    coarse = [m for m in converted.muscles if m["id"].startswith("coarse-")]
    assert len(coarse) == 12 and all("ids" not in m and "members" not in m and "Coarse" in m["notes"] for m in coarse)
    assert len(result.checked) == 873 + 36 + 12


def test_no_internal_errors_and_no_schema_or_id_problems(corpus: Any) -> None:
    _, _, result = corpus
    assert result.internal_errors == []
    assert not [d for d in result.diagnostics if d.code.startswith("HC1") or d.code in ("HC205", "HC401", "HC601")]


def test_pinned_finding_counts(corpus: Any) -> None:
    _, _, result = corpus
    assert Counter(d.code for d in result.diagnostics) == Counter(
        {
            "HC201": 15,  # 5 records with no instructions, 10 with a single one
            "HC604": 9,  # a muscle both primary and secondary
            "HC606": 1,  # Cable Hip Adduction: quadriceps cannot adduct the hip
            # "quad(s)", "adductor(s)", "abductor(s)" in instructions. Issue #16: 13 fewer than before, all
            # "quadriceps", which is Uberon's exact synonym of quadriceps femoris (an accepted name, not informal).
            "HC607": 26,
            "HC609": 3,  # "quad" in the name, "quadriceps" in the instructions
        }
    )
    informal = Counter(d.message.split("'")[1].lower() for d in result.diagnostics if d.code == "HC607")
    assert informal == Counter({"quad": 11, "adductors": 7, "adductor": 4, "abductor": 2, "abductors": 1, "quads": 1})


def test_cable_hip_adduction_with_quadriceps_as_primary(corpus: Any) -> None:
    exercise_id, diagnostics = _by_name(corpus, "Cable Hip Adduction")
    assert [(d.code, d.message) for d in diagnostics] == [
        (
            "HC606",
            "primary muscle 'quadriceps' cannot produce hip-adduction: its actions are hip-flexion, knee-extension, "
            "and it is not recorded as crossing the hip",
        )
    ]
    converted = corpus[1]
    [record] = [e for e in converted.exercises if e["id"] == exercise_id]
    assert record["actions"] == ["hip-adduction"] and record["muscles"]["primary"] == ["quadriceps"]


def test_the_right_muscles_pass_the_movement_check(corpus: Any) -> None:
    for name in (
        "Band Hip Adductions",
        "Thigh Abductor",
        "Thigh Adductor",
        "Hip Extension with Bands",
        "Leg Extensions",
    ):
        _, diagnostics = _by_name(corpus, name)
        assert not [d for d in diagnostics if d.code == "HC606"], name


@pytest.mark.parametrize(
    ("name", "muscle"),
    [
        ("Barbell Step Ups", "quadriceps"),
        ("All Fours Quad Stretch", "quadriceps"),
        ("Kneeling Hip Flexor", "quadriceps"),
        ("Hurdle Hops", "hamstrings"),
        ("Bent-Arm Barbell Pullover", "coarse-lats"),
    ],
)
def test_primary_and_secondary(corpus: Any, name: str, muscle: str) -> None:
    _, diagnostics = _by_name(corpus, name)
    assert [d.message for d in diagnostics if d.code == "HC604"] == [
        f"'{muscle}' is listed as both a primary and a secondary muscle"
    ]


@pytest.mark.parametrize(
    "name", ["Iron Cross", "One-Arm Kettlebell Swings", "Push Press", "Side Bridge", "Side Jackknife"]
)
def test_records_with_no_instructions(corpus: Any, name: str) -> None:
    _, diagnostics = _by_name(corpus, name)
    assert [d.message for d in diagnostics if d.code == "HC201"] == ["exercise has no steps; write at least two"]


def test_actions_come_only_from_names_that_state_them() -> None:
    assert derive_actions("Cable Hip Adduction") == ["hip-adduction"]
    assert derive_actions("Band Hip Adductions") == ["hip-adduction"]
    assert derive_actions("Hip Flexion with Band") == ["hip-flexion"]
    assert derive_actions("Thigh Abductor") == ["hip-abduction"]
    assert derive_actions("Single-Leg Leg Extension") == ["knee-extension"]
    assert derive_actions("Seated Leg Curl") == ["knee-flexion"]
    assert derive_actions("Standing Hip Flexors") == []  # a stretch named after muscles, not a movement
    assert derive_actions("Kneeling Cable Triceps Extension") == []  # no joint named
    assert derive_actions("Barbell Deadlift") == []


def test_converted_records_are_plain_hipcheck_yaml(corpus: Any, tmp_path: Path) -> None:
    _, converted, _ = corpus
    [record] = [e for e in converted.exercises if e["name"] == "Cable Hip Adduction"]
    assert set(record) <= {"id", "name", "level", "equipment", "actions", "steps", "muscles"}
    assert record["equipment"] == ["cable"] and record["level"] in ("beginner", "intermediate", "advanced")
