"""free-exercise-db (tests/data/free-exercise-db/exercises.json, 873 real exercises) through the real engine.

`hipcheck import exercises --from free-exercise-db` writes every record into a scratch content root with
no `muscles/` folder, so the built-in whole-body vocabulary is in force, and the root is checked as it
stands. Pinned: nothing crashes, and the corpus's real defects are found, each one true of the source:
records with no (or one) instruction or no starting position in their opening instructions, a muscle
listed as primary and secondary, a primary muscle that cannot produce the movement the exercise's name
states ("Cable Hip Adduction": quadriceps), and records
whose every primary muscle is a name the importer does not map (a body region such as "chest", or
"abdominals"), which it leaves out of the record rather than write as a muscle.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import yaml

import hipcheck.rules.prose  # noqa: F401  (registers HC601-HC612 until hipcheck.rules imports them)
from hipcheck.cli import main
from hipcheck.engine import RunResult, check_paths
from hipcheck.exercise_import import derive_actions, map_muscle
from hipcheck.muscle_vocabulary import builtin_vocabulary
from hipcheck.muscles_command import vocabulary_in_force

from helpers import REPO, TODAY

DATA = REPO / "tests/data/free-exercise-db/exercises.json"  # source and licence: tests/data/SOURCES.md
SELECT = ["HC1", "HC201", "HC202", "HC205", "HC401", "HC6"]


class Corpus:
    def __init__(self, raw: list[dict[str, Any]], root: Path, result: RunResult) -> None:
        self.raw, self.root, self.result = raw, root, result
        records = [yaml.safe_load(p.read_text("utf-8")) for p in sorted((root / "exercises").glob("*.yaml"))]
        self.by_source = {r["source"]["id"]: r for r in records}
        self.records = records
        vocabulary = builtin_vocabulary()
        self.mapped = {
            n: map_muscle(n, vocabulary)[0] for r in raw for n in r["primaryMuscles"] + r["secondaryMuscles"]
        }

    def record(self, name: str) -> dict[str, Any]:
        [source] = [r for r in self.raw if r["name"] == name]
        return self.by_source[source["id"]]

    def findings(self, name: str, code: str) -> list[str]:
        path = f"exercises/{self.record(name)['id']}.yaml"
        return [d.message for d in self.result.diagnostics if d.path == path and d.code == code]

    def named(self, code: str) -> set[str]:
        """The source names of the records a code is reported on."""
        paths = {d.path for d in self.result.diagnostics if d.code == code}
        return {r["name"] for r in self.records if f"exercises/{r['id']}.yaml" in paths}


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Corpus:
    root = tmp_path_factory.mktemp("free-exercise-db") / "content"
    assert main(["import", "exercises", str(DATA), "--from", "free-exercise-db", "--to", str(root)]) == 0
    result = check_paths([str(root)], cwd=root, today=TODAY, select=SELECT)
    return Corpus(json.loads(DATA.read_text("utf-8")), root, result)


def test_every_record_is_imported_against_the_builtin_vocabulary(corpus: Corpus) -> None:
    assert len(corpus.raw) == len(corpus.records) == len(corpus.by_source) == 873
    assert "built-in" in vocabulary_in_force(corpus.root)[2] and not (corpus.root / "muscles").exists()
    assert len(corpus.result.checked) == 873  # the exercises only: the vocabulary is built in
    # What the importer writes as muscles is exactly what it mapped: the 10 names with one vocabulary record.
    written = {m for r in corpus.records for m in r["muscles"]["primary"] + r["muscles"]["secondary"]}
    assert written == {i for i in corpus.mapped.values() if i is not None}
    assert {n for n, i in corpus.mapped.items() if i is None} == {
        "abdominals",
        "chest",
        "forearms",
        "lower back",
        "middle back",
        "neck",
        "shoulders",
    }


def test_no_internal_errors_and_no_schema_or_id_problems(corpus: Corpus) -> None:
    assert corpus.result.internal_errors == []
    assert not [d for d in corpus.result.diagnostics if d.code.startswith("HC1") or d.code in ("HC401", "HC601")]


def test_pinned_finding_counts(corpus: Corpus) -> None:
    assert Counter(d.code for d in corpus.result.diagnostics) == Counter(
        {
            # 5 records with no instructions, 10 with a single one, and 35 whose opening instructions set up the
            # starting position (now `starting_position`) before their one remaining instruction
            "HC201": 50,
            "HC202": 340,  # 873 less the 533 whose opening instructions close with their starting position
            "HC205": 398,  # every primary muscle is an unmapped name, left out of the record
            "HC604": 7,  # a muscle both primary and secondary (9 in the source; 2 of them regions, not written)
            "HC606": 1,  # Cable Hip Adduction: quadriceps cannot adduct the hip
            # "quad(s)" in names and instructions: informal for quadriceps femoris. "adductor(s)" and
            # "abductor(s)" are not flagged: the built-in vocabulary gives them no informal alias.
            "HC607": 12,
            "HC609": 3,  # "quad" in the name, "quadriceps" in the instructions
        }
    )
    informal = Counter(d.message.split("'")[1].lower() for d in corpus.result.diagnostics if d.code == "HC607")
    assert informal == Counter({"quad": 11, "quads": 1})


def test_records_whose_primary_muscles_are_all_unmapped_name_none(corpus: Corpus) -> None:
    # The source names a primary muscle for every record; where each of them is a region ("chest",
    # "shoulders", ...) or "abdominals", the importer writes an empty primary list, and HC205 says so.
    unmapped = {r["name"] for r in corpus.raw if not any(corpus.mapped[n] for n in r["primaryMuscles"])}
    assert all(r["primaryMuscles"] for r in corpus.raw)
    assert corpus.named("HC205") == unmapped and len(unmapped) == 398
    assert corpus.record("Barbell Bench Press - Medium Grip")["muscles"] == {
        "primary": [],  # source: primary "chest"
        "secondary": ["triceps-brachii"],  # source: secondary "shoulders", "triceps"
    }
    assert corpus.findings("Barbell Bench Press - Medium Grip", "HC205") == ["exercise names no primary muscle"]


def test_cable_hip_adduction_with_quadriceps_as_primary(corpus: Corpus) -> None:
    # The quadriceps flexes the hip (rectus femoris) and extends the knee; it does not adduct the hip.
    # The message says nothing of which joints it crosses: through rectus femoris it crosses the hip.
    assert corpus.findings("Cable Hip Adduction", "HC606") == [
        "primary muscle 'quadriceps' cannot produce hip-adduction: its actions are hip-flexion, knee-extension"
    ]
    record = corpus.record("Cable Hip Adduction")
    assert record["actions"] == ["hip-adduction"] and record["muscles"]["primary"] == ["quadriceps"]
    # and HC202: its setup closes ("This will be your starting position.") in its fourth instruction, past the
    # three the importer reads for one, so it is left in the steps
    codes = sorted(d.code for d in corpus.result.diagnostics if d.path == f"exercises/{record['id']}.yaml")
    assert codes == ["HC202", "HC606"]


def test_the_right_muscles_pass_the_movement_check(corpus: Corpus) -> None:
    assert corpus.named("HC606") == {"Cable Hip Adduction"}
    for name in (
        "Band Hip Adductions",
        "Thigh Abductor",
        "Thigh Adductor",
        "Hip Extension with Bands",
        "Leg Extensions",
    ):
        assert corpus.record(name).get("actions"), name  # the name states a movement the check reads
        assert corpus.findings(name, "HC606") == [], name


@pytest.mark.parametrize(
    ("name", "muscle"),
    [
        ("All Fours Quad Stretch", "quadriceps"),
        ("Barbell Step Ups", "quadriceps"),
        ("Bent-Arm Barbell Pullover", "latissimus-dorsi"),  # source: "lats" in both lists
        ("Hurdle Hops", "hamstrings"),
        ("Kneeling Hip Flexor", "quadriceps"),
        ("Snatch Deadlift", "hamstrings"),
        ("Split Snatch", "hamstrings"),
    ],
)
def test_primary_and_secondary(corpus: Corpus, name: str, muscle: str) -> None:
    [source] = [r for r in corpus.raw if r["name"] == name]
    assert set(source["primaryMuscles"]) & set(source["secondaryMuscles"])  # the source lists it twice
    assert corpus.findings(name, "HC604") == [f"'{muscle}' is listed as both a primary and a secondary muscle"]


def test_a_region_listed_twice_is_not_written_and_not_reported(corpus: Corpus) -> None:
    # "Clean and Press" lists "shoulders", "Upper Back Stretch" "middle back", as primary and secondary:
    # regions, which the importer does not write as muscles, so there is nothing listed twice.
    both = {r["name"] for r in corpus.raw if set(r["primaryMuscles"]) & set(r["secondaryMuscles"])}
    assert both - corpus.named("HC604") == {"Clean and Press", "Upper Back Stretch"}
    assert "shoulders" not in str(corpus.record("Clean and Press")["muscles"])


@pytest.mark.parametrize(
    "name", ["Iron Cross", "One-Arm Kettlebell Swings", "Push Press", "Side Bridge", "Side Jackknife"]
)
def test_records_with_no_instructions(corpus: Corpus, name: str) -> None:
    [source] = [r for r in corpus.raw if r["name"] == name]
    assert source["instructions"] == [] and corpus.record(name)["steps"] == []
    assert corpus.findings(name, "HC201") == ["exercise has no steps; write at least two"]


def test_records_with_one_instruction(corpus: Corpus) -> None:
    one = {r["name"] for r in corpus.raw if len(r["instructions"]) == 1}
    none = {r["name"] for r in corpus.raw if not r["instructions"]}
    # Every instruction but the last sets up the starting position: the source gives one movement instruction.
    setup_then_one = {
        r["name"]
        for r in corpus.raw
        if len(r["instructions"]) >= 2
        and corpus.record(r["name"]).get("starting_position") == " ".join(r["instructions"][:-1])
        and "start" in r["instructions"][-2]
    }
    assert corpus.named("HC201") == one | none | setup_then_one and len(one) == 10 and len(setup_then_one) == 35
    assert all(
        corpus.findings(name, "HC201") == ["exercise has only one step; write at least two"]
        for name in one | setup_then_one
    )


def test_records_whose_opening_instructions_do_not_give_the_starting_position(corpus: Corpus) -> None:
    # The source has no starting-position field: it is in the text, where an opening instruction (of the first
    # three) closes with "This will be your starting position." or the like, with an instruction after it.
    # Those reported close none of theirs so; "... back up to the starting position." is a return, not a close.
    def last_sentence(instruction: str) -> str:
        return ([""] + [s.strip() for s in instruction.split(".") if s.strip()])[-1]

    closes = {
        r["name"]
        for r in corpus.raw
        if any(
            last_sentence(i).strip().startswith("This") and "start" in last_sentence(i)
            for i in r["instructions"][: min(3, len(r["instructions"]) - 1)]
        )
    }
    assert not corpus.named("HC202") & closes and len(corpus.named("HC202")) == 340
    # 506 of the 533 the importer splits; the other 27 close before a "Tip:"/"Note:" aside (22), with
    # "... to get into the starting position." (4) or with a lower-case "this" (1).
    assert len(closes) == 506
    assert "Natural Glute Ham Raise" in corpus.named("HC202")  # "This will be ..." opens its 2nd, not closes
    assert corpus.findings("Iron Cross", "HC202") == ["exercise has no starting_position"]  # no instructions
    assert corpus.findings("Barbell Bench Press - Medium Grip", "HC202") == []


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


def test_imported_records_are_plain_hipcheck_yaml(corpus: Corpus) -> None:
    record = corpus.record("Cable Hip Adduction")
    assert set(record) <= {"id", "name", "level", "equipment", "actions", "steps", "muscles", "source"}
    assert record["equipment"] == ["cable"] and record["level"] in ("beginner", "intermediate", "advanced")
    assert record["source"] == {"dataset": "free-exercise-db", "license": "Unlicense", "id": "Cable_Hip_Adduction"}
