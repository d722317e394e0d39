"""Import an open exercise library as hipcheck exercise records: `hipcheck import exercises FILE --from ...`.

Two sources: free-exercise-db (yuhonas/free-exercise-db, Unlicense: a JSON list of records with
`primaryMuscles`, `secondaryMuscles`, `instructions`, ...) and wger (wger.de's exerciseinfo API: a
JSON page with `results`, each with `translations`, `muscles`/`muscles_secondary` and a licence and
author per entry). Muscle names are mapped onto the muscle Vocabulary in force for the content root (the
built-in one under its `muscles/` records, as its checks use; `map_muscle`):
the name itself, or the anatomical names a dataset's coarse name stands for (`SOURCE_NAMES`), each
looked up as a name, synonym or alias; whatever does not resolve to one record is reported with why.
Licences and authors are kept in each record's `source`.

Joint actions are read from exercise names that state them ("Cable Hip Adduction" -> hip-adduction,
"Thigh Abductor" -> hip-abduction, "Leg Extensions" -> knee-extension, "Leg Curl" -> knee-flexion);
nothing else is guessed. free-exercise-db's opening instructions that close with a sentence naming the
starting position ("... This will be your starting position.") become `starting_position`, verbatim and
whole (`split_starting_position`); the rest are `steps`. hipcheck never needs a dataset's file to run: the
importer takes it as data.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from hipcheck.file_writing import mode_of, write_atomically

if TYPE_CHECKING:
    from hipcheck.muscle_vocabulary import Vocabulary

# free-exercise-db's equipment and level words -> hipcheck's
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
    """A record id from a dataset's id or name: lower-case kebab-case."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "exercise"


def to_yaml(record: Mapping[str, Any]) -> str:
    """A record as the YAML file the importer writes, keys in the record's order."""
    return str(yaml.safe_dump(dict(record), sort_keys=False, allow_unicode=True, width=100))


# A dataset's coarse muscle name -> the names it stands for, tried in order after the name itself; the
# vocabulary decides whether it holds them. Each anatomical name is an Uberon label or EXACT synonym
# (release 2024-09-03): quadriceps femoris, gluteal muscle, latissimus dorsi, trapezius, biceps brachii,
# triceps brachii, triceps surae (the calf's gastrocnemius and soleus), abdominal muscle. "abductors" and
# "adductors" are free-exercise-db's leg groups, the hip's functional groups. Region words (chest,
# shoulders, middle back, lower back, neck, forearms) name no one muscle or group and are not mapped.
SOURCE_NAMES: dict[str, tuple[str, ...]] = {
    "abductors": ("hip abductors",),
    "adductors": ("hip adductors",),
    "glutes": ("gluteal muscle",),
    "quadriceps": ("quadriceps femoris",),
    "lats": ("latissimus dorsi",),
    "traps": ("trapezius",),
    "biceps": ("biceps brachii",),
    "triceps": ("triceps brachii",),
    "calves": ("triceps surae",),
    "abdominals": ("abdominal muscle",),
}
REGION_WORDS = frozenset({"chest", "shoulders", "middle back", "lower back", "neck", "forearms"})
MAX_IMPORT_BYTES = 64 << 20  # the whole of free-exercise-db is about 1 MB; wger's full export a few MB
MAX_STEPS = 50
MAX_TEXT = 5_000
WGER_ENGLISH = 2  # wger's language id for English
WGER_EQUIPMENT = {
    "barbell": "barbell",
    "sz-bar": "ez-bar",
    "dumbbell": "dumbbell",
    "kettlebell": "kettlebell",
    "gym mat": "mat",
    "swiss ball": "exercise-ball",
    "bench": "bench",
    "incline bench": "bench",
    "resistance band": "band",
    "none (bodyweight exercise)": "none",
}


@dataclass
class Unmapped:
    name: str
    uses: int
    reason: str


@dataclass
class Imported:
    exercises: list[dict[str, Any]] = field(default_factory=list)
    mapped: dict[str, str] = field(default_factory=dict)  # source muscle name -> vocabulary id
    uses: dict[str, int] = field(default_factory=dict)  # source muscle name -> how many times it is used
    unmapped: dict[str, Unmapped] = field(default_factory=dict)
    skipped: list[str] = field(default_factory=list)  # entries that could not be read, and why

    @property
    def rate(self) -> float:
        """Muscle-name uses mapped onto the vocabulary, as a fraction of all uses (1.0 when there are none)."""
        total = sum(self.uses.values())
        return 1.0 if not total else sum(n for name, n in self.uses.items() if name in self.mapped) / total


