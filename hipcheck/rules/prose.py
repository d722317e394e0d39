"""Muscles in prose (HC607-HC612, and HC605 for groups defined in prose).

Article bodies and exercise text fields are scanned (never code, URLs, e-mail addresses, HTML comments
or YAML keys) with the vocabulary's single pattern, once per text: non-canonical names, abbreviations
used before they are introduced, one muscle named several ways, misspelt names, and muscle groups
defined in prose that disagree with their record or with each other.

The vocabulary is English, so an article is scanned only when its `lang` (else the `default-lang`
option) is English. Options come from `[tool.hipcheck.muscles]` (`hipcheck.muscle_vocabulary.MuscleOptions`) when the
configuration has them, else the defaults.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from hipcheck.citations import prose_mask
from hipcheck.context import Context
from hipcheck.diagnostics import Edit, Finding, Fix, Severity, Span
from hipcheck.index import ContentIndex
from hipcheck.loader.records import Record
from hipcheck.loader.yaml_tree import unique_scalars
from hipcheck.muscle_vocabulary import (
    Mention,
    Misspelling,
    MuscleOptions,
    Vocabulary,
    folded_for_cues,
    options_from,
    vocabulary_for,
)
from hipcheck.rules.muscles import MEMBER_CANNOT_ACT
from hipcheck.rules.registry import index_check, rule
from hipcheck.textpos import LineIndex

PROSE = ("article", "exercise")

INFORMAL_NAME = rule(
    "HC607",
    "informal-muscle-name",
    Severity.WARNING,
    """
    Prose names a muscle by an informal alias instead of its canonical name.

    ## What it does
    Finds every mention of a muscle or group in article bodies and exercise text fields (case
    does not matter, singular and plural both count, words may be joined by hyphens or a line break)
    and reports informal aliases (the record's `aliases`: "glute medius", "quads") with a safe fix to
    the canonical name. Accepted synonyms (the record's `synonyms`: standard anatomical short forms and
    Uberon synonyms such as "quadriceps", "hamstring muscles", "gemellus superior") are not reported.
    Code, URLs, e-mail addresses and HTML comments are skipped. Informal terms the publisher accepts
    are listed in `[tool.hipcheck.muscles] allowed-informal` (default: "glutes").

    ## Why it matters
    Health content is read by patients and clinicians alike; one name per muscle keeps it
    searchable, translatable and unambiguous.

    ## Example
    ```markdown
    When glute medius is weak, the knee caves in.
    ```

    ## Fix
    Write the canonical name: "When gluteus medius is weak" (the fix does), or allow the term.
    """,
    kinds=PROSE,
    fixable=True,
)

ABBREVIATION_FIRST = rule(
    "HC608",
    "abbreviation-before-definition",
    Severity.WARNING,
    """
    A muscle abbreviation is used before the text introduces it.

    ## What it does
    Finds the abbreviations of muscle records ("TFL", matched with the case the record gives) in an
    article body or an exercise's text fields and checks that each is introduced at or before its
    first use, as "tensor fasciae latae (TFL)" or "TFL (tensor fasciae latae)". Uses before the
    introduction get a safe fix that writes the name out; an abbreviation never introduced gets one
    that introduces it at its first use.

    ## Why it matters
    Readers meet "TFL" cold and cannot look it up; the introduction is what makes it readable.

    ## Example
    ```markdown
    Stretch the TFL daily. ... The tensor fasciae latae (TFL) sits at the front of the hip.
    ```

    ## Fix
    Introduce the abbreviation at its first use, or write the name out before the introduction.
    """,
    kinds=PROSE,
    fixable=True,
)

SEVERAL_NAMES = rule(
    "HC609",
    "muscle-named-several-ways",
    Severity.INFO,
    """
    One article names the same muscle in several ways.

    ## What it does
    Collects, per article (or per exercise), the forms used for each muscle: its canonical name (with
    its accepted synonyms, which count as the name) and its aliases, ignoring case, number and
    hyphens. Reports a muscle written in two or more forms, once, at the first use of the second
    form. Introduced abbreviations and allowed informal terms do not count as another form.

    ## Why it matters
    "Gluteus medius" in one paragraph and "glute medius" in the next reads as two muscles to a
    reader who does not know they are the same.

    ## Example
    ```markdown
    The gluteus medius stabilizes the pelvis. When glute medius is weak, ...
    ```

    ## Fix
    Use one name throughout, normally the canonical one.
    """,
    kinds=PROSE,
)

MISSPELLED = rule(
    "HC610",
    "misspelled-muscle",
    Severity.WARNING,
    """
    A muscle name is misspelt.

    ## What it does
    Compares the words around anatomical words (gluteus, psoas, obturator, adductor, ...) and words
    that look like a single-word muscle (piriformis, pectineus, ...) with the vocabulary's names
    (rapidfuzz, a few edits at most) and suggests the closest name. It never suggests across a pair
    that names two different muscles (medius/minimus, internus/externus, abductor/adductor, ...), nor
    from a word of a real muscle outside the vocabulary (brachialis, deltoid, pectoralis, teres, ...),
    and it leaves ordinary English alone. The fix is unsafe: a human should confirm the muscle. The names
    are English: an article whose `lang` is not English (`lang: de`; with no `lang`, the
    `default-lang` option, `en` by default) is not scanned by this or the other muscle-prose rules.

    ## Why it matters
    A misspelt muscle is not found by search, breaks the glossary link, and looks careless in
    health content.

    ## Example
    ```markdown
    Strengthen the gluteus medias and stretch the pirifomis.
    ```

    ## Fix
    Correct the spelling ("gluteus medius", "piriformis").
    """,
    kinds=PROSE,
    fixable=True,
)

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


def _match_case(written: str, replacement: str) -> str:
    if written[:1].isupper() and replacement[:1].islower():
        return replacement[:1].upper() + replacement[1:]
    return replacement


def _join(items: list[str]) -> str:
    if len(items) <= 2:
        return " and ".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


# --- prose: what is scanned ----------------------------------------------------------------------

EXERCISE_TEXT_FIELDS = ("name", "summary", "starting_position", "steps", "safety")
_BLANK = "\0"  # not a word character, not a separator: nothing matches across it
# An e-mail address starts where its run of address characters does: tried inside a long word, the pattern
# would read to the word's end at every character (quadratic).
_INLINE_NOISE = re.compile(r"`[^`\n]*`|\b(?:https?|ftp)://\S+|\bwww\.\S+|(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+")


@dataclass
class Unit:
    """One text to scan: an article body, or an exercise's text fields (the rest of its file blanked)."""

    record: Record
    text: str  # same length as record.text[offset : offset + len(text)]
    offset: int
    noun: str


def english(record: Record, default_lang: str = "en") -> bool:
    """Whether an article is in English: its `lang` (Pandoc's BCP 47 tag: en, en-GB), else `default_lang`.

    The vocabulary is English; `Gluteus` in a German article is not a misspelt English muscle name."""
    lang = record.data.get("lang") if isinstance(record.data, dict) else None
    tag = lang if isinstance(lang, str) and lang.strip() else default_lang
    return tag.strip().split("-", 1)[0].split("_", 1)[0].lower() == "en"


def prose_units(records: list[Record], default_lang: str = "en") -> Iterator[Unit]:
    """The exact text of each English article body and exercise (what findings are placed in)."""
    for record in records:
        if not record.loaded:
            continue
        if record.kind == "article" and record.body and english(record, default_lang):
            yield Unit(record, prose_mask(record.body), record.body_offset, "article")
        elif record.kind == "exercise" and record.doc is not None:
            yield Unit(record, exercise_text(record), 0, "exercise")


def exercise_text(record: Record) -> str:
    """The exercise file with everything but its text fields blanked (offsets and line breaks kept)."""
    text = record.text
    spans: list[tuple[int, int]] = []
    for name in EXERCISE_TEXT_FIELDS:
        found = record.nodes((name,))
        if found is not None and record.doc is not None:
            spans.extend((s.offset, s.end_offset) for s in map(record.doc.span, unique_scalars(found[1])))
    pieces: list[str] = []
    position = 0
    for start, end in sorted(set(spans)):
        if start < position:
            continue
        pieces += [_blank(text[position:start]), _mask_noise(text[start:end])]
        position = end
    pieces.append(_blank(text[position:]))
    return "".join(pieces)


def exercise_values(record: Record) -> str:
    """An exercise's text values as loaded, one after another: enough to tell whether there is anything
    to report, without the file's text or node tree (which the engine releases after the per-file stage)."""
    values: list[str] = []
    stack: list[Any] = [record.data.get(name) for name in reversed(EXERCISE_TEXT_FIELDS)]
    while stack and len(values) < 10_000:
        value = stack.pop()
        if isinstance(value, str):
            values.append(value)
        elif isinstance(value, list):
            stack.extend(reversed(value))
        elif isinstance(value, dict):
            stack.extend(reversed(list(value.values())))
    joined = _BLANK.join(values)  # "\0" between values: no mark of noise spans two of them
    return _BLANK.join(map(_mask_noise, values)) if _may_hold_noise(joined) else joined


_NOT_NEWLINE = re.compile(r"[^\n]")


def _blank(text: str) -> str:
    return _NOT_NEWLINE.sub(_BLANK, text)


def _blank_match(match: re.Match[str]) -> str:
    return _blank(match.group())


def _may_hold_noise(text: str) -> bool:
    """Whether `_INLINE_NOISE` may match: each of its branches needs one of these marks."""
    return "`" in text or "://" in text or "www." in text or "@" in text


def _mask_noise(text: str) -> str:
    """Code spans, URLs and e-mail addresses blanked (the pattern runs only where one may be)."""
    return _INLINE_NOISE.sub(_blank_match, text) if _may_hold_noise(text) else text


# --- prose: group definitions --------------------------------------------------------------------

_NUMBERS = {w: i for i, w in enumerate("zero one two three four five six seven eight nine ten eleven twelve".split())}
_COUNT = r"(?P<count>\d{1,2}|" + "|".join(_NUMBERS) + ")"
_DASHES = ",\u2013\u2014"
# Runs of spaces are possessive (`*+`, `++`) wherever what follows cannot be a space: the same matches,
# but a long run of spaces is read once, not split every way between two quantifiers (cubic in its length).
_DEFINES_AFTER = re.compile(
    r"(?:[ \t]++group\b)?(?:[ \t]*+\([^()\n]{0,40}\))?[ \t]*+"
    rf"(?:[{_DASHES}][^,.;:\n\u2013\u2014]{{1,80}}?[{_DASHES}][ \t]*+)?"
    r"(?:(?:is|are)[ \t]++(?:made[ \t]++up|composed|comprised|formed)[ \t]++(?:of|by)\b"
    r"|consists?[ \t]++of\b|comprises?\b|(?=:))"
    rf"(?:[ \t]++{_COUNT}[ \t]++(?:[a-z]+[ \t]++)?muscles?\b)?[ \t]*+:?",
    re.IGNORECASE,
)
_HEADING_LIST = re.compile(
    r"^[ \t]*+(?:#{1,6}[ \t]++)?(?P<head>[^\n]{1,80})\n(?:[ \t]*+\n){0,3}[ \t]*+"
    r"(?:[-*+\u2022][ \t]++|\d+[.)][ \t]++)?"
    r"(?:\*\*|__)?muscles(?:\*\*|__)?[ \t]*+:[ \t]*+(?:\*\*|__)?[ \t]*+(?P<list>[^\n]*)",
    re.IGNORECASE | re.MULTILINE,
)
_FORMS_BEFORE = re.compile(
    r"(?:\bjoin(?:s|ed)?[ \t]+(?:together[ \t]+)?to[ \t]+)?\bform(?:s|ed)?[ \t]+(?:the[ \t]+)?$", re.IGNORECASE
)
# Words without which each pattern above cannot match (any one of them for _DEFINES_AFTER): most texts
# lack them, and a substring test is much cheaper than trying a pattern at every group's mention.
_HEADING_LIST_CUES = ("muscles",)  # and a ":"
_DEFINES_AFTER_CUES = (":", "made", "composed", "compris", "formed", "consist")
_FORMS_BEFORE_CUES = ("form",)

_COUNT_THAT = re.compile(rf"\b{_COUNT}[ \t]++(?:[a-z]+[ \t]++)?(?:that|which)\b", re.IGNORECASE)
_ONE_OF = re.compile(r"\bone[ \t\n]+of[ \t\n]+(?:(?:the|your|its|their|these|those|our)[ \t\n]+)?$", re.IGNORECASE)
_SENTENCE_END = re.compile(r"[.!?](?=\s|$)|\n[ \t]*\n|\0")
_CLAUSE_MARKS = frozenset(".!?:;\0")


@dataclass
class Definition:
    group: str
    record: Record
    start: int  # file offsets of the group's mention
    end: int
    line: int
    members: dict[str, Mention] | None = None  # single muscle -> the mention that brought it in
    listed: list[Mention] = field(default_factory=list)
    count: int | None = None

    @property
    def via_groups(self) -> bool:
        return any(m.term.id is not None and m.term.id not in (self.members or {}) for m in self.listed)


class _DefinitionParser:
    def __init__(self, unit: Unit, mentions: list[Mention], vocabulary: Vocabulary, lines: _Lines) -> None:
        self.unit = unit
        self.text = unit.text
        self.mentions = [m for m in mentions if m.term.id is not None]
        self.groups = [m for m in self.mentions if vocabulary.has_members(m.term.id)]  # type: ignore[arg-type]
        self.vocabulary = vocabulary
        self.lines = lines

    def local(self, offset: int) -> int:
        return offset - self.unit.offset

    def parse(self) -> list[Definition]:
        if not self.groups:
            return []  # every kind of definition starts from a group's mention
        folded = folded_for_cues(self.text)

        def cued(cues: tuple[str, ...]) -> bool:
            return folded is None or any(cue in folded for cue in cues)

        found: dict[tuple[str, int], Definition] = {}
        headings = self._headings() if cued(_HEADING_LIST_CUES) and ":" in self.text else ()
        after = self._after_mentions() if cued(_DEFINES_AFTER_CUES) else ()
        formed = self._formed() if cued(_FORMS_BEFORE_CUES) else ()
        for definition in [*headings, *after, *formed]:
            found.setdefault((definition.group, definition.start), definition)
        return sorted(found.values(), key=lambda d: d.start)

    def _definition(self, group: Mention, listed: list[Mention], count: int | None) -> Definition | None:
        assert group.term.id is not None
        listed = [m for m in listed if m.term.id != group.term.id]
        if not listed and count is None:
            return None
        members: dict[str, Mention] | None = None
        if listed:
            members = {}
            for mention in listed:
                assert mention.term.id is not None
                for leaf in sorted(self.vocabulary.leaves(mention.term.id)):
                    members.setdefault(leaf, mention)
        line = self.lines.position(group.start)[0]
        return Definition(group.term.id, self.unit.record, group.start, group.end, line, members, listed, count)

    def _members_between(self, start: int, end: int) -> list[Mention]:
        """Mentions in text[start:end] (file offsets) that are members: not in parentheses, not "one of"."""
        depth = 0
        position = self.local(start)
        chosen = []
        for mention in self.mentions:
            if mention.start < start or mention.end > end:
                continue
            local = self.local(mention.start)
            segment = self.text[position:local]
            depth = max(0, depth + segment.count("(") - segment.count(")"))
            position = local
            if depth or _ONE_OF.search(self.text, max(0, local - 40), local):
                continue
            chosen.append(mention)
        return chosen

    def _sentence_end(self, local: int) -> int:
        match = _SENTENCE_END.search(self.text, local, min(len(self.text), local + 500))
        return match.start() if match else min(len(self.text), local + 500)

    def _clause_start(self, local: int) -> int:
        low = max(0, local - 200)
        for position in range(local - 1, low - 1, -1):
            char = self.text[position]
            if char in _CLAUSE_MARKS or (char == "\n" and self.text[position - 1 : position] == "\n"):
                return position + 1
        return low

    def _headings(self) -> Iterator[Definition]:
        for match in _HEADING_LIST.finditer(self.text):
            head_start, head_end = match.start("head") + self.unit.offset, match.end("head") + self.unit.offset
            groups = [m for m in self.groups if head_start <= m.start and m.end <= head_end]
            if len(groups) != 1:
                continue
            listed = self._members_between(match.start("list") + self.unit.offset, match.end("list") + self.unit.offset)
            definition = self._definition(groups[0], listed, None)
            if definition is not None:
                yield definition

    def _after_mentions(self) -> Iterator[Definition]:
        for mention in self.groups:
            match = _DEFINES_AFTER.match(self.text, self.local(mention.end))
            if match is None:
                continue
            count = _number(match.group("count"))
            list_end = self._sentence_end(match.end())
            listed = self._members_between(match.end() + self.unit.offset, list_end + self.unit.offset)
            if not listed:
                continue  # "the hip flexors are composed of several muscles that ..."
            definition = self._definition(mention, listed, count)
            if definition is not None:
                yield definition

    def _formed(self) -> Iterator[Definition]:
        for mention in self.groups:
            local = self.local(mention.start)
            cue = _FORMS_BEFORE.search(self.text, max(0, local - 40), local)
            if cue is None:
                continue
            clause = self._clause_start(cue.start())
            counted = _COUNT_THAT.search(self.text, clause, cue.start())
            if counted is not None:
                definition = self._definition(mention, [], _number(counted.group("count")))
            else:
                listed = self._members_between(clause + self.unit.offset, cue.start() + self.unit.offset)
                definition = self._definition(mention, listed, None) if len(listed) >= 2 else None
            if definition is not None:
                yield definition


def _number(text: str | None) -> int | None:
    if text is None:
        return None
    return int(text) if text.isdigit() else _NUMBERS.get(text.lower())


# --- prose rules -----------------------------------------------------------------------------------


class _Lines:
    """Line numbers for a text, computed on first use (most texts have nothing to report)."""

    def __init__(self, text: Any) -> None:
        self._text = text  # the text, or a callable that returns it
        self._index: LineIndex | None = None

    @property
    def index(self) -> LineIndex:
        if self._index is None:
            self._index = LineIndex(self._text() if callable(self._text) else self._text)
        return self._index

    def span(self, start: int, end: int) -> Span:
        return self.index.span(start, end)

    def position(self, offset: int) -> tuple[int, int]:
        return self.index.position(offset)


@dataclass
class _Prose:
    vocabulary: Vocabulary
    options: MuscleOptions
    definitions: list[Definition] = field(default_factory=list)
    lines: dict[str, _Lines] = field(default_factory=dict)

    def line_index(self, record: Record) -> _Lines:
        if record.path not in self.lines:
            self.lines[record.path] = _Lines(lambda: record.text)
        return self.lines[record.path]


@index_check(
    MEMBER_CANNOT_ACT,
    INFORMAL_NAME,
    ABBREVIATION_FIRST,
    SEVERAL_NAMES,
    MISSPELLED,
    GROUP_MISMATCH,
    CONFLICTING_DEFINITIONS,
)
def check_prose(index: ContentIndex, ctx: Context) -> Iterator[Finding]:
    """Every prose rule: each article body and exercise is scanned once, then group definitions compared."""
    prose = _Prose(vocabulary_for(index), options_from(ctx.config))
    # When the engine ran the per-file stage with the vocabulary, it screened every exercise and checked
    # every article there (`article_prose`): only flagged exercises and the comparison across files are left.
    flagged = getattr(ctx, "prose_flags", None)
    candidates = []
    for record in index.records:
        if record.kind == "exercise" and record.loaded:
            if flagged is not None:
                if record.path not in flagged:
                    continue
            elif not exercise_needs_prose_check(record, prose.vocabulary, prose.options):
                continue  # the common case: no need for the file's text and node tree
        if record.kind == "article" and flagged is not None:
            continue
        if record.kind in PROSE:
            candidates.append(record)
    # getattr: like `options_from`, accept a configuration without the option (the default, English).
    for unit in prose_units(candidates, getattr(ctx.config, "default_lang", "en")):
        yield from _check_unit(unit, prose)
    for definition in prose.definitions:
        yield from _against_record(definition, prose)
    prose.definitions.extend(getattr(ctx, "prose_definitions", ()))
    yield from _conflicts(prose)


def article_prose(
    record: Record, vocabulary: Vocabulary, options: MuscleOptions, default_lang: str = "en"
) -> tuple[list[Finding], list[Any]]:
    """An article's own prose findings, and the group definitions it makes (for comparison across files)."""
    prose = _Prose(vocabulary, options)
    findings = [finding for unit in prose_units([record], default_lang) for finding in _check_unit(unit, prose)]
    for definition in prose.definitions:
        findings.extend(_against_record(definition, prose))
    return findings, prose.definitions


def exercise_needs_prose_check(record: Record, vocabulary: Vocabulary, options: MuscleOptions) -> bool:
    """Whether an exercise's text has anything for the prose rules; depends on the record and the
    vocabulary only, so the engine runs it in the per-file stage (in parallel, cached)."""
    return _anything_to_report(Unit(record, exercise_values(record), 0, "exercise"), _Prose(vocabulary, options))


def _unit_mentions(unit: Unit, prose: _Prose) -> tuple[list[Mention], list[Misspelling]]:
    vocabulary = prose.vocabulary
    mentions = vocabulary.scan(unit.text, unit.offset)
    typos = vocabulary.misspellings(unit.text, mentions, unit.offset, prose.options.misspelling_score)
    if typos:
        mentions = [m for m in mentions if not any(t.start <= m.start and m.end <= t.end for t in typos)]
    return mentions, typos


def _anything_to_report(unit: Unit, prose: _Prose) -> bool:
    """Whether a unit has a finding or a group definition (then it is checked again, placed exactly)."""
    mentions, typos = _unit_mentions(unit, prose)
    if typos:
        return True
    forms: dict[str, set[str]] = defaultdict(set)
    for mention in mentions:
        term = mention.term
        if term.id is None or prose.options.allows(term):
            continue
        if term.role in ("alias", "abbreviation"):
            return True
        forms[term.id].add(term.base)
    if any(len(f) > 1 for f in forms.values()):
        return True
    return bool(_DefinitionParser(unit, mentions, prose.vocabulary, _Lines(unit.text)).parse())


def _check_unit(unit: Unit, prose: _Prose) -> Iterator[Finding]:
    vocabulary, options = prose.vocabulary, prose.options
    record = unit.record
    lines = prose.line_index(record)
    mentions, typos = _unit_mentions(unit, prose)

    for mention in mentions:
        term = mention.term
        if term.id is None or term.role != "alias" or options.allows(term):
            continue
        canonical = _match_case(mention.text, vocabulary.canonical(term))
        message = f"'{mention.text}' is not the canonical name of this muscle: write '{canonical}'"
        span = lines.span(mention.start, mention.end)
        fix = Fix(f"replace with '{canonical}'", (Edit(mention.start, mention.end, canonical),), safe=True)
        yield Finding(message, span, path=record.path, fix=fix, related=(f"muscle:{term.id}",), code=INFORMAL_NAME.code)

    yield from _abbreviations(unit, mentions, prose, lines)
    yield from _several_names(unit, mentions, prose, lines)

    for typo in typos:
        suggestion = _match_case(typo.text, typo.suggestion)
        message = f"'{' '.join(typo.text.split())}' looks like a misspelling of '{typo.suggestion}'"
        fix = Fix(f"replace with '{suggestion}'", (Edit(typo.start, typo.end, suggestion),), safe=False)
        yield Finding(
            message,
            lines.span(typo.start, typo.end),
            path=record.path,
            fix=fix,
            related=(f"muscle:{typo.id}",),
            code=MISSPELLED.code,
        )

    prose.definitions.extend(_DefinitionParser(unit, mentions, vocabulary, lines).parse())


_OPEN_BEFORE = re.compile(r"[ \t]*\n?[ \t]*\([ \t]*$")
_OPEN_AFTER = re.compile(r"[ \t]*+(?:\n[ \t]*+)?\([ \t]*")  # possessive: see _DEFINES_AFTER
_CLOSE = re.compile(r"[ \t]*\)")


def _abbreviations(unit: Unit, mentions: list[Mention], prose: _Prose, lines: _Lines) -> Iterator[Finding]:
    by_key: dict[str, list[Mention]] = defaultdict(list)
    for mention in mentions:
        if mention.term.role == "abbreviation" and mention.term.id is not None:
            by_key[mention.term.norm].append(mention)
    if not by_key:
        return
    text, base = unit.text, unit.offset
    names = [m for m in mentions if m.term.role != "abbreviation" and m.term.id is not None]
    ends = {m.end: m for m in names}
    starts = {m.start: m for m in names}

    def introduces(mention: Mention) -> bool:
        """ "tensor fasciae latae (TFL)" or "TFL (tensor fasciae latae)"."""
        local_start, local_end = mention.start - base, mention.end - base
        if _CLOSE.match(text, local_end):
            opening = _OPEN_BEFORE.search(text, max(0, local_start - 40), local_start)
            name = ends.get(opening.start() + base) if opening else None
            if name is not None and name.term.id == mention.term.id:
                return True
        opening = _OPEN_AFTER.match(text, local_end)
        name = starts.get(opening.end() + base) if opening else None
        return name is not None and name.term.id == mention.term.id and bool(_CLOSE.match(text, name.end - base))

    for key, uses in by_key.items():
        term = uses[0].term
        assert term.id is not None
        name = prose.vocabulary.display(term.id)
        related = (f"muscle:{term.id}",)
        introduction = next((i for i, m in enumerate(uses) if introduces(m)), None)
        if introduction is None:
            first = uses[0]
            written = _match_case("X", name) if _sentence_start(text, first.start - base) else name
            message = f"'{key}' is never introduced in this {unit.noun}: write '{name} ({key})' at its first use"
            fix = Fix(f"introduce it as '{written} ({key})'", (Edit(first.start, first.end, f"{written} ({key})"),))
            span = lines.span(first.start, first.end)
            yield Finding(message, span, path=unit.record.path, fix=fix, related=related, code=ABBREVIATION_FIRST.code)
            continue
        line = lines.position(uses[introduction].start)[0]
        for early in uses[:introduction]:
            written = _match_case("X", name) if _sentence_start(text, early.start - base) else name
            message = f"'{key}' is used before it is introduced (line {line}): write '{name}' here"
            fix = Fix(f"replace with '{written}'", (Edit(early.start, early.end, written),))
            span = lines.span(early.start, early.end)
            yield Finding(message, span, path=unit.record.path, fix=fix, related=related, code=ABBREVIATION_FIRST.code)


def _sentence_start(text: str, local: int) -> bool:
    before = text[max(0, local - 4) : local].rstrip(" \t*_#>-\u2022")
    return not before or before[-1] in ".!?\n:\0"


def _several_names(unit: Unit, mentions: list[Mention], prose: _Prose, lines: _Lines) -> Iterator[Finding]:
    forms: dict[str, dict[str, list[Mention]]] = defaultdict(dict)
    for mention in mentions:
        term = mention.term
        if term.id is None or term.role == "abbreviation" or prose.options.allows(term):
            continue
        forms[term.id].setdefault(term.base, []).append(mention)
    for record_id, by_form in forms.items():
        if len(by_form) < 2:
            continue
        second = list(by_form.values())[1][0]
        shown = []
        for uses in by_form.values():
            numbers = list(dict.fromkeys(lines.position(u.start)[0] for u in uses))
            written = " ".join(uses[0].text.split()).lower()
            shown.append(f"'{written}' (line{'s' if len(numbers) > 1 else ''} {', '.join(map(str, numbers))})")
        name = prose.vocabulary.display(record_id)
        message = f"{name} is named {len(by_form)} ways in this {unit.noun}: {', '.join(shown)}"
        yield Finding(
            message,
            lines.span(second.start, second.end),
            path=unit.record.path,
            related=(f"muscle:{record_id}",),
            code=SEVERAL_NAMES.code,
        )


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
            )
