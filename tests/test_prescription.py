"""Exercise prescription (issue 14): the CERT profile on the seed drafts, the declared profile of content/,
the programme kind, and the progression graph on hostile input."""

from __future__ import annotations

import shutil
from collections import Counter
from pathlib import Path

import pytest

from hipcheck.config import load_config
from hipcheck.engine import check_paths
from hipcheck.models import Exercise, Program

from helpers import REPO, TODAY, write_tree

SEEDS = ("banded-walks", "deadlifts", "hip-bridges", "hip-circles", "side-lying-abductions")


@pytest.fixture(scope="module")
def drafts_under_cert(tmp_path_factory: pytest.TempPathFactory) -> list[tuple[str, str, str]]:
    root = tmp_path_factory.mktemp("drafts") / "drafts"
    shutil.copytree(REPO / "examples" / "drafts", root)
    (root / "hipcheck.toml").write_text('prescription-profile = "cert"\n', "utf-8")
    result = check_paths([str(root)], cwd=root, today=TODAY, select=["HC8"])
    assert result.internal_errors == []
    return [(d.path.removeprefix("exercises/").removesuffix(".yaml"), d.code, d.message) for d in result.diagnostics]


@pytest.mark.parametrize("exercise", SEEDS)
def test_cert_profile_flags_each_seed_exercises_missing_items(
    drafts_under_cert: list[tuple[str, str, str]], exercise: str
) -> None:
    # The seeds give none of frequency, intensity, rest, programme length or progression for any exercise.
    messages = [m for e, code, m in drafts_under_cert if e == exercise and code in ("HC801", "HC802")]
    for item in ("no frequency", "no intensity", "no rest between sets", "no programme length", "no progression"):
        assert sum(item in m for m in messages) == 1, (exercise, item, messages)
    codes = Counter(code for e, code, _ in drafts_under_cert if e == exercise)
    assert codes["HC803"] == 2  # neither supervision nor setting


def test_cert_profile_pinned_counts(drafts_under_cert: list[tuple[str, str, str]]) -> None:
    assert Counter(code for _, code, _ in drafts_under_cert) == Counter(
        {
            "HC801": 20,  # 4 dose items x 5 exercises
            "HC802": 5,
            "HC803": 10,
            "HC804": 3,  # band; barbell; wall and chair (hip circles)
            "HC810": 1,  # the barbell deadlift has no load
        }
    )


def test_basic_profile_flags_only_the_unloaded_deadlift_in_the_drafts() -> None:
    result = check_paths(["examples/drafts"], cwd=REPO, today=TODAY, select=["HC8"])
    assert [(d.path, d.code) for d in result.diagnostics] == [("examples/drafts/exercises/deadlifts.yaml", "HC810")]


def test_content_declares_its_profile_and_passes_under_it() -> None:
    assert load_config(REPO / "content").prescription_profile == "basic"
    result = check_paths(["content"], cwd=REPO, today=TODAY, select=["HC8"])
    assert result.diagnostics == [] and result.internal_errors == []


def test_a_programme_record_loads_and_validates(tmp_path: Path) -> None:
    programme = """\
id: hip-strength
name: Hip strength, six weeks
summary: Two sessions a week for the hips.
level: beginner
weeks: 6
phases:
  - {name: Foundation, weeks: {min: 1, max: 3}}
  - {name: Build, weeks: {min: 4, max: 6}}
progression: Add a set when every set feels easy (RPE 5 or less) two sessions in a row.
sessions:
  - day: monday
    exercises:
      - {exercise: hip-bridges, sets: 2, reps: 10, rest_seconds: 60, intensity: {rpe: 5}}
  - day: 4
    exercises:
      - {exercise: hip-bridges, sets: 3, reps: 10}
"""
    exercise = "id: hip-bridges\nname: Hip bridges\ndosage: {sets: 2, reps: 10}\n"
    write_tree(tmp_path, {"programs/hip-strength.yaml": programme, "exercises/hip-bridges.yaml": exercise})
    result = check_paths([str(tmp_path)], cwd=tmp_path, today=TODAY, select=["HC1", "HC8"])
    assert [d.code for d in result.diagnostics] == []
    assert "programs/hip-strength.yaml" in result.checked
    import yaml

    Program.model_validate(yaml.safe_load(programme), strict=True)


def test_a_programme_with_wrong_types_is_a_schema_finding_not_a_crash(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "programs/bad.yaml": (
                "id: bad\nname: Bad\nsessions:\n  - day: funday\n    exercises: [3, {exercise: [x]}]\n"
            ),
            "programs/worse.yaml": "id: worse\nname: Worse\nsessions: {day: 1}\n",
        },
    )
    result = check_paths([str(tmp_path)], cwd=tmp_path, today=TODAY, select=["HC1", "HC8"])
    assert result.internal_errors == []
    assert {d.path for d in result.diagnostics} == {"programs/bad.yaml", "programs/worse.yaml"}
    assert all(d.code.startswith("HC1") for d in result.diagnostics)


def test_new_exercise_fields_are_accepted() -> None:
    Exercise.model_validate(
        {
            "id": "hip-bridges",
            "name": "Hip bridges",
            "dosage": {
                "sets": 3,
                "reps": {"min": 8, "max": 12},
                "rest_seconds": 60,
                "frequency": {"min": 2, "max": 3},
                "intensity": {"rpe": 6, "described": "Two or three reps left in reserve."},
                "tempo": "3-1-1-0",
                "duration_weeks": 6,
            },
            "equipment_details": "A mat.",
            "supervision": "unsupervised",
            "delivery": "individual",
            "setting": ["home"],
            "progression": ["single-leg-hip-bridges"],
            "regression": [],
            "progression_criteria": "Three sets of 12 with no pain.",
            "adherence": "An exercise diary.",
            "home_program": "Daily.",
            "contraindications": ["Acute low back pain."],
        },
        strict=True,
    )


def test_a_long_progression_chain_and_its_cycle_need_no_deep_recursion(tmp_path: Path) -> None:
    count = 3000  # deeper than Python's default recursion limit
    files = {
        f"exercises/e{i:05d}.yaml": f"id: e{i:05d}\nname: E{i}\nprogression: [e{(i + 1) % count:05d}]\n"
        for i in range(count)
    }
    write_tree(tmp_path, files)
    result = check_paths([str(tmp_path)], cwd=tmp_path, today=TODAY, select=["HC814"], jobs=1)
    assert result.internal_errors == []
    [finding] = result.diagnostics
    assert finding.path == "exercises/e00000.yaml" and finding.message.startswith("progressions go in a circle: e00000")


def test_hostile_links_and_sessions_never_crash(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "exercises/a.yaml": "id: a\nname: A\nprogression: [null, 3, {x: 1}, a]\nregression: oops\nlevel: [x]\n",
            "exercises/b.yaml": "id: b\nname: B\ndosage: [1, 2]\nunilateral: false\n",
            "programs/p.yaml": (
                "id: p\nname: P\nsessions: [null, {exercises: {a: 1}},"
                " {exercises: [null, {exercise: b, per_side: true, reps: 3}]}]\n"
            ),
        },
    )
    result = check_paths([str(tmp_path)], cwd=tmp_path, today=TODAY, select=["HC8"])
    assert result.internal_errors == []
    assert [(d.path, d.code) for d in result.diagnostics] == [("exercises/a.yaml", "HC814")]
