"""Muscle groups defined in prose, against the group's record (HC611, and HC605 for members that
cannot act) and against each other (HC612). `check_prose` finds the definitions; this module reports
on them."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from typing import TYPE_CHECKING

from hipcheck.diagnostics import Finding, Severity
from hipcheck.muscle_vocabulary import Vocabulary
from hipcheck.rules.muscles import MEMBER_CANNOT_ACT
from hipcheck.rules.prose.definitions import Definition
from hipcheck.rules.prose.text import PROSE
from hipcheck.rules.registry import rule

if TYPE_CHECKING:
    from hipcheck.rules.prose import _Prose

GROUP_MISMATCH = rule(
    "HC611",
    "group-definition-mismatch",
    Severity.WARNING,
    """
    Prose defines a muscle group differently from the group's record.

    ## What it does
    Recognises groups defined in prose: "the hip flexors are made up of ...", "the iliopsoas group:
    iliacus, psoas major, psoas minor", a heading naming a group followed by a "Muscles:" list, and
    "two (muscles) that join to form the iliopsoas". Listed groups stand for their members; an
    item introduced by "one of" or in parentheses is not a member. Reports a definition whose
    muscles, or whose stated number of muscles, differ from the group record's members.

    ## Why it matters
    Readers learn anatomy from these sentences; when they contradict the group record, the article
    and the muscle pages teach two different things.

    ## Example
    ```markdown
    ### Iliopsoas group
    - Muscles: iliacus, psoas major, psoas minor      (record: iliacus, psoas major)
    ```

    ## Fix
    Make the prose and the record agree, after checking which one is right.
    """,
    kinds=PROSE,
)

CONFLICTING_DEFINITIONS = rule(
    "HC612",
    "conflicting-group-definitions",
    Severity.WARNING,
    """
    The same muscle group is defined differently in two places.

    ## What it does
    Compares the prose definitions of each group (see `group-definition-mismatch`) across all
    articles and exercises, and within one article, and reports a definition that disagrees with
    an earlier one: different muscles, or a different number of them.

    ## Why it matters
    Two articles, or two paragraphs, that disagree about what a group is leave the reader to guess
    which is right, and at most one is.

    ## Example
    ```markdown
    The iliopsoas group: iliacus, psoas major, psoas minor.
    ... two muscles that join together to form the iliopsoas ...
    ```

    ## Fix
    Decide what the group is and make every definition say it.
    """,
    kinds=PROSE,
)


def _join(items: list[str]) -> str:
    if len(items) <= 2:
        return " and ".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def _listed(definition: Definition, vocabulary: Vocabulary) -> str:
    items = []
    for mention in definition.listed:
        assert mention.term.id is not None
        name = vocabulary.display(mention.term.id)
        if vocabulary.has_members(mention.term.id):
            name += " (" + ", ".join(sorted(vocabulary.display(i) for i in vocabulary.leaves(mention.term.id))) + ")"
        items.append(name)
    return _join(items)


def _names(ids: set[str] | frozenset[str], vocabulary: Vocabulary) -> str:
    return ", ".join(sorted(vocabulary.display(i) for i in ids))


def _against_record(definition: Definition, prose: _Prose) -> Iterator[Finding]:
    vocabulary = prose.vocabulary
    entry = vocabulary.entries[definition.group]
    record, group = definition.record, definition.group
    span = prose.line_index(record).span(definition.start, definition.end)
    related = (f"muscle:{group}",)
    on_record = vocabulary.leaves(group) if entry.members else None
    problems = []
    if on_record is not None and definition.members is not None and set(definition.members) != on_record:
        added = set(definition.members) - on_record
        left_out = on_record - set(definition.members)
        detail = "; ".join(
            part
            for part in (
                f"not in the record: {_names(added, vocabulary)}" if added else "",
                f"missing here: {_names(left_out, vocabulary)}" if left_out else "",
            )
            if part
        )
        problems.append(
            f"defined here as {_listed(definition, vocabulary)}, but the '{group}' record has "
            f"{_names(on_record, vocabulary)} ({detail})"
        )
    if definition.count is not None:
        if definition.members is None and on_record is not None and definition.count != len(on_record):
            problems.append(
                f"said here to be {definition.count} muscles, but the '{group}' record has {len(on_record)}: "
                f"{_names(on_record, vocabulary)}"
            )
        elif (
            definition.members is not None and not definition.via_groups and definition.count != len(definition.listed)
        ):
            problems.append(f"said here to be {definition.count} muscles, but {len(definition.listed)} are listed")
    if problems:
        message = f"{entry.name}: " + "; ".join(problems)
        yield Finding(message, span, path=record.path, related=related, code=GROUP_MISMATCH.code)

    if definition.members is None or not entry.actions:
        return
    for leaf, mention in definition.members.items():
        if on_record is not None and leaf in on_record:
            continue
        reason = vocabulary.incapable(leaf, entry.actions)
        if reason is None:
            continue
        through = "" if mention.term.id == leaf else f" (through {vocabulary.display(mention.term.id or '')})"
        message = (
            f"{vocabulary.display(leaf)}{through} is counted here among the {entry.name} but cannot do "
            f"{', '.join(entry.actions)}: {reason}"
        )
        yield Finding(
            message,
            prose.line_index(record).span(mention.start, mention.end),
            path=record.path,
            related=(f"muscle:{leaf}", *related),
            code=MEMBER_CANNOT_ACT.code,
        )


def _summary(definition: Definition, vocabulary: Vocabulary) -> str:
    if definition.members is not None:
        return _names(set(definition.members), vocabulary)
    return f"{definition.count} muscles"


def _disagree(a: Definition, b: Definition) -> bool:
    if a.members is not None and b.members is not None:
        return set(a.members) != set(b.members)
    if a.members is not None and b.count is not None:
        return len(a.members) != b.count
    if b.members is not None and a.count is not None:
        return len(b.members) != a.count
    return a.count is not None and b.count is not None and a.count != b.count


def _conflicts(prose: _Prose) -> Iterator[Finding]:
    by_group: dict[str, list[Definition]] = defaultdict(list)
    for definition in sorted(prose.definitions, key=lambda d: (d.record.path, d.start)):
        by_group[definition.group].append(definition)
    vocabulary = prose.vocabulary
    for group, definitions in by_group.items():
        # Whether two definitions disagree depends only on their members and count: compare each with the
        # first definition of every shape seen before it (a few), not with every earlier one (thousands).
        firsts: dict[tuple[frozenset[str] | None, int | None], Definition] = {}
        for later in definitions:
            earlier = next((d for d in firsts.values() if _disagree(d, later)), None)
            firsts.setdefault((None if later.members is None else frozenset(later.members), later.count), later)
            if earlier is None:
                continue
            where = (
                f"line {earlier.line}"
                if earlier.record.path == later.record.path
                else f"{earlier.record.path}:{earlier.line}"
            )
            message = (
                f"{vocabulary.display(group)} is defined here as {_summary(later, vocabulary)}, "
                f"but as {_summary(earlier, vocabulary)} at {where}"
            )
            yield Finding(
                message,
                prose.line_index(later.record).span(later.start, later.end),
                path=later.record.path,
                related=(f"muscle:{group}",),
                code=CONFLICTING_DEFINITIONS.code,
                cites=(earlier.record.path,),
            )