def map_muscle(name: str, vocabulary: Vocabulary) -> tuple[str | None, str]:
    """(vocabulary id, "") for a dataset's muscle name, or (None, why it does not map)."""
    tried = [name, *SOURCE_NAMES.get(name.strip().lower(), ())]
    ambiguous = None
    for candidate in tried:
        term = vocabulary.lookup(candidate)
        if term is None:
            continue
        if term.id is not None:
            return term.id, ""
        ambiguous = ambiguous or f"'{candidate}' names several records ({', '.join(term.ids)})"
    if ambiguous:
        return None, ambiguous
    if name.strip().lower() in REGION_WORDS:
        return None, "a body region, not a muscle or muscle group"
    names = ", ".join(f"'{t}'" for t in tried)
    return None, f"no name, synonym or alias {names} in the muscle vocabulary"


def _clip(text: str) -> str:
    return text.strip()[:MAX_TEXT]


class _Mapper:
    def __init__(self, vocabulary: Vocabulary, result: Imported) -> None:
        self.vocabulary = vocabulary
        self.result = result

    def ids(self, names: Any) -> list[str]:
        found: list[str] = []
        for name in names if isinstance(names, list) else []:
            if not isinstance(name, str) or not name.strip():
                continue
            name = name.strip()[:100]
            self.result.uses[name] = self.result.uses.get(name, 0) + 1
            known = self.result.mapped.get(name)
            if known is None and name not in self.result.unmapped:
                known, reason = map_muscle(name, self.vocabulary)
                if known is None:
                    self.result.unmapped[name] = Unmapped(name, 0, reason)
                else:
                    self.result.mapped[name] = known
            if known is None:
                self.result.unmapped[name].uses += 1
            elif known not in found:
                found.append(known)
        return found


def _unique_id(base: str, taken: set[str]) -> str:
    record_id, n = base, 1
    while record_id in taken:
        n += 1
        record_id = f"{base}-{n}"
    taken.add(record_id)
    return record_id


# free-exercise-db closes its setup with a sentence naming the starting position, as the last sentence of
# an opening instruction (bar a trailing "Tip:"/"Note:" aside): "This will be your starting position.",
# "This is the starting position.", "... to get into the starting position with your arms locked out.".
# Phrasings seen in the data only; "return to the starting position" in a later step is the movement's end.
_STARTING_POSITION = re.compile(
    r"(?:^|[.!?]\s*)(?:this|that)\s+(?:will\s+be\s+|is\s+)?(?:your|the)\s+start(?:ing)?\s+position"
    r"(?:\s+of\s+the\s+exercise)?\s*[.!]?(?:\s*\(?(?:tip|note)s?:[^\n]*)?\s*$"
    r"|\bto\s+(?:help\s+you\s+)?get\s+in(?:to)?\s+the\s+(?:proper\s+)?start(?:ing)?\s+position"
    r"(?:\s+with\s+[^.!?]{1,80})?\s*[.!]\s*$",
    re.I,
)
# Bounded: setups in one to three instructions (533 of free-exercise-db's records); the 15 that run to four
# or five are left whole in `steps`.
MAX_SETUP_INSTRUCTIONS = 3


def split_starting_position(instructions: list[str]) -> tuple[list[str], list[str]]:
    """The opening instructions up to the last (of the first `MAX_SETUP_INSTRUCTIONS`) that closes with a
    sentence naming the starting position, and the rest, each instruction whole; nothing is taken when
    no opening instruction closes so, or when taking it would leave no step."""
    for count in range(min(MAX_SETUP_INSTRUCTIONS, len(instructions) - 1), 0, -1):
        if _STARTING_POSITION.search(instructions[count - 1]):
            return instructions[:count], instructions[count:]
    return [], instructions


