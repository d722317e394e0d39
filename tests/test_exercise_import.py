"""`hipcheck import exercises`: free-exercise-db (the vendored 873 records) and wger's exerciseinfo shape.

The mapping rate is pinned against the vocabulary content/'s checks use: the built-in whole-body vocabulary
under content/'s hip and thigh records. A root configured with `vocabulary = "content"` maps onto its own
records only (the lower rate, pinned too).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from hipcheck.cli import main
from hipcheck.engine import check_paths
from hipcheck.exercise_import import (
    content_vocabulary,
    import_free_exercise_db,
    import_wger,
    map_muscle,
    report,
    split_starting_position,
)
from hipcheck.models import Exercise
from hipcheck.muscle_vocabulary import Vocabulary, builtin_vocabulary

from helpers import REPO, TODAY

DATA = REPO / "tests/data/free-exercise-db/exercises.json"  # source and licence: tests/data/SOURCES.md


@pytest.fixture(scope="module")
def imported() -> Any:
    return import_free_exercise_db(json.loads(DATA.read_text("utf-8")), content_vocabulary(REPO / "content"))


def test_every_record_imports_as_a_valid_exercise_with_its_licence(imported: Any) -> None:
    assert len(imported.exercises) == 873 and imported.skipped == []
    for record in imported.exercises:
        Exercise.model_validate(record, strict=True)
        assert record["source"]["dataset"] == "free-exercise-db" and record["source"]["license"] == "Unlicense"
    assert len({r["id"] for r in imported.exercises}) == 873


def _source(name: str) -> dict[str, Any]:
    [item] = [r for r in json.loads(DATA.read_text("utf-8")) if r["name"] == name]
    return item


def _imported(imported: Any, name: str) -> dict[str, Any]:
    [record] = [r for r in imported.exercises if r["source"]["id"] == _source(name)["id"]]
    return record


def test_every_instruction_is_kept_verbatim_and_in_order(imported: Any) -> None:
    raw = {r["id"]: r for r in json.loads(DATA.read_text("utf-8"))}
    with_start = 0
    for record in imported.exercises:
        # The importer drops empty instructions (one record has "") and strips the rest: nothing else.
        instructions = [s.strip() for s in raw[record["source"]["id"]]["instructions"] if s.strip()]
        steps = record["steps"]
        assert steps == instructions[len(instructions) - len(steps) :]
        setup = instructions[: len(instructions) - len(steps)]
        if setup:
            with_start += 1
            assert record["starting_position"] == " ".join(setup) and steps  # whole, and a step remains
            assert "start position" in setup[-1] or "starting position" in setup[-1]
        else:
            assert "starting_position" not in record
    assert with_start == 533  # 237 from the first instruction, 201 from two, 95 from three


def test_the_opening_instruction_that_names_the_starting_position_becomes_it(imported: Any) -> None:
    # Its later step "push the bar back to the starting position" returns there: no split at that step.
    record = _imported(imported, "Barbell Bench Press - Medium Grip")
    instructions = _source("Barbell Bench Press - Medium Grip")["instructions"]
    assert instructions[0].endswith("This will be your starting position.")
    assert "back to the starting position" in instructions[2]
    assert record["starting_position"] == instructions[0] and record["steps"] == instructions[1:]


def test_opening_instructions_up_to_the_last_that_closes_the_setup(imported: Any) -> None:
    # "Calf Press": the first names "the start position" mid-sentence; the second closes the setup.
    instructions = _source("Calf Press")["instructions"]
    assert split_starting_position(instructions) == (instructions[:2], instructions[2:])
    assert _imported(imported, "Calf Press")["starting_position"] == " ".join(instructions[:2])
    # "Linear 3-Part Start Technique": three instructions of setup, then the one movement.
    instructions = _source("Linear 3-Part Start Technique")["instructions"]
    assert split_starting_position(instructions) == (instructions[:3], instructions[3:])
    # "Two-Arm Kettlebell Row": "... as you bend over to get in the starting position."
    instructions = _source("Two-Arm Kettlebell Row")["instructions"]
    assert split_starting_position(instructions) == (instructions[:1], instructions[1:])


def test_two_instructions_keep_their_last_as_the_step(imported: Any) -> None:
    # "Leverage Deadlift": its setup, then "Return the weight to the starting position." — a return, kept as
    # the one step (the source gives no movement; HC201 says so), never taken as a starting position.
    instructions = _source("Leverage Deadlift")["instructions"]
    assert len(instructions) == 2 and instructions[1] == "Return the weight to the starting position."
    record = _imported(imported, "Leverage Deadlift")
    assert record["starting_position"] == instructions[0] and record["steps"] == [instructions[1]]


@pytest.mark.parametrize(
    "name",
    [
        "Natural Glute Ham Raise",  # "This will be your starting position. Lower yourself ...": not its close
        "Kettlebell Hang Clean",  # "To get in the starting position, push your butt back ...": no close
        "Iron Cross",  # no instructions
        "Cable Hip Adduction",
    ],
)
def test_records_that_do_not_close_a_setup_are_left_as_they_are(imported: Any, name: str) -> None:
    instructions = _source(name)["instructions"]
    record = _imported(imported, name)
    assert "starting_position" not in record and record["steps"] == instructions


@pytest.mark.parametrize(
    "instructions",
    [
        ["Stand tall. This will be your starting position."],  # taking it would leave no step
        ["Stand tall.", "Squat down.", "Return to the starting position."],
        ["Stand tall.", "Squat down.", "Stand up.", "This is the starting position."],  # past the third
        ["Stand tall.", "This will be your starting position. Squat down.", "Stand up."],
    ],
)
def test_no_split_without_an_opening_close_or_a_remaining_step(instructions: list[str]) -> None:
    assert split_starting_position(instructions) == ([], instructions)


def test_mapping_rate_and_every_unmapped_name_with_why(imported: Any) -> None:
    # Each mapping is anatomical: free-exercise-db's arm "biceps"/"triceps" are the brachii muscles, "calves"
    # the triceps surae (gastrocnemius and soleus), "traps" the trapezius, "lats" the latissimus dorsi.
    assert imported.mapped == {
        "abductors": "hip-abductors",
        "adductors": "hip-adductors",
        "biceps": "biceps-brachii",
        "calves": "triceps-surae",
        "glutes": "gluteal-muscles",
        "hamstrings": "hamstrings",
        "lats": "latissimus-dorsi",
        "quadriceps": "quadriceps",
        "traps": "trapezius",
        "triceps": "triceps-brachii",
    }
    assert sum(imported.uses.values()) == 2583
    assert f"{imported.rate:.1%}" == "61.7%"  # 1594 of 2583 uses
    # Regions are never narrowed to one muscle or group: "chest" is more than the pectoral group (the
    # intercostals, serratus anterior), "shoulders" more than the deltoid, "lower back" more than the
    # erector spinae.
    regions = {"chest", "forearms", "lower back", "middle back", "neck", "shoulders"}
    assert {n for n, u in imported.unmapped.items() if u.reason.startswith("a body region")} == regions
    # The built-in vocabulary has rectus abdominis, the obliques and transversus abdominis, but no record of
    # the abdominal muscles as a whole: "abdominals" is none of them alone.
    assert {n for n, u in imported.unmapped.items() if "in the muscle vocabulary" in u.reason} == {"abdominals"}
    shown = report(imported)
    assert "muscle names mapped: 10 of 17 distinct, 61.7% of uses" in shown
    assert "unmapped 'abdominals' (149 uses): no name, synonym or alias 'abdominals', 'abdominal muscle'" in shown


def test_a_content_only_vocabulary_maps_onto_its_own_records(tmp_path: Path) -> None:
    # vocabulary = "content": the importer follows the engine, so only content/'s hip and thigh records count
    root = tmp_path / "content"
    (root / "muscles").mkdir(parents=True)
    for muscle in (REPO / "content" / "muscles").glob("*.yaml"):
        (root / "muscles" / muscle.name).write_bytes(muscle.read_bytes())
    (tmp_path / "hipcheck.toml").write_text('[muscles]\nvocabulary = "content"\n', "utf-8")
    imported = import_free_exercise_db(json.loads(DATA.read_text("utf-8")), content_vocabulary(root))
    assert set(imported.mapped) == {"abductors", "adductors", "glutes", "hamstrings", "quadriceps"}
    assert f"{imported.rate:.1%}" == "32.9%"  # 849 of 2583 uses
    assert "unmapped 'lats' (94 uses): no name, synonym or alias 'lats', 'latissimus dorsi'" in report(imported)


def test_names_map_onto_the_builtin_vocabulary_by_their_anatomical_names() -> None:
    vocabulary = builtin_vocabulary()
    assert map_muscle("biceps", vocabulary) == ("biceps-brachii", "")  # never biceps femoris
    assert map_muscle("Latissimus Dorsi", vocabulary) == ("latissimus-dorsi", "")
    assert map_muscle("calf muscle", vocabulary) == ("triceps-surae", "")  # an Uberon synonym
    assert map_muscle("chest", vocabulary) == (None, "a body region, not a muscle or muscle group")


def test_a_name_two_records_claim_is_not_mapped() -> None:
    vocabulary = Vocabulary.from_data(
        [
            {"id": "a", "kind": "group", "name": "A", "aliases": ["core"]},
            {"id": "b", "kind": "group", "name": "B", "aliases": ["core"]},
        ]
    )
    assert map_muscle("core", vocabulary) == (None, "'core' names several records (a, b)")


# wger's exerciseinfo shape (api/v2/exerciseinfo), written by hand for the test: no wger data is vendored.
WGER_PAGE = {
    "count": 3,
    "results": [
        {
            "id": 101,
            "category": {"id": 9, "name": "Legs"},
            "muscles": [{"id": 8, "name": "Gluteus maximus", "name_en": "Glutes", "is_front": False}],
            "muscles_secondary": [{"id": 11, "name": "Biceps femoris", "name_en": "Hamstrings", "is_front": False}],
            "equipment": [{"id": 3, "name": "Dumbbell"}, {"id": 7, "name": "none (bodyweight exercise)"}],
            "license": {"id": 2, "full_name": "Example licence", "short_name": "CC-BY-SA 4", "url": "https://x.test/l"},
            "license_author": "entry author",
            "translations": [
                {"id": 1, "name": "Beispiel", "language": 1, "description": "<p>Deutsch.</p>"},
                {
                    "id": 2,
                    "name": "Example hip thrust",
                    "language": 2,
                    "description": (
                        "<ol><li>Sit with your back to a bench.</li><li>Drive the hips up &amp; lower.</li></ol>"
                    ),
                    "license_author": "translation author, second author",
                },
            ],
        },
        {"id": 102, "translations": [{"name": "Nur Deutsch", "language": 1}]},
        "not an entry",
    ],
}


def test_wger_entries_keep_licence_and_authors() -> None:
    vocabulary = content_vocabulary(REPO / "content")
    result = import_wger(WGER_PAGE, vocabulary)
    [record] = result.exercises
    Exercise.model_validate(record, strict=True)
    assert record["name"] == "Example hip thrust" and record["id"] == "example-hip-thrust"
    assert record["steps"] == ["Sit with your back to a bench.", "Drive the hips up & lower."]
    assert record["equipment"] == ["dumbbell", "none"]
    assert record["muscles"] == {"primary": ["gluteus-maximus"], "secondary": ["biceps-femoris"]}
    assert record["source"] == {
        "dataset": "wger",
        "id": "101",
        "license": "CC-BY-SA 4",
        "license_url": "https://x.test/l",
        "authors": ["translation author", "second author"],
    }
    assert result.skipped == ["entry 1: no translation in language 2", "entry 2: no translation in language 2"]


def test_cli_writes_records_that_check_cleanly(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = tmp_path / "content"
    (root / "muscles").mkdir(parents=True)
    for muscle in (REPO / "content" / "muscles").glob("*.yaml"):
        (root / "muscles" / muscle.name).write_bytes(muscle.read_bytes())
    assert main(["import", "exercises", str(DATA), "--from", "free-exercise-db", "--to", str(root)]) == 0
    out = capsys.readouterr().out
    assert "873 exercises; muscle names mapped: 10 of 17 distinct, 61.7% of uses" in out
    assert len(list((root / "exercises").glob("*.yaml"))) == 873
    result = check_paths([str(root)], cwd=root, today=TODAY, select=["HC0", "HC1", "HC401", "HC81"])
    assert result.internal_errors == []
    assert [d for d in result.diagnostics if d.code != "HC810"] == []  # loaded records carry no intensity
    assert main(["import", "exercises", str(DATA), "--from", "free-exercise-db", "--to", str(root)]) == 0
    assert "exists (use --overwrite)" in capsys.readouterr().out


def test_cli_writes_each_record_through_the_one_atomic_write(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import hipcheck.exercise_import as importer

    real, written = importer.write_atomically, []

    def spy(path: Path, *args: Any, **kwargs: Any) -> None:
        written.append(path)
        real(path, *args, **kwargs)

    monkeypatch.setattr(importer, "write_atomically", spy)
    root = tmp_path / "content"
    assert main(["import", "exercises", str(DATA), "--from", "free-exercise-db", "--to", str(root)]) == 0
    files = sorted((root / "exercises").iterdir())
    assert sorted(written) == files and len(files) == 873  # no temporary file left beside them
    assert {path.stat().st_mode & 0o777 for path in files} == {0o644}  # content, not a private cache file


@pytest.mark.parametrize(
    ("text", "why"),
    [("{not json", "not JSON"), ('{"a": 1}', "")],
)
def test_cli_bad_input(tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str, why: str) -> None:
    source = tmp_path / "in.json"
    source.write_text(text, "utf-8")
    status = main(["import", "exercises", str(source), "--from", "free-exercise-db", "--to", str(tmp_path)])
    captured = capsys.readouterr()
    if why:
        assert status == 2 and why in captured.err
    else:
        assert status == 0 and "skipped the file is not a JSON list of exercises" in captured.out


@pytest.mark.parametrize(
    ("description", "steps"),
    [
        ("<p>One.</p><p>Two <b>bold</b>.</p>", ["One.", "Two bold."]),
        ("plain text", ["plain text"]),
        ("<li>" * 5000 + "<" * 10000, []),  # unclosed tags: linear time, no step of markup
        ("<p" + "a" * 30000, ["<p" + "a" * 4998]),  # not a tag: text, cut at the length limit
    ],
)
def test_wger_descriptions_become_plain_steps(description: str, steps: list[str]) -> None:
    page = {"results": [{"id": 1, "translations": [{"name": "X", "language": 2, "description": description}]}]}
    [record] = import_wger(page, Vocabulary.from_data([])).exercises
    assert record["steps"] == steps
