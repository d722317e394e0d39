"""The rule registry: each rule's identity and docs, and the checks that produce its findings.

A rule is metadata (stable code, kebab-case name, default severity, docs). A check is a function
that yields Findings for one or more rules: record checks see one record, index checks see the
whole content index. Loader rules have no check; the loader emits them.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from hipcheck.diagnostics import Finding, Severity

if TYPE_CHECKING:
    from hipcheck.context import Context
    from hipcheck.index import ContentIndex
    from hipcheck.loader.records import Record

DOC_HEADINGS = ("What it does", "Why it matters", "Example", "Fix")
_CODE = re.compile(r"^HC\d{3}$")
_NAME = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


@dataclass(frozen=True, slots=True)
class Rule:
    code: str
    name: str
    severity: Severity
    doc: str
    kinds: frozenset[str] | None = None  # record kinds it applies to; None = all
    fixable: bool = False

    @property
    def summary(self) -> str:
        return self.doc.split("\n", 1)[0].strip()

    def section(self, heading: str) -> str:
        match = re.search(rf"^## {re.escape(heading)}\n(.*?)(?=^## |\Z)", self.doc, re.M | re.S)
        return match.group(1).strip() if match else ""


RecordCheckFn = Callable[["Record", "Context"], Iterable[Finding]]
IndexCheckFn = Callable[["ContentIndex", "Context"], Iterable[Finding]]
MuscleRecordFn = Callable[["Record", "ContentIndex", "Context"], Iterable[Finding]]


@dataclass(frozen=True, slots=True)
class Check:
    scope: Literal["record", "index"]
    rules: tuple[Rule, ...]
    fn: Callable[..., Iterable[Finding]]
    # An index check whose findings on a record depend only on that record and on the records of these
    # kinds: the engine runs it on each other file in the per-file stage (parallel, cached).
    depends_on: frozenset[str] = frozenset()
    per_record: MuscleRecordFn | None = None  # the same check for one record (see muscle_check)

    @property
    def kinds(self) -> frozenset[str] | None:
        if any(rule.kinds is None for rule in self.rules):
            return None
        return frozenset().union(*(rule.kinds or () for rule in self.rules))


RULES: dict[str, Rule] = {}
CHECKS: list[Check] = []


def rule(
    code: str,
    name: str,
    severity: Severity,
    doc: str,
    *,
    kinds: Iterable[str] | None = None,
    fixable: bool = False,
) -> Rule:
    """Define and register a rule. The doc's first line is its summary; then the four headings."""
    if not _CODE.match(code) or not _NAME.match(name):
        raise ValueError(f"bad rule identity {code} {name}")
    if code in RULES or any(r.name == name for r in RULES.values()):
        raise ValueError(f"rule {code} {name} registered twice")
    new = Rule(code, name, severity, inspect.cleandoc(doc), frozenset(kinds) if kinds else None, fixable)
    RULES[code] = new
    return new


def record_check(*rules: Rule) -> Callable[[RecordCheckFn], RecordCheckFn]:
    def register(fn: RecordCheckFn) -> RecordCheckFn:
        CHECKS.append(Check("record", rules, fn))
        return fn

    return register


def index_check(*rules: Rule) -> Callable[[IndexCheckFn], IndexCheckFn]:
    def register(fn: IndexCheckFn) -> IndexCheckFn:
        CHECKS.append(Check("index", rules, fn))
        return fn

    return register


def muscle_check(*rules: Rule) -> Callable[[MuscleRecordFn], MuscleRecordFn]:
    """A cross-record check whose findings on a record depend only on that record and the muscle records:
    `fn(record, index, ctx)` checks one record, `index` gives the muscles. The engine runs it over the muscle
    records in the cross-record stage, and on each other file in the per-file stage (parallel, cached)."""

    def register(fn: MuscleRecordFn) -> MuscleRecordFn:
        def over_index(index: ContentIndex, ctx: Context) -> Iterator[Finding]:
            for record in index.records:
                yield from fn(record, index, ctx)

        CHECKS.append(Check("index", rules, over_index, frozenset({"muscle"}), per_record=fn))
        return fn

    return register


def find_rule(code_or_name: str) -> Rule | None:
    key = code_or_name.strip()
    if key.upper() in RULES:
        return RULES[key.upper()]
    return next((r for r in RULES.values() if r.name == key.lower()), None)