def import_free_exercise_db(raw: Any, vocabulary: Vocabulary) -> Imported:
    """free-exercise-db's exercises.json (a list of records) as hipcheck exercise records."""
    result = Imported()
    if not isinstance(raw, list):
        result.skipped.append("the file is not a JSON list of exercises")
        return result
    mapper, taken = _Mapper(vocabulary, result), set[str]()
    for n, item in enumerate(raw):
        if not isinstance(item, dict) or not isinstance(item.get("name"), str) or not item["name"].strip():
            result.skipped.append(f"entry {n}: no name")
            continue
        record_id = _unique_id(slug(str(item.get("id") or item["name"]))[:80], taken)
        record: dict[str, Any] = {"id": record_id, "name": _clip(item["name"])}
        level = LEVELS.get(str(item.get("level")))
        if level:
            record["level"] = level
        equipment = EQUIPMENT.get(str(item.get("equipment")))
        if equipment:
            record["equipment"] = [equipment]
        actions = derive_actions(record["name"])
        if actions:
            record["actions"] = actions
        instructions = [_clip(s) for s in item.get("instructions") or [] if isinstance(s, str) and s.strip()]
        setup, steps = split_starting_position(instructions)
        if setup:
            record["starting_position"] = " ".join(setup)
        record["steps"] = steps[:MAX_STEPS]
        record["muscles"] = {
            "primary": mapper.ids(item.get("primaryMuscles")),
            "secondary": mapper.ids(item.get("secondaryMuscles")),
        }
        source: dict[str, Any] = {"dataset": "free-exercise-db", "license": "Unlicense"}
        if isinstance(item.get("id"), str):
            source["id"] = _clip(item["id"])
        record["source"] = source
        result.exercises.append(record)
    return result


_TAG = re.compile(r"<[^<>]{0,1000}>")
_LIST_ITEM = re.compile(r"<li\b[^<>]{0,1000}>", re.I)
_PARAGRAPH = re.compile(r"<p\b[^<>]{0,1000}>", re.I)
_SPACE_BEFORE_STOP = re.compile(r" ([.,;:!?])")  # where a closing inline tag stood: "<b>bold</b>."


def _html_steps(description: str) -> list[str]:
    """Steps from wger's HTML description: its list items, else its paragraphs, as plain text. Split, never
    matched lazily, so that a description of unclosed tags costs linear time."""
    import html

    text = description[: MAX_TEXT * 4]
    for opening, closing in ((_LIST_ITEM, "</li"), (_PARAGRAPH, "</p")):
        parts = opening.split(text)[1:]
        if parts:
            parts = [part[: i if (i := part.lower().find(closing)) >= 0 else len(part)] for part in parts]
            break
    else:
        parts = [text]
    steps = [_SPACE_BEFORE_STOP.sub(r"\1", " ".join(html.unescape(_TAG.sub(" ", part)).split())) for part in parts]
    return [_clip(s) for s in steps if s][:MAX_STEPS]


def _wger_names(muscles: Any) -> list[str]:
    """A wger entry's muscle names: the anatomical `name`, else `name_en`."""
    names = []
    for muscle in muscles if isinstance(muscles, list) else []:
        if isinstance(muscle, dict):
            name = muscle.get("name") if isinstance(muscle.get("name"), str) and muscle["name"].strip() else None
            name = name or (muscle.get("name_en") if isinstance(muscle.get("name_en"), str) else None)
            if name:
                names.append(name)
    return names


def import_wger(raw: Any, vocabulary: Vocabulary, language: int = WGER_ENGLISH) -> Imported:
    """wger exerciseinfo entries (the API's page `{"results": [...]}`, or a list of entries) as records.

    Written against wger's documented REST shape (api/v2/exerciseinfo): no wger data is vendored here.
    """
    result = Imported()
    entries = raw.get("results") if isinstance(raw, dict) else raw
    if not isinstance(entries, list):
        result.skipped.append("the file is neither a wger API page ({'results': [...]}) nor a list of entries")
        return result
    mapper, taken = _Mapper(vocabulary, result), set[str]()
    for n, entry in enumerate(entries):
        translations = entry.get("translations") if isinstance(entry, dict) else None
        chosen = (
            next((t for t in translations or [] if isinstance(t, dict) and t.get("language") == language), None)
            if isinstance(translations, list)
            else None
        )
        if chosen is None or not isinstance(chosen.get("name"), str) or not chosen["name"].strip():
            result.skipped.append(f"entry {n}: no translation in language {language}")
            continue
        assert isinstance(entry, dict)
        record_id = _unique_id(slug(chosen["name"])[:80], taken)
        record: dict[str, Any] = {"id": record_id, "name": _clip(chosen["name"])}
        equipment = [
            WGER_EQUIPMENT[str(e.get("name", "")).strip().lower()]
            for e in entry.get("equipment") or []
            if isinstance(e, dict) and str(e.get("name", "")).strip().lower() in WGER_EQUIPMENT
        ]
        if equipment:
            record["equipment"] = list(dict.fromkeys(equipment))
        description = chosen.get("description")
        record["steps"] = _html_steps(description) if isinstance(description, str) else []
        record["muscles"] = {
            "primary": mapper.ids(_wger_names(entry.get("muscles"))),
            "secondary": mapper.ids(_wger_names(entry.get("muscles_secondary"))),
        }
        record["source"] = _wger_source(entry, chosen)
        result.exercises.append(record)
    return result


