"""Progressions and regressions between exercises: ids that exist, no cycles, levels that agree."""

from __future__ import annotations

from collections.abc import Iterator

from hipcheck.context import Context
from hipcheck.diagnostics import Finding, Severity
from hipcheck.index import ContentIndex
from hipcheck.loader.records import Record
from hipcheck.rules.registry import index_check, rule
from hipcheck.suggest import closest

EXERCISE = ("exercise",)
LINKS = ("progression", "regression")
LEVELS = {"beginner": 0, "intermediate": 1, "advanced": 2}

UNKNOWN_LINK = rule(
    "HC813",
    "unknown-progression-exercise",
    Severity.ERROR,
    """
    A progression or regression names no exercise record.

    ## What it does
    Checks every id in an exercise's `progression` and `regression` against the records in
    `exercises/`, and suggests the closest id.

    ## Why it matters
    "Next, try the single-leg version" with no such page leaves the reader with nowhere to go.

    ## Example
    ```yaml
    progression: [single-leg-bridges]
    ```

    ## Fix
    Use the id of an existing exercise (`single-leg-hip-bridges`), or add the exercise.
    """,
    kinds=EXERCISE,
)

LINK_CYCLE = rule(
    "HC814",
    "progression-cycle",
    Severity.ERROR,
    """
    Progressions go in a circle.

    ## What it does
    Reads each `progression` as "harder than this" and each `regression` as "easier than this", and
    reports a chain that returns to where it started (an exercise that is its own progression, or
    A -> B -> A). Each cycle is reported once, on the exercise with the first id in it.

    ## Why it matters
    A reader following "next, harder" links must never end up back at the start; one of the links
    points the wrong way.

    ## Example
    ```yaml
    # hip-bridges.yaml
    progression: [single-leg-hip-bridges]
    # single-leg-hip-bridges.yaml
    progression: [hip-bridges]
    ```

    ## Fix
    Make the link that points back a `regression`.
    """,
    kinds=EXERCISE,
)

EASIER_PROGRESSION = rule(
    "HC815",
    "progression-level-mismatch",
    Severity.WARNING,
    """
    A progression is marked easier than its source, or a regression harder.

    ## What it does
    Compares `level` (beginner < intermediate < advanced) across each `progression` and
    `regression` link where both exercises have one.

    ## Why it matters
    A "harder" exercise at a lower level means the link or one of the levels is wrong, and a reader
    is sent to an exercise above their level as a step down, or below it as a step up.

    ## Example
    ```yaml
    # deadlifts.yaml (level: intermediate)
    progression: [hip-bridges]   # level: beginner
    ```

    ## Fix
    Swap the link to a `regression` (or the other way round), or correct the levels.
    """,
    kinds=EXERCISE,
)


def _links(record: Record, field: str) -> list[tuple[int, str]]:
    values = record.data.get(field) if record.loaded else None
    return [(i, v) for i, v in enumerate(values) if isinstance(v, str)] if isinstance(values, list) else []


@index_check(UNKNOWN_LINK)
def check_link_ids(index: ContentIndex, ctx: Context) -> Iterator[Finding]:
    for record in index.of_kind("exercise"):
        for field in LINKS:
            for i, value in _links(record, field):
                if index.has("exercise", value):
                    continue
                hint = closest(value, index.ids("exercise"), unique=True)
                message = f"{field} names unknown exercise id '{value}'" + (f"; did you mean '{hint}'?" if hint else "")
                yield Finding(message, record.span((field, i)), path=record.path, related=(f"exercise:{value}",))


def _harder_edges(index: ContentIndex) -> dict[str, list[tuple[str, Record, str, int]]]:
    """id -> (harder id, record the link is written in, field, position) for every link between known ids."""
    edges: dict[str, list[tuple[str, Record, str, int]]] = {}
    for record in index.of_kind("exercise"):
        source = record.id
        if source is None:
            continue
        for field in LINKS:
            for i, value in _links(record, field):
                if not index.has("exercise", value):
                    continue  # unknown-progression-exercise's
                easy, hard = (source, value) if field == "progression" else (value, source)
                edges.setdefault(easy, []).append((hard, record, field, i))
    return edges


@index_check(LINK_CYCLE)
def check_cycles(index: ContentIndex, ctx: Context) -> Iterator[Finding]:
    edges = _harder_edges(index)
    reported: set[frozenset[str]] = set()
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    for start in sorted(edges):
        if state.get(start):
            continue
        # Iterative depth-first search: a content root's chains can be long, Python's stack is not.
        path: list[str] = [start]
        iterators = [iter(sorted(edges.get(start, []), key=lambda e: e[0]))]
        state[start] = 1
        while iterators:
            step = next(iterators[-1], None)
            if step is None:
                state[path.pop()] = 2
                iterators.pop()
                continue
            target = step[0]
            if state.get(target) == 1:
                cycle = path[path.index(target) :]
                key = frozenset(cycle)
                if key not in reported:
                    reported.add(key)
                    yield _cycle_finding(cycle, edges)
            elif not state.get(target):
                state[target] = 1
                path.append(target)
                iterators.append(iter(sorted(edges.get(target, []), key=lambda e: e[0])))


def _cycle_finding(cycle: list[str], edges: dict[str, list[tuple[str, Record, str, int]]]) -> Finding:
    first = min(cycle)
    at = cycle.index(first)
    ordered = cycle[at:] + cycle[:at]
    following = ordered[1] if len(ordered) > 1 else first
    _, record, field, i = next(e for e in edges[first] if e[0] == following)
    chain = " -> ".join([*ordered, first])
    return Finding(
        f"progressions go in a circle: {chain} (each harder than the one before)",
        record.span((field, i)),
        path=record.path,
        related=tuple(f"exercise:{e}" for e in ordered),
    )


@index_check(EASIER_PROGRESSION)
def check_levels(index: ContentIndex, ctx: Context) -> Iterator[Finding]:
    for record in index.of_kind("exercise"):
        level = LEVELS.get(str(record.data.get("level"))) if record.loaded else None
        if level is None:
            continue
        for field in LINKS:
            for i, value in _links(record, field):
                target = index.get("exercise", value)
                other = LEVELS.get(str(target.data.get("level"))) if target is not None and target.loaded else None
                if other is None or target is None:
                    continue
                if (field == "progression" and other < level) or (field == "regression" and other > level):
                    relation = "easier" if field == "progression" else "harder"
                    yield Finding(
                        f"{field} '{value}' is level {target.data['level']} ({relation} than this exercise's "
                        f"{record.data['level']})",
                        record.span((field, i)),
                        path=record.path,
                        related=(f"exercise:{value}",),
                    )
