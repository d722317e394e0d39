"""The rule registry: each rule's identity and docs, and the checks that produce its findings.

A rule is metadata (stable code, kebab-case name, default severity, docs). A check is a function
that yields Findings for one or more rules: record checks see one record, index checks see the
whole content index. Loader rules have no check; the loader emits them.
"""

from __future__ import annotations

import difflib
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


# --- selectors: how configuration and the command line name rules ----------------------------------

ALL = "ALL"  # in `select`/`ignore` (configuration and command line): every rule
_CODE_LIKE = re.compile(r"^HC[0-9OIL]*$", re.I)  # a code, perhaps with a letter typed for a digit
_SUGGESTION_CUTOFF = 0.75  # difflib similarity a did-you-mean needs: close typos, not any code


def selects(selector: str, rule: Rule) -> bool:
    """Whether a selector (a rule code, a code prefix or a rule name; any case) names the rule."""
    return bool(selector) and (rule.name == selector.lower() or rule.code.startswith(selector.upper()))


def selector_problem(selector: str, *, allow_all: bool = False) -> str | None:
    """None when the selector names at least one rule (or is ALL where allowed); else why not, in words."""
    if (allow_all and selector.upper() == ALL) or any(selects(selector, r) for r in RULES.values()):
        return None
    return f"unknown rule selector {selector!r}{_did_you_mean(selector, prefixes=True)}"


def severity_key_problem(key: str) -> str | None:
    """None when `key` is exactly a rule's code or name (how severities are looked up); else why not."""
    if key in RULES or any(r.name == key for r in RULES.values()):
        return None
    if (found := find_rule(key)) is not None:  # a code or name in another case
        return f"not a rule code or name (did you mean {found.code if key.upper() == found.code else found.name}?)"
    if selector_problem(key, allow_all=True) is None:
        return "not a rule code or name: a severity applies to one rule, not to a prefix or ALL"
    return f"not a rule code or name{_did_you_mean(key, prefixes=False)}"


def _did_you_mean(text: str, *, prefixes: bool) -> str:
    """' (did you mean X?)' when a known selector is close to `text`, else a pointer to the rule list."""
    guess = text.strip()
    if _CODE_LIKE.match(guess):
        guess = "HC" + guess[2:].upper().replace("O", "0").replace("I", "1").replace("L", "1")
        known = any(r.code.startswith(guess) for r in RULES.values()) if prefixes else guess in RULES
        if known and guess != text:
            return f" (did you mean {guess}?)"
    names = {r.name: r.name for r in RULES.values()} | {code.lower(): code for code in RULES}
    close = difflib.get_close_matches(text.strip().lower(), names, n=1, cutoff=_SUGGESTION_CUTOFF)
    return f" (did you mean {names[close[0]]}?)" if close else " (see 'hipcheck rules')"