def _wger_source(entry: dict[str, Any], translation: dict[str, Any]) -> dict[str, Any]:
    """Dataset, id, licence and authors: the translation's own where it has them, else the entry's."""
    source: dict[str, Any] = {"dataset": "wger"}
    if isinstance(entry.get("id"), int) and not isinstance(entry.get("id"), bool):
        source["id"] = str(entry["id"])
    for holder in (translation, entry):
        licence = holder.get("license")
        if "license" not in source and isinstance(licence, dict) and isinstance(licence.get("short_name"), str):
            source["license"] = _clip(licence["short_name"])
            if isinstance(licence.get("url"), str) and licence["url"].startswith("https://"):
                source["license_url"] = _clip(licence["url"])
        author = holder.get("license_author")
        if "authors" not in source and isinstance(author, str) and author.strip():
            source["authors"] = [_clip(a) for a in author.split(",") if a.strip()][:50]
    return source


IMPORTERS = {"free-exercise-db": import_free_exercise_db, "wger": import_wger}


def read_json(path: Path) -> Any:
    """The JSON file, size-limited; ValueError with why when it cannot be read."""
    import json

    with path.open("rb") as stream:
        data = stream.read(MAX_IMPORT_BYTES + 1)
    if len(data) > MAX_IMPORT_BYTES:
        raise ValueError(f"larger than the {MAX_IMPORT_BYTES >> 20} MiB import limit")
    try:
        return json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as error:
        raise ValueError(f"not JSON: {error}") from None


def content_vocabulary(root: Path) -> Vocabulary:
    """The muscle vocabulary a content root's checks use, built as the engine builds it: the built-in
    whole-body vocabulary under the root's `muscles/` records, or those records only when the root's
    configuration says `[tool.hipcheck.muscles] vocabulary = "content"` (`hipcheck muscles` lists it)."""
    from hipcheck.muscles_command import vocabulary_in_force

    return vocabulary_in_force(root)[0]


def report(result: Imported) -> str:
    """The closing summary: how many records, the mapping rate, and every unmapped name with why."""
    lines = [
        f"{len(result.exercises)} exercises; muscle names mapped: {len(result.mapped)} of "
        f"{len(result.mapped) + len(result.unmapped)} distinct, {result.rate:.1%} of uses",
    ]
    for item in sorted(result.unmapped.values(), key=lambda u: (-u.uses, u.name)):
        lines.append(f"  unmapped '{item.name}' ({item.uses} uses): {item.reason}")
    lines += [f"  skipped {reason}" for reason in result.skipped]
    return "\n".join(lines)


def add_parser(commands: Any) -> None:
    """`hipcheck import exercises FILE --from free-exercise-db|wger` (registered by hipcheck.cli)."""
    kinds = commands.add_parser("import", help="import records from an open dataset").add_subparsers(
        dest="import_command", required=True, metavar="KIND"
    )
    parser = kinds.add_parser("exercises", help="turn an open exercise library into exercise records")
    parser.add_argument("file", type=Path, help="the dataset's JSON file")
    parser.add_argument("--from", dest="source", choices=sorted(IMPORTERS), required=True, help="the dataset")
    parser.add_argument("--to", type=Path, metavar="ROOT", help="content root (default: the configured one, or .)")
    parser.add_argument("--overwrite", action="store_true", help="replace exercise records that already exist")
    parser.add_argument("--dry-run", action="store_true", help="report the mapping; write nothing")


def run(args: Any) -> int:
    """Write the records into ROOT/exercises/ and print the mapping report; 2 when the file cannot be read."""
    import sys

    from hipcheck.config import load_config

    root = args.to or load_config(Path.cwd()).root_dir or Path.cwd()
    try:
        raw = read_json(args.file)
    except (OSError, ValueError) as error:
        print(f"{args.file}: {getattr(error, 'strerror', None) or error}", file=sys.stderr)
        return 2
    result = IMPORTERS[args.source](raw, content_vocabulary(root))
    written = 0
    if not args.dry_run:
        folder = root / "exercises"
        folder.mkdir(parents=True, exist_ok=True)
        for record in result.exercises:
            target = folder / f"{record['id']}.yaml"
            if target.exists() and not args.overwrite:
                result.skipped.append(f"{target}: exists (use --overwrite)")
                continue
            # the one atomic write: an interrupted import leaves no half-written record
            write_atomically(target, to_yaml(record), mode=mode_of(target), durable=True)
            written += 1
    print(report(result))
    if not args.dry_run:
        print(f"wrote {written} records to {root / 'exercises'}")
    return 0
