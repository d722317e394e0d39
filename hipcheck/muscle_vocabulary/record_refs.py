"""Where records name muscles, and the one vocabulary of each content index."""

from __future__ import annotations

import weakref
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from hipcheck.diagnostics import Edit
from hipcheck.muscle_vocabulary.builtin import base_entries, builtin_entries
from hipcheck.muscle_vocabulary.model import Vocabulary
from hipcheck.muscle_vocabulary.options import MuscleOptions

if TYPE_CHECKING:
    from hipcheck.index import ContentIndex
    from hipcheck.loader.records import Record
    from hipcheck.loader.yaml_tree import Path


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def muscle_refs(record: Record) -> Iterator[tuple[Path, str]]:
    """(path, value) of every muscle id a record names: exercise roles, or members and part_of."""
    data = record.data
    if record.kind == "exercise":
        muscles = data.get("muscles")
        muscles = muscles if isinstance(muscles, dict) else {}
        for role in ("primary", "secondary"):
            for i, value in enumerate(_list(muscles.get(role))):
                if isinstance(value, str):
                    yield ("muscles", role, i), value
    elif record.kind == "muscle":
        for key in ("members", "part_of"):
            for i, value in enumerate(_list(data.get(key))):
                if isinstance(value, str):
                    yield (key, i), value


def value_edit(record: Record, path: Path, new: str) -> Edit:
    """Replace the scalar at `path` with `new`, written in its style (quoted where it was quoted)."""
    span = record.span(path)
    return Edit(span.offset, span.end_offset, record.scalar_text(path, new))


# --- one vocabulary per content index ----------------------------------------------------------------

_BY_INDEX: weakref.WeakKeyDictionary[ContentIndex, Vocabulary] = weakref.WeakKeyDictionary()
_OPTIONS: weakref.WeakKeyDictionary[ContentIndex, MuscleOptions] = weakref.WeakKeyDictionary()


def configure_vocabulary(index: ContentIndex, options: MuscleOptions) -> None:
    """Build `index`'s vocabulary (and its scoped views') with these options; the default is the built-in
    vocabulary under the records."""
    _OPTIONS[index] = options


def _options_of(index: ContentIndex) -> MuscleOptions | None:
    found = _OPTIONS.get(index)
    if found is None:  # a scoped view shares its index's tables
        found = next((o for i, o in list(_OPTIONS.items()) if i.by_kind is index.by_kind), None)
    return found


def share_vocabulary(index: ContentIndex, vocabulary: Vocabulary) -> None:
    """Use an already built vocabulary for `index` (a scoped view of the index it was built from)."""
    _BY_INDEX[index] = vocabulary


def vocabulary_for(index: ContentIndex) -> Vocabulary:
    """The vocabulary of an index's muscle records over the built-in one (unless configured otherwise),
    built once per index."""
    vocabulary = _BY_INDEX.get(index)
    if vocabulary is None:
        options = _options_of(index)
        base = builtin_entries() if options is None else base_entries(options)
        vocabulary = Vocabulary.from_records(index.of_kind("muscle"), base)
        _BY_INDEX[index] = vocabulary
    return vocabulary
