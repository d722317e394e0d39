"""The muscle vocabulary on records (HC601-HC606); `hipcheck.rules.prose` checks it in prose.

How muscle, group and exercise records refer to each other: names written as ids, one name claimed by
two records, `members` and `part_of` that disagree or go in a circle, an exercise listing a muscle as
primary and secondary, and actions a group member or a primary muscle cannot do.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from typing import Any

from hipcheck.context import Context
from hipcheck.diagnostics import Finding, Fix, Severity
from hipcheck.index import ContentIndex
from hipcheck.loader.records import Record
from hipcheck.loader.yaml_tree import Path
from hipcheck.muscle_vocabulary import Vocabulary, muscle_refs, value_edit, vocabulary_for
from hipcheck.rules.registry import index_check, muscle_check, rule

RECORDS = ("exercise", "muscle")

NAME_AS_ID = rule(
    "HC601",
    "muscle-name-as-id",
    Severity.WARNING,
    """
    A muscle's name, synonym, alias or abbreviation is written where its id belongs.

    ## What it does
    Checks the ids in an exercise's `muscles.primary` and `muscles.secondary` and in a muscle's
    `members` and `part_of`. When a value is not an id but is the name, an alias or an abbreviation
    of exactly one muscle record, written as an id (`glute-medius`, `glutes`, `tfl`), it reports it
    with a safe fix to that record's id. (A value that names no record is `unknown-muscle`.)

    ## Why it matters
    Informal names in place of ids split one muscle into several keys: the exercise drops out of
    the muscle's page, and the vocabulary starts to drift.

    ## Example
    ```yaml
    muscles:
      primary: [glute-medius]
      secondary: [glutes]
    ```

    ## Fix
    Use the ids: `primary: [gluteus-medius]`, `secondary: [gluteal-muscles]` (the fix does).
    """,
    kinds=RECORDS,
    fixable=True,
)

DUPLICATE_NAME = rule(
    "HC602",
    "duplicate-muscle-name",
    Severity.ERROR,
    """
    Two muscle records claim the same name, synonym, alias or abbreviation.

    ## What it does
    Compares every `name`, `synonyms` entry, `aliases` entry and `abbreviations` entry of the records
    in `muscles/` (ignoring case, spaces and hyphens) and reports each record that claims a form
    another record also claims.

    ## Why it matters
    A name that means two muscles cannot be resolved: prose that uses it, and ids written with it,
    point nowhere in particular, and the two records' pages contradict each other.

    ## Example
    ```yaml
    # muscles/gluteal-muscles.yaml          # muscles/deep-gluteal-muscles.yaml
    aliases: [gluteal muscles]              aliases: [gluteal muscles]
    ```

    ## Fix
    Keep the form on the record it names and give the other record a distinct name.
    """,
    kinds=("muscle",),
)

GROUP_INCONSISTENT = rule(
    "HC603",
    "inconsistent-muscle-group",
    Severity.ERROR,
    """
    A group's `members` and its members' `part_of` disagree, or membership goes in a circle.

    ## What it does
    For every id in a record's `members`, checks that the member lists the record in its `part_of`,
    and for every id in `part_of`, that the group lists the record in its `members`. Reports
    membership cycles (a group that contains itself, directly or through other groups).

    ## Why it matters
    The two lists are two views of one fact; when they disagree, the group page and the muscle page
    tell readers different things, and a cycle makes "which muscles are in this group" unanswerable.

    ## Example
    ```yaml
    # muscles/psoas-minor.yaml             # muscles/iliopsoas.yaml
    part_of: [iliopsoas]                   members: [iliacus, psoas-major]
    ```

    ## Fix
    Add the missing side (`members: [iliacus, psoas-major, psoas-minor]`) or remove the stray one,
    and break any cycle.
    """,
    kinds=("muscle",),
)

PRIMARY_AND_SECONDARY = rule(
    "HC604",
    "muscle-primary-and-secondary",
    Severity.ERROR,
    """
    An exercise lists the same muscle as primary and as secondary.

    ## What it does
    Resolves the exercise's `muscles.primary` and `muscles.secondary` to muscle ids (names written
    as ids count as the muscle they name) and reports a secondary muscle that is also primary.

    ## Why it matters
    A muscle either drives the movement or assists it; listing it as both makes the exercise appear
    twice on the muscle's page and muddles the muscle map shown to readers.

    ## Example
    ```yaml
    muscles:
      primary: [quadriceps]
      secondary: [gluteal-muscles, quadriceps]
    ```

    ## Fix
    Keep the muscle in one list only.
    """,
    kinds=("exercise",),
)

MEMBER_CANNOT_ACT = rule(
    "HC605",
    "group-member-cannot-act",
    Severity.WARNING,
    """
    A group member cannot do any of the group's actions.

    ## What it does
    For every group with `actions`, checks each member: a muscle whose recorded `actions` (for a
    group, its own and its members') include none of the group's actions, or which records the
    joints it `crosses` and none is the joint of the group's actions, cannot be a member. The same
    check applies to the members an article gives a group in prose ("the hip flexors are made up
    of ..."). Members whose actions and crossings are not recorded are not judged.

    ## Why it matters
    A functional group is defined by what its members do. Listing a muscle that cannot do it (the
    psoas minor as a hip flexor, though it does not cross the hip) teaches readers wrong anatomy.

    ## Example
    ```yaml
    # muscles/hip-flexors.yaml
    actions: [hip-flexion]
    members: [iliacus, psoas-major, psoas-minor]   # psoas-minor: actions: [trunk-flexion]
    ```

    ## Fix
    Remove the member, or correct its `actions` and `crosses` if they are incomplete.
    """,
    kinds=("muscle", "article", "exercise"),
)

PRIMARY_CANNOT_ACT = rule(
    "HC606",
    "primary-muscle-cannot-act",
    Severity.WARNING,
    """
    A primary muscle cannot produce the movement the exercise states.

    ## What it does
    For an exercise with `actions`, checks each primary muscle: when its recorded actions (for a
    group, its own and its members') include none of the exercise's actions, or the joints it
    `crosses` include none of theirs, it cannot be what drives the exercise. Muscles whose actions
    and crossings are not recorded are not judged.

    ## Why it matters
    Readers choose exercises by the muscles they train; a hip adduction exercise filed under the
    quadriceps sends them to the wrong exercise.

    ## Example
    ```yaml
    name: Cable hip adduction
    actions: [hip-adduction]
    muscles:
      primary: [quadriceps]
    ```

    ## Fix
    List the muscles that do the movement as primary (`hip-adductors`), or correct `actions`.
    """,
    kinds=("exercise",),
)

# --- shared helpers ------------------------------------------------------------------------------


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _loaded(index: ContentIndex, kind: str) -> list[Record]:
    return [r for r in index.of_kind(kind) if r.loaded]


# --- record rules --------------------------------------------------------------------------------


@muscle_check(NAME_AS_ID)
def check_names_as_ids(record: Record, index: ContentIndex, ctx: Context) -> Iterator[Finding]:
    if record.kind not in RECORDS or not record.loaded:
        return
    vocabulary = vocabulary_for(index)
    for path, value in muscle_refs(record):
        if vocabulary.has(value):
            continue
        named = vocabulary.ids_named(value)
        if not named:
            continue  # unknown-muscle
        span = record.span(path)
        related = (f"muscle:{value}", *(f"muscle:{i}" for i in named))
        if len(named) == 1:
            message = f"'{value}' is a name of the muscle whose id is '{named[0]}': use the id"
            fix = Fix(f"replace with '{named[0]}'", (value_edit(record, path, named[0]),), safe=True)
            yield Finding(message, span, path=record.path, fix=fix, related=related)
        else:
            message = f"'{value}' names several muscle records ({', '.join(named)}): use the id of the one meant"
            yield Finding(message, span, path=record.path, related=related)


@index_check(DUPLICATE_NAME)
def check_duplicate_names(index: ContentIndex, ctx: Context) -> Iterator[Finding]:
    vocabulary = vocabulary_for(index)
    claims: dict[str, dict[str, tuple[str, Path]]] = defaultdict(dict)  # form -> id -> (what, path)
    for entry in vocabulary.entries.values():
        for role, position, text in entry.forms():
            key = " ".join(text.lower().replace("-", " ").split())
            path: Path = ("name",) if position is None else ({"alias": "aliases"}.get(role, f"{role}s"), position)
            claims[key].setdefault(entry.id, (str(role), path))
    for form, by_id in claims.items():
        if len(by_id) < 2:
            continue
        for record_id, (what, path) in by_id.items():
            entry = vocabulary.entries[record_id]
            if entry.record is None:
                continue
            others = sorted(i for i in by_id if i != record_id)
            message = f"{what} '{form}' is also claimed by {', '.join(repr(o) for o in others)}"
            yield Finding(
                message,
                entry.record.span(path),
                path=entry.record.path,
                related=tuple(f"muscle:{i}" for i in sorted(by_id)),
            )


@index_check(GROUP_INCONSISTENT)
def check_group_consistency(index: ContentIndex, ctx: Context) -> Iterator[Finding]:
    vocabulary = vocabulary_for(index)
    entries = vocabulary.entries
    for entry in entries.values():
        record = entry.record
        if record is None:
            continue
        for i, value in enumerate(entry.members):
            member = vocabulary.resolve(value)
            if member is None or member == entry.id:
                continue
            owners = {vocabulary.resolve(v) for v in entries[member].part_of}
            if entry.id not in owners:
                message = (
                    f"'{entry.id}' lists '{member}' in members, but '{member}' does not list '{entry.id}' in part_of"
                )
                yield Finding(message, record.span(("members", i)), path=record.path, related=(f"muscle:{member}",))
        for i, value in enumerate(entry.part_of):
            group = vocabulary.resolve(value)
            if group is None or group == entry.id:
                continue
            if entry.id not in {vocabulary.resolve(v) for v in entries[group].members}:
                message = f"'{entry.id}' is part_of '{group}', but '{group}' does not list '{entry.id}' in members"
                yield Finding(message, record.span(("part_of", i)), path=record.path, related=(f"muscle:{group}",))
    yield from _cycles(vocabulary)


def _cycles(vocabulary: Vocabulary) -> Iterator[Finding]:
    """Membership cycles, each reported once, at the member entry that closes it."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    reported: set[frozenset[str]] = set()
    for start in vocabulary.entries:
        if start in state:
            continue
        path: list[str] = []
        stack: list[tuple[str, Iterator[tuple[int, str]]]] = [
            (start, iter(enumerate(vocabulary.entries[start].members)))
        ]
        state[start] = 1
        path.append(start)
        while stack:
            node, children = stack[-1]
            advanced = False
            for i, value in children:
                child = vocabulary.resolve(value)
                if child is None:
                    continue
                if state.get(child) == 1:
                    cycle = [*path[path.index(child) :], child]
                    key = frozenset(cycle)
                    record = vocabulary.entries[node].record
                    if key not in reported and record is not None:
                        reported.add(key)
                        message = "membership cycle: " + " -> ".join(cycle)
                        yield Finding(
                            message,
                            record.span(("members", i)),
                            path=record.path,
                            related=tuple(f"muscle:{c}" for c in sorted(key)),
                        )
                elif child not in state:
                    state[child] = 1
                    path.append(child)
                    stack.append((child, iter(enumerate(vocabulary.entries[child].members))))
                    advanced = True
                    break
            if not advanced:
                state[node] = 2
                path.pop()
                stack.pop()


def _exercise_roles(record: Record, vocabulary: Vocabulary) -> dict[str, list[tuple[Path, str, str]]]:
    """role -> (path, value, resolved id) for the exercise's muscles that resolve."""
    roles: dict[str, list[tuple[Path, str, str]]] = {"primary": [], "secondary": []}
    for path, value in muscle_refs(record):
        resolved = vocabulary.resolve(value)
        if resolved is not None:
            roles[str(path[1])].append((path, value, resolved))
    return roles


@muscle_check(PRIMARY_AND_SECONDARY)
def check_primary_and_secondary(record: Record, index: ContentIndex, ctx: Context) -> Iterator[Finding]:
    if record.kind != "exercise" or not record.loaded:
        return
    roles = _exercise_roles(record, vocabulary_for(index))
    primary = {resolved for _, _, resolved in roles["primary"]}
    for path, value, resolved in roles["secondary"]:
        if resolved in primary:
            shown = f"'{value}'" if value == resolved else f"'{value}' ('{resolved}')"
            message = f"{shown} is listed as both a primary and a secondary muscle"
            yield Finding(message, record.span(path), path=record.path, related=(f"muscle:{resolved}",))


@index_check(MEMBER_CANNOT_ACT)
def check_member_actions(index: ContentIndex, ctx: Context) -> Iterator[Finding]:
    vocabulary = vocabulary_for(index)
    for entry in vocabulary.entries.values():
        if entry.record is None or not entry.actions or not entry.members:
            continue
        wanted = ", ".join(entry.actions)
        for i, value in enumerate(entry.members):
            member = vocabulary.resolve(value)
            if member is None or member == entry.id:
                continue
            reason = vocabulary.incapable(member, entry.actions)
            if reason is not None:
                message = f"'{member}' is a member of '{entry.id}' but cannot do its action ({wanted}): {reason}"
                yield Finding(
                    message, entry.record.span(("members", i)), path=entry.record.path, related=(f"muscle:{member}",)
                )


@muscle_check(PRIMARY_CANNOT_ACT)
def check_primary_actions(record: Record, index: ContentIndex, ctx: Context) -> Iterator[Finding]:
    if record.kind != "exercise" or not record.loaded:
        return
    actions = [a for a in _as_list(record.data.get("actions")) if isinstance(a, str)]
    if not actions:
        return
    vocabulary = vocabulary_for(index)
    for path, value, resolved in _exercise_roles(record, vocabulary)["primary"]:
        reason = vocabulary.incapable(resolved, actions)
        if reason is not None:
            message = f"primary muscle '{value}' cannot produce {', '.join(actions)}: {reason}"
            yield Finding(message, record.span(path), path=record.path, related=(f"muscle:{resolved}",))
