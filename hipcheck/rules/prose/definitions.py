"""Muscle groups defined in prose ("the hip flexors are made up of ..."), found for HC605, HC611 and
HC612, and how the cache stores a definition (the strict readers of `hipcheck.caching.codec`)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from hipcheck.caching import codec
from hipcheck.loader.records import Record
from hipcheck.muscle_vocabulary import Mention, Term, Vocabulary, folded_for_cues
from hipcheck.rules.prose.text import Unit, _Lines

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


# --- how the cache stores a group definition (the strict readers of hipcheck.caching.codec) ---------


def _term_out(term: Term) -> list[Any]:
    return [term.norm, list(term.ids), term.role, term.base, term.number]


def _term_in(value: Any) -> Term:
    norm, ids, role, base, number = codec.items(value, 5)
    codec.need(role in ("name", "synonym", "alias", "abbreviation") and number in ("", "plural", "singular"))
    return Term(codec.text(norm), codec.texts(ids), role, codec.text(base), number)


def mention_out(m: Mention) -> list[Any]:
    return [m.start, m.end, m.text, _term_out(m.term)]


def mention_in(value: Any) -> Mention:
    start, end, said, term = codec.items(value, 4)
    return Mention(codec.integer(start), codec.integer(end), codec.text(said), _term_in(term))


def definition_out(d: Definition) -> list[Any]:
    """A prose group definition. Its record is kept as what places a finding (kind, path, stem, file),
    not whole: an article's values would be stored again for each definition it makes."""
    members = None if d.members is None else [[k, mention_out(m)] for k, m in d.members.items()]
    where = [d.record.kind, d.record.path, d.record.stem, d.record.source]
    return [d.group, where, d.start, d.end, d.line, members, [mention_out(m) for m in d.listed], d.count]


def definition_in(value: Any) -> Definition:
    group, where, start, end, line, members, listed, count = codec.items(value, 8)
    kind, path, stem, source = (codec.text(v) for v in codec.items(where, 4))
    return Definition(
        codec.text(group),
        Record(kind=kind, path=path, stem=stem, _text=None, source=source, loaded=True),  # text read on use
        codec.integer(start),
        codec.integer(end),
        codec.integer(line),
        None if members is None else {codec.text(k): mention_in(m) for k, m in map(_pair, codec.items(members))},
        codec.list_of(mention_in, listed),
        codec.optional(codec.integer, count),
    )


def _pair(value: Any) -> list[Any]:
    return codec.items(value, 2)
