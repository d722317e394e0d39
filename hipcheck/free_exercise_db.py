"""Convert free-exercise-db records (yuhonas/free-exercise-db, Unlicense) into hipcheck exercise records.

free-exercise-db tags exercises with 17 coarse muscle names ("glutes", "abductors", "lower back", ...).
The hip ones map onto the vocabulary as aliases of its groups: "glutes", "hamstrings" and
"quadriceps" already are names or aliases of `gluteal-muscles`, `hamstrings` and `quadriceps`;
"abductors" and "adductors" become aliases of `hip-abductors` and `hip-adductors`. The others (chest,
lats, calves, ...) name no hip muscle: for them the converter makes coarse group records, id
`coarse-<name>`, with no members, actions or ontology ids, and a note saying what they are. These
records belong in a scratch vocabulary (a test's), never in `content/`.

Joint actions are read from exercise names that state them ("Cable Hip Adduction" -> hip-adduction,
"Thigh Abductor" -> hip-abduction, "Leg Extensions" -> knee-extension, "Leg Curl" -> knee-flexion);
nothing else is guessed.

The converter takes the records as data; hipcheck never needs the free-exercise-db file to run.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import yaml

from hipcheck.muscle_vocabulary import Vocabulary

COARSE_MUSCLES: tuple[str, ...] = (
    "abdominals",
    "abductors",
    "adductors",
    "biceps",
    "calves",
    "chest",
    "forearms",
    "glutes",
    "hamstrings",
    "lats",
    "lower back",
    "middle back",
    "neck",
    "quadriceps",
    "shoulders",
    "traps",
    "triceps",
)
# Coarse names of hip groups the vocabulary records under another name.
HIP_GROUP_ALIASES: dict[str, str] = {"abductors": "hip-abductors", "adductors": "hip-adductors"}
COARSE_PREFIX = "coarse-"

EQUIPMENT = {
    "barbell": "barbell",
    "dumbbell": "dumbbell",
    "cable": "cable",
    "machine": "machine",
    "other": "other",
    "body only": "none",
    "bands": "band",
    "kettlebells": "kettlebell",
    "e-z curl bar": "ez-bar",
    "medicine ball": "medicine-ball",
    "exercise ball": "exercise-ball",
    "foam roll": "foam-roller",
}
LEVELS = {"beginner": "beginner", "intermediate": "intermediate", "expert": "advanced"}

_MOVES = r"(?P<move>flexion|extension|abduction|adduction|(?:internal|external)[ -]rotation)s?"
_JOINT_ACTION = re.compile(rf"\b(?P<joint>hip|knee|ankle|elbow|shoulder|wrist|trunk|spine|neck)s?[ -]+{_MOVES}\b", re.I)
_THIGH_MACHINE = re.compile(r"\bthigh[ -]+(?P<move>abduct|adduct)(?:or|ion)s?\b", re.I)
_LEG_MACHINE = (
    (re.compile(r"\bleg[ -]+extensions?\b", re.I), "knee-extension"),
    (re.compile(r"\bleg[ -]+curls?\b", re.I), "knee-flexion"),
)
_JOINTS = {"spine": "trunk"}


def derive_actions(name: str) -> list[str]:
    """Joint actions an exercise's name states, kebab-case, in the order they appear."""
    found: dict[int, str] = {}
    for match in _JOINT_ACTION.finditer(name):
        joint = _JOINTS.get(match.group("joint").lower(), match.group("joint").lower())
        move = re.sub(r"[ -]+", "-", match.group("move").lower())
        found[match.start()] = f"{joint}-{move}"
    for match in _THIGH_MACHINE.finditer(name):
        found[match.start()] = f"hip-{match.group('move').lower()}ion"
    for pattern, action in _LEG_MACHINE:
        for match in pattern.finditer(name):
            found[match.start()] = action
    return list(dict.fromkeys(found[k] for k in sorted(found)))


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "exercise"


