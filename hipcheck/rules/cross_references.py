"""References between records: every id one record names must exist as a record."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from hipcheck.context import Context
from hipcheck.diagnostics import Edit, Finding, Fix, Severity
from hipcheck.index import ContentIndex
from hipcheck.loader.records import Record
from hipcheck.loader.yaml_tree import Path
from hipcheck.muscle_vocabulary import NEVER_MERGE, crosses_never_merge, muscle_refs, value_edit, vocabulary_for
from hipcheck.rules import citekeys
from hipcheck.rules.registry import RULES, index_check, muscle_check, rule, selected
from hipcheck.suggest import closest
from hipcheck.textpos import line_index

__all__ = ["NEVER_MERGE", "crosses_never_merge"]  # kept importable from here; they live in hipcheck.muscle_vocabulary

UNKNOWN_MUSCLE = rule(
    "HC401",
    "unknown-muscle",
    Severity.ERROR,
    """
    A muscle id names no muscle record.

    ## What it does
    Checks every id in an exercise's `muscles.primary` and `muscles.secondary`, and in a muscle's
    `members` and `part_of`, against the records in `muscles/`, and suggests the closest id that
    the value can be a misspelling of: as many words, each the same or a small edit keeping its first
    letter. It never suggests across words that name different muscles (medius/minimus/maximus,
    internus/externus, abductor/adductor, ...) nor to an unrelated muscle (`brachialis` is not
    `gracilis`, `biceps-brachii` not `biceps-femoris`). A muscle's name, synonym, alias or abbreviation
    written as an id is reported by `muscle-name-as-id` instead (here, with its id, when that rule is
    not run).

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
    narrative `@key`, `@{any/key}`) exactly where Pandoc reads them (not in code, math, raw HTML,
    link destinations, autolinks, or after a word as in an e-mail address), and the keys of the
    front matter's `nocite`, and checks each key against the ids in `references/`, suggesting the
    closest one. A Manubot key by identifier (`@doi:10.x/y`, `@pmid:N`, `@pmcid:PMCx`,
    `@arxiv:id`, `@isbn:...`, `@url:...`, `@wikidata:Q..`, `@raw:key`) names the record that holds
    that identifier (DOIs compared case-insensitively, with or without a `https://doi.org/`
    prefix) or whose id is the key; a citation tag `@tag:name` names what its definition
    `[@tag:name]: doi:...` in any article names; an unresolved one is
    `unresolved-identifier-citation`'s. Cross-references (`crossref-prefixes`: `@fig:x`, `@tbl-x`, ...) are
    `unknown-crossref`'s; `@*` cites every reference; `@{{...}}` is a template expression.

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


def _defers_to_name_as_id(ctx: Context) -> bool:
    """True when `muscle-name-as-id` (HC601) runs: it then reports ids that are names, as warnings."""
    rule = RULES.get("HC601")
    return rule is not None and selected(rule, ctx.config.select, ctx.config.ignore)


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _replace(record: Record, path: Path, new: str, safe: bool) -> Fix:
    span = record.span(path)
    return Fix(f"replace with '{new}'", (Edit(span.offset, span.end_offset, record.scalar_text(path, new)),), safe=safe)


@muscle_check(UNKNOWN_MUSCLE)
def check_muscle_ids(record: Record, index: ContentIndex, ctx: Context) -> Iterator[Finding]:
    if record.kind not in ("exercise", "muscle") or not record.loaded:
        return
    vocabulary = vocabulary_for(index)
    defer = _defers_to_name_as_id(ctx)
    for path, value in muscle_refs(record):
        if vocabulary.has(value):
            continue
        message = f"unknown muscle id '{value}'"
        fix = None
        named = vocabulary.ids_named(value)
        if named and defer:
            continue  # muscle-name-as-id reports it
        if len(named) == 1:
            message += f"; '{value}' names the muscle whose id is '{named[0]}'"
            fix = Fix(f"replace with '{named[0]}'", (value_edit(record, path, named[0]),), safe=True)
        elif named:
            message += f"; '{value}' names several muscles: {', '.join(named)}"
        else:
            hint = vocabulary.suggest_id(value)
            if hint:
                message += f"; did you mean '{hint}'?"
                fix = Fix(f"replace with '{hint}'", (value_edit(record, path, hint),), safe=False)
        yield Finding(message, record.span(path), path=record.path, fix=fix, related=(f"muscle:{value}",))


def _unknown_ids(index: ContentIndex, kind: str, key: str, target: str, noun: str) -> Iterator[Finding]:
    known = index.by_kind.get(target, {})
    for record in index.of_kind(kind):  # every exercise of the root: kept lean
        values = record.data.get(key) if record.loaded else None
        if not isinstance(values, list):
            continue
        for i, value in enumerate(values):
            if not isinstance(value, str) or value in known:
                continue
            hint = closest(value, index.ids(target), unique=True)
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
    resolve = citekeys.resolver(index).resolve
    prefixes = ctx.config.crossref_prefixes
    extra = citekeys.extra_prefixes(ctx)
    for record in index.of_kind("article"):
        citations = index.citations.get(record.path, [])
        nocite = citekeys.nocite_keys(record) if record.loaded and "nocite" in record.data else []
        if not citations and not nocite:
            continue
        lines = line_index(record.text)
        for citation in citations:
            if (
                citation.key == "*"
                or citekeys.is_template(citation.key)
                or citekeys.is_crossref(citation.key, prefixes)
            ):
                continue  # every reference; a Jinja expression; a cross-reference (unknown-crossref's)
            found = resolve(citation.key, extra=extra)
            if found.ids:
                continue
            span = lines.span(citation.start, citation.end)
            if found.identifier:
                continue  # by identifier or tag: unresolved-identifier-citation's
            hint = closest(citation.key, keys)
            message = f"cited key '@{citation.key}' has no reference record" + (
                f"; did you mean '@{hint}'?" if hint else ""
            )
            fix = Fix(f"cite '@{hint}'", (Edit(span.offset + 1, span.end_offset, hint),), safe=False) if hint else None
            yield Finding(message, span, path=record.path, fix=fix, related=(f"reference:{citation.key}",))
        for key in nocite:
            found = resolve(key, extra=extra)
            if key != "*" and not found.ids and not found.identifier:
                why = found.missing or "no reference record has that id"
                yield Finding(
                    f"nocite key '@{key}' has no reference record: {why}",
                    record.span(("nocite",)),
                    path=record.path,
                    related=(f"reference:{key}",),
                )
