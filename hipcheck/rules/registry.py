"""The rule registry: each rule's identity and docs, and the checks that produce its findings.

A rule is metadata (stable code, kebab-case name, default severity, docs, the module defining it). A
check is a function that yields Findings for one or more rules: record checks see one record, index
checks see the whole content index. A cross-record check may declare a per-file pass (`file_pass`):
the engine runs it on each file in the per-file stage and hands what it notes to the check. Loader
and suppression rules have no check here; the loader and the suppression stage emit them through
their rule objects.
"""

from __future__ import annotations

import difflib
import inspect
import re
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from hipcheck.diagnostics import Finding, Severity

if TYPE_CHECKING:
    from hipcheck.config import Config
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
    module: str = ""  # the module that defines it (and its check and fix)

    @property
    def source(self) -> str:
        """The file of the module that defines the rule (its metadata, docs, check and fix)."""
        module = sys.modules.get(self.module)
        return str(Path(module.__file__).resolve()) if module is not None and module.__file__ else ""

    @property
    def source_file(self) -> str:
        """That file, named from the package's folder: `hipcheck/rules/prose/__init__.py`."""
        parts = self.module.split(".")
        suffix = "/__init__.py" if self.source.endswith("__init__.py") else ".py"
        return "/".join(parts) + suffix

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
class FileNote:
    """What a file pass finds in one record: findings to report from the per-file stage, and what its
    cross-record check reads of the file later."""

    findings: list[Finding] = field(default_factory=list)
    note: Any = None  # handed to the cross-record check (None: nothing to hand on); picklable, encodable
    keep_record: bool = False  # the cross-record check reads the record whole, not only its index fields


FilePassFn = Callable[["Record", "ContentIndex", "Context"], FileNote]


def _same(value: Any) -> Any:
    return value


def _no_records(note: Any) -> Iterable[Record]:
    return ()


@dataclass(frozen=True, slots=True)
class FilePass:
    """A cross-record check's pass over each file of `kinds` in the per-file stage (parallel, cached):
    `fn(record, muscle_index, ctx)` sees a file's first loaded record and the muscle records."""

    name: str  # the key of its notes: the check function's qualified name
    kinds: frozenset[str]
    fn: FilePassFn
    encode: Callable[[Any], Any] = _same  # a note as JSON values (the cache stores it) ...
    decode: Callable[[Any], Any] = _same  # ... and back; raise ValueError on a value it did not write
    records_of: Callable[[Any], Iterable[Record]] = _no_records  # records a note refers to (to place findings)


AnswersFn = Callable[["list[Record]", Path, "Config", bool, bool], Mapping[str, Any]]


@dataclass(frozen=True, slots=True)
class OutsideReads:
    """What a cross-record check reads besides the content files (see `reads_outside`)."""

    # Answers from outside: `fn(records, root, config, online, progress)`, by key; asked for only when
    # one of the check's rules is enabled, and offline only when `cache` exists.
    answers: AnswersFn | None = None
    cache: Callable[[Config], str] | None = None  # the root-relative file the answers are kept in
    listing: bool = False  # the names of the files under the content root (it looks files up there)


@dataclass(frozen=True, slots=True)
class Check:
    scope: Literal["record", "index"]
    rules: tuple[Rule, ...]
    fn: Callable[..., Iterable[Finding]]
    # An index check whose findings on a record depend only on that record and on the records of these
    # kinds: the engine runs it on each other file in the per-file stage (parallel, cached).
    depends_on: frozenset[str] = frozenset()
    per_record: MuscleRecordFn | None = None  # the same check for one record (see muscle_check)
    file_pass: FilePass | None = None  # its per-file pass (see file_pass)
    # A record check that reads the online verification results (Context.verification): it runs in the
    # cross-record stage, once they are in, and its rules' being enabled is what asks for them.
    reads_verification: bool = False
    reads: OutsideReads = OutsideReads()  # what else it reads from outside the files (see reads_outside)

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
    module = sys._getframe(1).f_globals.get("__name__", "")  # the module calling rule() defines it
    new = Rule(code, name, severity, inspect.cleandoc(doc), frozenset(kinds) if kinds else None, fixable, module)
    RULES[code] = new
    return new


def record_check(*rules: Rule, reads_verification: bool = False) -> Callable[[RecordCheckFn], RecordCheckFn]:
    def register(fn: RecordCheckFn) -> RecordCheckFn:
        CHECKS.append(Check("record", rules, fn, reads_verification=reads_verification))
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


