"""Muscles in prose (HC607-HC612, and HC605 for groups defined in prose).

Article bodies and exercise text fields are scanned (never code, URLs, e-mail addresses, HTML comments
or YAML keys) with the vocabulary's single pattern, once per text: non-canonical names, abbreviations
used before they are introduced, one muscle named several ways, misspelt names, and muscle groups
defined in prose that disagree with their record or with each other.

The vocabulary is English, so an article is scanned only when its `lang` (else the `default-lang`
option) is English. Options come from `[tool.hipcheck.muscles]` (`hipcheck.muscle_vocabulary.MuscleOptions`) when the
configuration has them, else the defaults.

The rules, their check (`check_prose`) and its per-file pass (`prose_file_pass`) are here; what is
scanned is `text`, and muscle groups defined in prose are found by `definitions`.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from hipcheck.caching import codec
from hipcheck.context import Context
from hipcheck.diagnostics import Edit, Finding, Fix, Severity
from hipcheck.index import ContentIndex
from hipcheck.loader.records import Record
from hipcheck.muscle_vocabulary import (
    Mention,
    Misspelling,
    MuscleOptions,
    Vocabulary,
    options_from,
    vocabulary_for,
)
from hipcheck.rules.muscles import MEMBER_CANNOT_ACT
from hipcheck.rules.prose.definitions import Definition, _DefinitionParser, definition_in, definition_out
from hipcheck.rules.prose.groups import CONFLICTING_DEFINITIONS, GROUP_MISMATCH, _against_record, _conflicts
from hipcheck.rules.prose.text import (
    PROSE,
    Unit,
    _Lines,
    exercise_values,
    prose_units,
)
from hipcheck.rules.registry import FileNote, file_pass, index_check, rule

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


def _match_case(written: str, replacement: str) -> str:
    if written[:1].isupper() and replacement[:1].islower():
        return replacement[:1].upper() + replacement[1:]
    return replacement


# --- prose rules -----------------------------------------------------------------------------------


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
    # When the per-file stage ran `prose_file_pass`, it checked every article and screened every exercise:
    # only the exercises it noted for a rescan and the comparison across files are left.
    notes: Mapping[str, ProseNote] | None = ctx.file_notes(check_prose)
    candidates = []
    for record in index.records:
        if record.kind == "exercise" and record.loaded:
            if notes is not None:
                if not (record.path in notes and notes[record.path].rescan):
                    continue
            elif not exercise_needs_prose_check(record, prose.vocabulary, prose.options):
                continue  # the common case: no need for the file's text and node tree
        if record.kind == "article" and notes is not None:
            continue
        if record.kind in PROSE:
            candidates.append(record)
    # getattr: like `options_from`, accept a configuration without the option (the default, English).
    for unit in prose_units(candidates, getattr(ctx.config, "default_lang", "en")):
        yield from _check_unit(unit, prose)
    for definition in prose.definitions:
        yield from _against_record(definition, prose)
    if notes is not None:
        prose.definitions.extend(d for note in notes.values() for d in note.definitions)
    yield from _conflicts(prose)


@dataclass
class ProseNote:
    """What the per-file pass hands to `check_prose` about a file."""

    rescan: bool = False  # an exercise with something to report: scanned again, whole, in the cross-record stage
    definitions: list[Definition] = field(default_factory=list)  # muscle groups an article defines


def _note_out(note: ProseNote) -> list[Any]:
    return [note.rescan, [definition_out(d) for d in note.definitions]]


def _note_in(value: Any) -> ProseNote:
    rescan, definitions = codec.items(value, 2)
    return ProseNote(codec.flag(rescan), codec.list_of(definition_in, definitions))


def _note_records(note: ProseNote) -> Iterator[Record]:
    return (definition.record for definition in note.definitions)


@file_pass(check_prose, kinds=PROSE, encode=_note_out, decode=_note_in, records_of=_note_records)
def prose_file_pass(record: Record, muscles: ContentIndex, ctx: Context) -> FileNote:
    """An article is checked whole here (its group definitions are kept for the comparison across files);
    an exercise is only screened, and noted for a rescan when it has anything to report."""
    vocabulary = vocabulary_for(muscles)
    options = muscles.memo("prose:options", lambda _: options_from(ctx.config))
    if record.kind == "exercise":
        rescan = exercise_needs_prose_check(record, vocabulary, options)
        return FileNote(note=ProseNote(rescan=True) if rescan else None, keep_record=rescan)
    findings, definitions = article_prose(record, vocabulary, options, ctx.config.default_lang)
    return FileNote(findings, ProseNote(definitions=definitions) if definitions else None)


def article_prose(
    record: Record, vocabulary: Vocabulary, options: MuscleOptions, default_lang: str = "en"
) -> tuple[list[Finding], list[Definition]]:
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
