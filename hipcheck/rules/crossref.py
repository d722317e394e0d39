"""References between records: every id one record names must exist as a record."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from hipcheck.context import Context
from hipcheck.diagnostics import Edit, Finding, Fix, Severity
from hipcheck.index import ContentIndex
from hipcheck.loader.records import Record
from hipcheck.loader.yaml_tree import Path
from hipcheck.rules.registry import index_check, rule
from hipcheck.suggest import closest
from hipcheck.textpos import LineIndex

UNKNOWN_MUSCLE = rule(
    "HC401",
    "unknown-muscle",
    Severity.ERROR,
    """
    A muscle id names no muscle record.

    ## What it does
    Checks every id in an exercise's `muscles.primary` and `muscles.secondary`, and in a muscle's
    `members` and `part_of`, against the records in `muscles/`. When the id is a muscle's name or
    alias written as an id, it names the right id; otherwise it suggests the closest id, never
    across pairs that must not be confused (medius/minimus, internus/externus, ...).

    ## Why it matters
    An exercise that points at a muscle that does not exist drops out of that muscle's page, and
    an informal name ("glutes", "quads") in place of an id is the first step to the vocabulary
    drifting apart.

    ## Example
    ```yaml
    muscles:
      primary: [glute-medius]
    ```

    ## Fix
    Use the muscle's id: `primary: [gluteus-medius]`, or add the missing muscle record.
    """,
    kinds=("exercise", "muscle"),
    fixable=True,
)

UNKNOWN_REFERENCE = rule(
    "HC402",
    "unknown-reference",
    Severity.ERROR,
    """
    An exercise cites a reference id with no reference record.

    ## What it does
    Checks every id in an exercise's `references` against the records in `references/`, and
    suggests the closest existing id.

    ## Why it matters
    A citation that leads nowhere is worse than none in health content: it looks like evidence
    and is not.

    ## Example
    ```yaml
    references: [reiman2012]
    ```

    ## Fix
    Correct the id (`reiman2013`), or add the reference record.
    """,
    kinds=("exercise",),
    fixable=True,
)

UNKNOWN_EXERCISE = rule(
    "HC403",
    "unknown-exercise",
    Severity.ERROR,
    """
    An article lists an exercise id with no exercise record.

    ## What it does
    Checks every id in an article's `exercises` against the records in `exercises/`.

    ## Why it matters
    The article's exercise cards are built from these ids; a wrong one renders as a gap.

    ## Example
    ```yaml
    exercises: [banded-walks, glute-bridges]
    ```

    ## Fix
    Use the exercise's id as its file name gives it (`hip-bridges`), or add the exercise.
    """,
    kinds=("article",),
    fixable=True,
)

UNKNOWN_CITATION = rule(
    "HC404",
    "unknown-citation",
    Severity.ERROR,
    """
    An article cites a key with no reference record.

    ## What it does
    Finds Pandoc citations in the article body (`[@key]`, `[see @a; @b, p. 4]`, `[-@key]`,
    narrative `@key`), skipping code, URLs and e-mail addresses, and checks each key against the
    ids in `references/`, suggesting the closest one.

    ## Why it matters
    The rendered bibliography drops an unknown key, leaving a claim with a dangling "(?)" where
    its evidence should be.

    ## Example
    ```markdown
    Hip flexor strength predicts decline [@ikezoe2012].
    ```

    ## Fix
    Correct the key (`@ikezoe2021`), or add the reference record.
    """,
    kinds=("article",),
    fixable=True,
)

# Words that differ by one of these pairs name different muscles; fuzzy matching must not merge them.
NEVER_MERGE = (
    ("medius", "minimus"),
    ("internus", "externus"),
    ("superior", "inferior"),
    ("major", "minor"),
    ("magnus", "minimus"),
    ("abductor", "adductor"),
    ("quadratus", "quadriceps"),
    ("longus", "brevis"),
    ("maximus", "medius"),
    ("maximus", "minimus"),
)


def _stem(word: str) -> str:
    # One normal form for both sides, so "hip-abductors" meets "abductor" and "medius" stays itself.
    return word.removesuffix("s")


def _words(text: str) -> set[str]:
    return {_stem(w) for w in re.split(r"[^a-z]+", text.lower()) if w}


def crosses_never_merge(a: str, b: str) -> bool:
    wa, wb = _words(a), _words(b)
    pairs = [(_stem(x), _stem(y)) for x, y in NEVER_MERGE]
    return any((x in wa and y in wb) or (y in wa and x in wb) for x, y in pairs)


def _norm(text: str) -> str:
    return re.sub(r"[\s_-]+", " ", text.strip().lower())


def _muscle_names(index: ContentIndex) -> dict[str, str]:
    """Normalized name, alias or abbreviation -> muscle id."""
    names: dict[str, str] = {}
    for record in index.of_kind("muscle"):
        if record.id is None:
            continue
        data = record.data
        for value in [data.get("name"), *_strings(data.get("aliases")), *_strings(data.get("abbreviations"))]:
            if isinstance(value, str):
                names.setdefault(_norm(value), record.id)
    return names


def _strings(value: Any) -> list[str]:
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []


def _id_lists(record: Record) -> Iterator[tuple[Path, str]]:
    data = record.data
    if record.kind == "exercise":
        muscles = data.get("muscles") if isinstance(data.get("muscles"), dict) else {}
        for role in ("primary", "secondary"):
            for i, value in enumerate(_as_list(muscles.get(role))):
                yield ("muscles", role, i), value
    else:
        for key in ("members", "part_of"):
            for i, value in enumerate(_as_list(data.get(key))):
                yield (key, i), value


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _replace(record: Record, path: Path, new: str, safe: bool) -> Fix:
    span = record.span(path)
    return Fix(f"replace with '{new}'", (Edit(span.offset, span.end_offset, record.scalar_text(path, new)),), safe=safe)


@index_check(UNKNOWN_MUSCLE)
def check_muscle_ids(index: ContentIndex, ctx: Context) -> Iterator[Finding]:
    ids = index.ids("muscle")
    names = _muscle_names(index)
    for record in index.records:
        if record.kind not in ("exercise", "muscle") or not record.loaded:
            continue
        for path, value in _id_lists(record):
            if not isinstance(value, str) or index.has("muscle", value):
                continue
            message = f"unknown muscle id '{value}'"
            fix = None
            by_name = names.get(_norm(value))
            if by_name:
                message += f"; '{value}' names the muscle whose id is '{by_name}'"
                fix = _replace(record, path, by_name, safe=True)
            else:
                hint = closest(value, [i for i in ids if not crosses_never_merge(value, i)])
                if hint:
                    message += f"; did you mean '{hint}'?"
                    fix = _replace(record, path, hint, safe=False)
            yield Finding(message, record.span(path), path=record.path, fix=fix, related=(f"muscle:{value}",))


def _unknown_ids(index: ContentIndex, kind: str, key: str, target: str, noun: str) -> Iterator[Finding]:
    ids = index.ids(target)
    for record in index.of_kind(kind):
        if not record.loaded:
            continue
        for i, value in enumerate(_as_list(record.data.get(key))):
            if not isinstance(value, str) or index.has(target, value):
                continue
            hint = closest(value, ids)
            message = f"unknown {noun} id '{value}'" + (f"; did you mean '{hint}'?" if hint else "")
            fix = _replace(record, (key, i), hint, safe=False) if hint else None
            yield Finding(message, record.span((key, i)), path=record.path, fix=fix, related=(f"{target}:{value}",))


@index_check(UNKNOWN_REFERENCE)
def check_reference_ids(index: ContentIndex, ctx: Context) -> Iterator[Finding]:
    yield from _unknown_ids(index, "exercise", "references", "reference", "reference")


@index_check(UNKNOWN_EXERCISE)
def check_exercise_ids(index: ContentIndex, ctx: Context) -> Iterator[Finding]:
    yield from _unknown_ids(index, "article", "exercises", "exercise", "exercise")


@index_check(UNKNOWN_CITATION)
def check_citation_keys(index: ContentIndex, ctx: Context) -> Iterator[Finding]:
    keys = index.ids("reference")
    for record in index.of_kind("article"):
        citations = index.citations.get(record.path, [])
        if not citations:
            continue
        lines = LineIndex(record.text)
        for citation in citations:
            if index.has("reference", citation.key):
                continue
            hint = closest(citation.key, keys)
            message = f"cited key '@{citation.key}' has no reference record" + (
                f"; did you mean '@{hint}'?" if hint else ""
            )
            span = lines.span(citation.start, citation.end)
            fix = Fix(f"cite '@{hint}'", (Edit(span.offset + 1, span.end_offset, hint),), safe=False) if hint else None
            yield Finding(message, span, path=record.path, fix=fix, related=(f"reference:{citation.key}",))
