"""Hover and completion: what the index and the muscle vocabulary know about the word at the cursor.

Plain functions over a document's text, a character offset and the workspace's snapshot, so that they
are tested without a client.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

from hipcheck.citations import find_citations
from hipcheck.loader.records import Record
from hipcheck.muscle_vocabulary.builtin import builtin_data
from hipcheck.muscle_vocabulary.entries import Entry
from hipcheck.workspace import Snapshot

MAX_COMPLETIONS = 500  # a client filters further as the author types

# YAML keys whose list items are muscle ids, and front-matter keys whose items are exercise ids.
MUSCLE_KEYS = frozenset({"primary", "secondary", "stabilizers", "muscles", "members", "part_of"})
EXERCISE_KEYS = frozenset({"exercises", "progression", "regression"})

_WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]*")
_CITE_PREFIX = re.compile(r"(?:^|[\s\[;(-])@\{?([A-Za-z0-9_][^\s@;\],}]*)?$")
_KEY_LINE = re.compile(r"^(\s*)(?:-\s+)?([A-Za-z_][\w-]*)\s*:\s*(.*)$")
_ITEM_LINE = re.compile(r"^(\s*)-\s*([\w-]*)$")


@dataclass(frozen=True)
class Completion:
    label: str
    detail: str
    kind: str  # "reference" | "muscle" | "exercise"


# --- hover -----------------------------------------------------------------------------------------


def hover(text: str, offset: int, kind: str, body_offset: int, snapshot: Snapshot) -> str | None:
    """Markdown for the citation key or muscle under `offset`; None when there is nothing to say."""
    if kind == "article" and offset >= body_offset:
        for citation in find_citations(text[body_offset:], body_offset):
            if citation.start <= offset <= citation.end:
                return describe_reference(citation.key, snapshot)
    word = _word_at(text, offset)
    if word is not None:
        described = describe_muscle(word, snapshot)
        if described is not None:
            return described
        if snapshot.index.has("reference", word):
            return describe_reference(word, snapshot)
    if kind == "article":  # a muscle named in prose ("gluteus medius", "glutes")
        for mention in snapshot.vocabulary.scan(text[body_offset:], body_offset):
            if mention.start <= offset <= mention.end and mention.term.id is not None:
                return describe_muscle(mention.term.id, snapshot)
    return None


def describe_reference(key: str, snapshot: Snapshot) -> str:
    record = snapshot.index.get("reference", key)
    if record is None or not isinstance(record.data, dict):
        return f"`@{key}`: no reference record has this key"
    return f"`@{key}`: " + format_reference(record.data) + f"\n\n*{record.path}*"


def format_reference(data: Mapping[str, Any]) -> str:
    """A short author–date reference from a CSL record: the fields it has, nothing invented."""
    parts = []
    names = [_name(a) for a in data.get("author") or [] if isinstance(a, dict)]
    names = [n for n in names if n]
    if names:
        parts.append(", ".join(names[:3]) + (" et al." if len(names) > 3 else ""))
    year = _year(data.get("issued"))
    if year:
        parts.append(f"({year})")
    head = " ".join(parts)
    pieces = [head + "." if head else ""]
    for field in ("title", "container-title"):
        value = data.get(field)
        if isinstance(value, str) and value.strip():
            pieces.append(" ".join(value.split()) + ".")
    where = [str(data[f]) for f in ("volume", "page") if isinstance(data.get(f), str | int)]
    if where:
        pieces.append(":".join(where) + ".")
    doi = data.get("DOI")
    if isinstance(doi, str) and doi.strip():
        pieces.append(f"https://doi.org/{doi.strip()}")
    return " ".join(p for p in pieces if p)


def _name(author: Mapping[str, Any]) -> str:
    literal = author.get("literal")
    if isinstance(literal, str):
        return literal
    family, given = author.get("family"), author.get("given")
    if isinstance(family, str):
        return f"{family} {given}" if isinstance(given, str) else family
    return ""


def _year(issued: Any) -> str:
    if isinstance(issued, dict):
        parts = issued.get("date-parts")
        if isinstance(parts, list) and parts and isinstance(parts[0], list) and parts[0]:
            return str(parts[0][0])
        literal = issued.get("literal") or issued.get("raw")
        if isinstance(literal, str):
            return literal
    return ""


def describe_muscle(word: str, snapshot: Snapshot) -> str | None:
    vocabulary = snapshot.vocabulary
    muscle_id = vocabulary.id_for_name(word)
    if muscle_id is None:
        return None
    entry = vocabulary.entries[muscle_id]
    lines = [f"**{entry.name}** (`{entry.id}`, {entry.kind})"]
    groups = [vocabulary.display(g) for g in entry.part_of if vocabulary.has(g)]
    if groups:
        lines.append("Part of: " + ", ".join(groups))
    members = [vocabulary.display(m) for m in vocabulary.members(entry.id)]
    if members:
        lines.append("Members: " + ", ".join(members))
    ids = _ids_of(entry)
    if ids:
        lines.append("Ids: " + ", ".join(f"{k} {v}" for k, v in sorted(ids.items())))
    if entry.synonyms:
        lines.append("Synonyms: " + ", ".join(entry.synonyms))
    where = entry.record.path if entry.record is not None else "the built-in vocabulary"
    lines.append(f"*{where}*")
    return "\n\n".join(lines)


def _ids_of(entry: Entry) -> dict[str, str]:
    data = entry.record.data if entry.record is not None else _builtin_ids().get(entry.id)
    ids = data.get("ids") if isinstance(data, dict) else None
    return {str(k): str(v) for k, v in ids.items() if isinstance(v, str | int)} if isinstance(ids, dict) else {}


@cache
def _builtin_ids() -> dict[str, dict[str, Any]]:
    return {item["id"]: item for item in builtin_data()["records"] if isinstance(item, dict) and "id" in item}


def _word_at(text: str, offset: int) -> str | None:
    start = text.rfind("\n", 0, offset) + 1
    end = text.find("\n", offset)
    line = text[start : len(text) if end < 0 else end]
    for match in _WORD.finditer(line):
        if match.start() <= offset - start <= match.end():
            return match.group()
    return None


# --- completion -------------------------------------------------------------------------------------


def complete(text: str, offset: int, kind: str, body_offset: int, snapshot: Snapshot) -> list[Completion]:
    """Citation keys after `@` in an article body; muscle ids in a record's muscle lists; exercise ids
    in an article's front matter and an exercise's progression and regression."""
    line_start = text.rfind("\n", 0, offset) + 1
    before = text[line_start:offset]
    if kind == "article" and offset >= body_offset:
        match = _CITE_PREFIX.search(before)
        if match is None:
            return []
        return _completions(snapshot.index.of_kind("reference"), match.group(1) or "", "reference")
    key = _list_key(text, line_start, before)
    if key is None:
        return []
    typed = re.search(r"[\w-]*$", before)
    prefix = typed.group() if typed else ""
    if key in EXERCISE_KEYS and kind in ("article", "exercise", "program"):
        return _completions(snapshot.index.of_kind("exercise"), prefix, "exercise")
    if key in MUSCLE_KEYS and kind in ("exercise", "muscle"):
        entries = sorted(snapshot.vocabulary.entries.values(), key=lambda e: e.id)
        found = [Completion(e.id, e.name, "muscle") for e in entries if e.id.startswith(prefix)]
        return found[:MAX_COMPLETIONS]
    return []


def _completions(records: Iterable[Record], prefix: str, what: str) -> list[Completion]:
    found: dict[str, Completion] = {}
    for record in records:
        record_id = record.id
        if record_id and record_id.startswith(prefix) and record_id not in found:
            # An exercise keeps only its index fields in the workspace (not its name): say where it is.
            title = record.data.get("title") if what == "reference" and isinstance(record.data, dict) else record.path
            found[record_id] = Completion(record_id, " ".join(str(title or "").split())[:120], what)
    return [found[k] for k in sorted(found)][:MAX_COMPLETIONS]


def _list_key(text: str, line_start: int, before: str) -> str | None:
    """The YAML key whose list the cursor is in: `key: [a, b, |` on this line, or `- |` under `key:`."""
    same = _KEY_LINE.match(before)
    if same is not None:
        value = same.group(3)
        return same.group(2) if value.startswith("[") and "]" not in value else None
    item = _ITEM_LINE.match(before)
    if item is None:
        return None
    indent = len(item.group(1))
    lines = text[:line_start].split("\n")[:-1]
    for line in reversed(lines):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        found = _KEY_LINE.match(line)
        line_indent = len(line) - len(line.lstrip())
        if found is not None and line_indent <= indent and not found.group(3).strip():
            return found.group(2)
        if line_indent < indent or (line_indent == indent and not line.lstrip().startswith("-")):
            return None
    return None