def file_pass(
    check: IndexCheckFn,
    *,
    kinds: Iterable[str],
    encode: Callable[[Any], Any] = _same,
    decode: Callable[[Any], Any] = _same,
    records_of: Callable[[Any], Iterable[Record]] = _no_records,
) -> Callable[[FilePassFn], FilePassFn]:
    """Declare the per-file pass of an index check registered before it. The engine runs the pass on each
    file of `kinds` in the per-file stage (where its findings are reported and cached with the file), and
    gives the check the notes it made: `ctx.file_notes(check)`, by display path (None when the pass did
    not run, as when a test calls the check directly: then the check does the whole job itself)."""

    def register(fn: FilePassFn) -> FilePassFn:
        position = next((i for i, c in enumerate(CHECKS) if c.fn is check and c.scope == "index"), None)
        if position is None:
            raise ValueError(f"{check.__qualname__} is not a registered index check")
        found = FilePass(pass_name(check), frozenset(kinds), fn, encode, decode, records_of)
        CHECKS[position] = replace(CHECKS[position], file_pass=found)
        return fn

    return register


def reads_outside(
    check: IndexCheckFn,
    *,
    answers: AnswersFn | None = None,
    cache: Callable[[Config], str] | None = None,
    listing: bool = False,
) -> None:
    """Declare what an index check registered before it reads besides the content files: online answers
    (`answers`, kept in the root-relative file `cache(config)`), the names of the files under the content
    root (`listing`). The engine asks for the answers when one of the check's rules is enabled and hands
    them over as `ctx.answers_for(check)`; it keys the check's cached results on the cache file's bytes
    and on the listing, so that a changed answer or an added file is seen by the next run."""
    position = next((i for i, c in enumerate(CHECKS) if c.fn is check and c.scope == "index"), None)
    if position is None:
        raise ValueError(f"{check.__qualname__} is not a registered index check")
    CHECKS[position] = replace(CHECKS[position], reads=OutsideReads(answers, cache, listing))


def pass_name(check: Callable[..., Any]) -> str:
    return f"{check.__module__}.{check.__qualname__}"


def file_pass_named(name: str) -> FilePass | None:
    return next((c.file_pass for c in CHECKS if c.file_pass is not None and c.file_pass.name == name), None)


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


def selected(rule: Rule, select: Iterable[str], ignore: Iterable[str]) -> bool:
    """Whether a rule runs under `select` (empty: every rule) and `ignore`, the lists of the command line
    and the configuration; each entry is a selector or ALL. The one place rule selection is decided."""

    def matches(selectors: Iterable[str]) -> bool:
        return any(s.upper() == ALL or selects(s, rule) for s in selectors)

    select = list(select)
    return (not select or matches(select)) and not matches(ignore)


def selector_problem(selector: str, *, allow_all: bool = False) -> str | None:
    """None when the selector names at least one rule (or is ALL where allowed); else why not, in words."""
    if (allow_all and selector.upper() == ALL) or any(selects(selector, r) for r in RULES.values()):
        return None
    return f"unknown rule selector {selector!r}{did_you_mean(selector, prefixes=True)}"


def severity_key_problem(key: str) -> str | None:
    """None when `key` is exactly a rule's code or name (how severities are looked up); else why not."""
    if key in RULES or any(r.name == key for r in RULES.values()):
        return None
    if (found := find_rule(key)) is not None:  # a code or name in another case
        return f"not a rule code or name (did you mean {found.code if key.upper() == found.code else found.name}?)"
    if selector_problem(key, allow_all=True) is None:
        return "not a rule code or name: a severity applies to one rule, not to a prefix or ALL"
    return f"not a rule code or name{did_you_mean(key, prefixes=False)}"


def did_you_mean(text: str, *, prefixes: bool) -> str:
    """' (did you mean X?)' when a known selector is close to `text`, else a pointer to the rule list: what
    every place that rejects a selector or rule says (usage errors, HC902, `hipcheck rule`)."""
    guess = text.strip()
    if _CODE_LIKE.match(guess):
        guess = "HC" + guess[2:].upper().replace("O", "0").replace("I", "1").replace("L", "1")
        known = any(r.code.startswith(guess) for r in RULES.values()) if prefixes else guess in RULES
        if known and guess != text:
            return f" (did you mean {guess}?)"
    names = {r.name: r.name for r in RULES.values()} | {code.lower(): code for code in RULES}
    close = difflib.get_close_matches(text.strip().lower(), names, n=1, cutoff=_SUGGESTION_CUTOFF)
    return f" (did you mean {names[close[0]]}?)" if close else " (see 'hipcheck rules')"