def coarse_group(name: str) -> dict[str, Any]:
    return {
        "id": COARSE_PREFIX + slug(name),
        "kind": "group",
        "name": name,
        "notes": (
            f"Coarse muscle name '{name}' from free-exercise-db, made by hipcheck's converter: not an "
            "anatomical record, so no members, actions or ontology ids."
        ),
    }


def coarse_vocabulary(muscles: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The muscle records plus what the coarse names need: aliases on hip groups, coarse groups for the rest."""
    records = [copy.deepcopy(dict(m)) for m in muscles]
    by_id = {r.get("id"): r for r in records}
    for name, target in HIP_GROUP_ALIASES.items():
        record = by_id.get(target)
        if record is not None and name not in record.setdefault("aliases", []):
            record["aliases"].append(name)
    vocabulary = Vocabulary.from_data(records)
    records.extend(coarse_group(name) for name in COARSE_MUSCLES if _resolve(vocabulary, name) is None)
    return records


def _resolve(vocabulary: Vocabulary, name: str) -> str | None:
    term = vocabulary.lookup(name)
    return term.id if term is not None else None


@dataclass
class Converted:
    muscles: list[dict[str, Any]]
    exercises: list[dict[str, Any]]
    unresolved: dict[str, int] = field(default_factory=dict)  # coarse name -> how many uses did not resolve
    source_ids: dict[str, str] = field(default_factory=dict)  # hipcheck id -> free-exercise-db id


def convert_exercise(raw: Mapping[str, Any], exercise_id: str, resolve: Any) -> tuple[dict[str, Any], list[str]]:
    """One free-exercise-db record as a hipcheck exercise; also the muscle names that did not resolve."""
    unresolved: list[str] = []

    def ids(names: Any) -> list[str]:
        found = []
        for name in names if isinstance(names, list) else []:
            resolved = resolve(name) if isinstance(name, str) else None
            if resolved is None:
                unresolved.append(str(name))
            elif resolved not in found:
                found.append(resolved)
        return found

    record: dict[str, Any] = {"id": exercise_id, "name": str(raw.get("name") or exercise_id)}
    level = LEVELS.get(str(raw.get("level")))
    if level:
        record["level"] = level
    equipment = EQUIPMENT.get(str(raw.get("equipment")))
    if equipment:
        record["equipment"] = [equipment]
    actions = derive_actions(record["name"])
    if actions:
        record["actions"] = actions
    record["steps"] = [s for s in raw.get("instructions") or [] if isinstance(s, str)]
    record["muscles"] = {"primary": ids(raw.get("primaryMuscles")), "secondary": ids(raw.get("secondaryMuscles"))}
    return record, unresolved


def convert(raw_records: Iterable[Mapping[str, Any]], muscles: Iterable[Mapping[str, Any]]) -> Converted:
    """Every record, with the vocabulary (content's muscles plus the coarse mapping) they refer to."""
    vocabulary_records = coarse_vocabulary(muscles)
    vocabulary = Vocabulary.from_data(vocabulary_records)
    converted = Converted(vocabulary_records, [])
    taken: set[str] = set()
    for raw in raw_records:
        base = slug(str(raw.get("id") or raw.get("name") or "exercise"))
        exercise_id, n = base, 1
        while exercise_id in taken:
            n += 1
            exercise_id = f"{base}-{n}"
        taken.add(exercise_id)
        record, unresolved = convert_exercise(raw, exercise_id, lambda name: _resolve(vocabulary, name))
        for name in unresolved:
            converted.unresolved[name] = converted.unresolved.get(name, 0) + 1
        converted.exercises.append(record)
        converted.source_ids[exercise_id] = str(raw.get("id"))
    return converted


def to_yaml(record: Mapping[str, Any]) -> str:
    return yaml.safe_dump(dict(record), sort_keys=False, allow_unicode=True, width=100)


def files(converted: Converted) -> dict[str, str]:
    """Relative path -> YAML text, for a content root holding the converted corpus and its vocabulary."""
    tree = {f"muscles/{m['id']}.yaml": to_yaml(m) for m in converted.muscles}
    tree.update({f"exercises/{e['id']}.yaml": to_yaml(e) for e in converted.exercises})
    return tree
