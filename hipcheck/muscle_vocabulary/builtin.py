"""The built-in whole-body vocabulary, shipped as package data (hipcheck/data/muscles.json).

Built from the Uberon ontology and a hand-kept file by tools/build_muscle_vocabulary.py (see
hipcheck/data/SOURCES.md). A content root uses it unless `[tool.hipcheck.muscles] vocabulary = "content"`;
records in `muscles/` extend it and override it (see `model.overlay`).
"""

from __future__ import annotations

import hashlib
import json
from functools import lru_cache
from importlib import resources
from typing import Any

from hipcheck.muscle_vocabulary.entries import Entry
from hipcheck.muscle_vocabulary.model import Vocabulary
from hipcheck.muscle_vocabulary.options import MuscleOptions

REGIONS = (
    "neck",
    "shoulder-girdle",
    "arm",
    "forearm-and-hand",
    "trunk-and-back",
    "abdominal-wall",
    "pelvic-floor",
    "hip",
    "thigh",
    "leg-and-foot",
)


@lru_cache(maxsize=1)
def _raw() -> bytes:
    return resources.files("hipcheck").joinpath("data", "muscles.json").read_bytes()


@lru_cache(maxsize=1)
def builtin_data() -> dict[str, Any]:
    """The shipped file, parsed (JSON only: package data runs no code)."""
    data = json.loads(_raw())
    if not isinstance(data, dict) or not isinstance(data.get("records"), list):
        raise ValueError("hipcheck/data/muscles.json: expected an object with a list of records")
    return data


@lru_cache(maxsize=1)
def builtin_entries() -> tuple[Entry, ...]:
    return tuple(e for item in builtin_data()["records"] if isinstance(item, dict) and (e := Entry.from_data(item)))


def builtin_release() -> str:
    """The Uberon release the built-in vocabulary was built from ("2024-09-03")."""
    version = str(builtin_data().get("data-version", ""))
    parts = version.split("/")
    return parts[2] if len(parts) > 2 and parts[1] == "releases" else version


def builtin_digest() -> str:
    """A stamp of the shipped file, for cache keys: results built on it are stale when it changes."""
    return hashlib.blake2b(_raw(), digest_size=8).hexdigest()


def base_entries(options: MuscleOptions) -> tuple[Entry, ...]:
    """What the records of a content root are laid over: the built-in vocabulary, or nothing."""
    return builtin_entries() if options.vocabulary == "built-in" else ()


@lru_cache(maxsize=1)
def builtin_vocabulary() -> Vocabulary:
    return Vocabulary(builtin_entries())


def resolve_muscle_name(text: str, vocabulary: Vocabulary | None = None) -> str | None:
    """The muscle or group id a free-text muscle name means in `vocabulary` (default: the built-in one):
    an id, or a name, synonym, alias or abbreviation in either number; None when it names none or several.

    For importers mapping another dataset's muscle names ("Biceps Brachii", "hamstrings") onto a content
    root's vocabulary (`vocabulary_for(index)`).
    """
    return (vocabulary or builtin_vocabulary()).id_for_name(text.strip())
