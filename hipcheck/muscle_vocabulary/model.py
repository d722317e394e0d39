"""The vocabulary: the muscle and group entries, every form that names them, and what they can do.

It answers the rules' questions about ids (is this an id, which id does a name written as an id mean,
which id is closest without crossing a never-merge pair), structure (a group's single muscles, what a
muscle or group can do, the joints it crosses) and prose (via its scanner and misspelling finder).
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Iterable, Mapping
from functools import cached_property
from typing import TYPE_CHECKING, Any

from hipcheck.muscle_vocabulary.entries import _RANK, Entry, Mention, Misspelling, Role, Term
from hipcheck.muscle_vocabulary.misspellings import MisspellingFinder
from hipcheck.muscle_vocabulary.names import abbreviation_key, joint_of, normalize, number_variant
from hipcheck.muscle_vocabulary.never_merge import spelling_close
from hipcheck.muscle_vocabulary.options import DEFAULT_MISSPELLING_SCORE
from hipcheck.muscle_vocabulary.scanner import Scanner
from hipcheck.suggest import closest

if TYPE_CHECKING:
    from hipcheck.loader.records import Record


class Vocabulary:
    def __init__(self, entries: Iterable[Entry]) -> None:
        self.entries: dict[str, Entry] = {}
        for entry in sorted(entries, key=lambda e: e.id):
            self.entries.setdefault(entry.id, entry)
        self._build_terms()

    @classmethod
    def from_records(cls, records: Iterable[Record], base: Iterable[Entry] = ()) -> Vocabulary:
        """The vocabulary of muscle records, on top of `base` (the built-in vocabulary, or nothing): a record
        replaces the base entry with its id, and takes over the forms it claims (see `overlay`)."""
        entries = []
        for record in records:
            if record.kind == "muscle" and record.loaded:
                entry = Entry.from_data(record.data, record)
                if entry is not None:
                    entries.append(entry)
        return cls(overlay(tuple(base), entries))

    @classmethod
    def from_data(cls, items: Iterable[Mapping[str, Any]]) -> Vocabulary:
        return cls(e for item in items if (e := Entry.from_data(item)) is not None)

    # --- terms ---------------------------------------------------------------------------------

    def _build_terms(self) -> None:
        claims: dict[str, dict[str, Role]] = defaultdict(dict)  # form -> id -> role
        base_of: dict[tuple[str, str], str] = {}
        abbreviation_claims: dict[str, dict[str, str]] = defaultdict(dict)
        for entry in self.entries.values():
            name = normalize(entry.name)
            variant = number_variant(name)
            for role, _, text in entry.forms():
                if role == "abbreviation":
                    abbreviation_claims[abbreviation_key(text)].setdefault(entry.id, text)
                    continue
                norm = normalize(text)
                if not norm:
                    continue
                if role != "name" and variant is not None and norm == variant[0]:
                    role = "name"  # "hamstring" next to the name "hamstrings": only the number differs
                current = claims[norm].get(entry.id)
                if current is None or _RANK[role] < _RANK[current]:
                    claims[norm][entry.id] = role
                # A synonym is another way of writing the name: it counts as the name (HC609) and is never
                # rewritten (HC607); an alias is a form of its own.
                base_of[(norm, entry.id)] = name if claims[norm][entry.id] != "alias" else norm
        self.claims: dict[str, dict[str, Role]] = dict(claims)
        terms: dict[str, Term] = {}
        for norm, by_id in claims.items():
            ids = tuple(sorted(by_id))
            roles = set(by_id.values())
            kind: Role = "alias" if "alias" in roles else "synonym" if "synonym" in roles else "name"
            terms[norm] = Term(norm, ids, kind, base_of[(norm, ids[0])] if len(ids) == 1 else norm)
        derived: dict[str, list[Term]] = defaultdict(list)
        for norm, term in list(terms.items()):
            variant = number_variant(norm)
            if variant is not None and variant[0] not in terms:
                derived[variant[0]].append(Term(variant[0], term.ids, term.role, term.base, variant[1]))
        for norm, options in derived.items():
            ids = tuple(sorted({i for t in options for i in t.ids}))
            first = options[0]
            terms[norm] = first if len(ids) == len(first.ids) else Term(norm, ids, "alias", norm, first.number)
        self.terms = terms
        self.abbreviations: dict[str, Term] = {
            key: Term(key, tuple(sorted(by_id)), "abbreviation", key) for key, by_id in abbreviation_claims.items()
        }
        self.abbreviation_claims = dict(abbreviation_claims)

    @cached_property
    def scanner(self) -> Scanner:
        return Scanner(self.terms, self.abbreviations)

    def scan(self, text: str, offset: int = 0) -> list[Mention]:
        return self.scanner.scan(text, offset)

    def lookup(self, text: str) -> Term | None:
        """The term a text names exactly: a name or alias in any case, or an abbreviation as recorded."""
        return self.terms.get(normalize(text)) or self.abbreviations.get(abbreviation_key(text))

    # --- ids -----------------------------------------------------------------------------------

    def has(self, record_id: str) -> bool:
        return record_id in self.entries

    def ids(self) -> list[str]:
        return list(self.entries)

    def ids_named(self, value: str) -> tuple[str, ...]:
        """Records whose name, alias or abbreviation is `value` written as an id ("glute-medius", "tfl").

        Written forms only, not their plural or singular: unless a record has the alias "hamstring", the
        id "hamstring" is a typo of the id "hamstrings", not a name.
        """
        norm = normalize(value)
        found = set(self.claims.get(norm, {}))
        for key, by_id in self.abbreviation_claims.items():
            if normalize(key) == norm:
                found |= set(by_id)
        return tuple(sorted(found))

    def id_for_name(self, text: str) -> str | None:
        """The one record a free-text muscle name means: an id, or a name, synonym, alias or abbreviation in
        either number ("Gluteus Medius", "hamstring", "TFL", "glute-medius"); None when it names none or several."""
        if text in self.entries:
            return text
        term = self.lookup(text)
        if term is not None:
            return term.id
        return self.resolve(text)

    def resolve(self, value: str) -> str | None:
        """The id a reference means: the id itself, or the one record a name written as an id names."""
        if value in self.entries:
            return value
        named = self.ids_named(value)
        return named[0] if len(named) == 1 else None

    def suggest_id(self, value: str) -> str | None:
        """The closest id among those `value` can be a misspelling of (`spelling_close`): never across a
        never-merge pair (gluteus-medius is not gluteus-minimus), nor to another muscle (brachialis is not
        gracilis)."""
        return closest(value, [i for i in self.entries if spelling_close(value, i)])

    # --- structure -----------------------------------------------------------------------------

    def members(self, record_id: str) -> list[str]:
        entry = self.entries.get(record_id)
        if entry is None:
            return []
        return [r for m in entry.members if (r := self.resolve(m)) is not None]

    def has_members(self, record_id: str) -> bool:
        entry = self.entries.get(record_id)
        return bool(entry and entry.members)

    def leaves(self, record_id: str) -> frozenset[str]:
        """The single muscles a record stands for: itself, or its members' members (cycles are cut)."""
        cached = self._leaves.get(record_id)
        if cached is None:
            cached = self._leaves[record_id] = self._find_leaves(record_id)
        return cached

    @cached_property
    def _leaves(self) -> dict[str, frozenset[str]]:
        return {}

    def _find_leaves(self, record_id: str) -> frozenset[str]:
        found: set[str] = set()
        seen: set[str] = set()
        stack = [record_id]
        while stack:
            current = stack.pop()
            if current in seen:
                continue
            seen.add(current)
            members = self.members(current)
            if members:
                stack.extend(members)
            elif not self.has_members(current):
                found.add(current)
        return frozenset(found)

    def actions(self, record_id: str) -> frozenset[str]:
        """What a muscle does, or a group: its own actions and every member's."""
        cached = self._actions.get(record_id)
        if cached is None:
            ids = {record_id} | set(self.leaves(record_id))
            cached = self._actions[record_id] = frozenset(
                a for i in ids if (e := self.entries.get(i)) for a in e.actions
            )
        return cached

    @cached_property
    def _actions(self) -> dict[str, frozenset[str]]:
        return {}

    def crosses(self, record_id: str) -> frozenset[str]:
        entry = self.entries.get(record_id)
        return frozenset(entry.crosses) if entry else frozenset()

    def _crosses_within(self, record_id: str) -> frozenset[str]:
        """The joints a record or any record under it crosses: a group crosses what its members cross (the
        quadriceps crosses the hip through rectus femoris). Cycles are cut."""
        found: set[str] = set()
        seen: set[str] = set()
        stack = [record_id]
        while stack:
            current = stack.pop()
            if current not in seen:
                seen.add(current)
                found |= self.crosses(current)
                stack.extend(self.members(current))
        return frozenset(found)

    def incapable(self, record_id: str, wanted: Iterable[str]) -> str | None:
        """Why a muscle or group cannot do any of the `wanted` actions; None when it can or nobody knows."""
        wanted = set(wanted)
        if not wanted:
            return None
        actions = self.actions(record_id)
        crosses = self.crosses(record_id)
        joints = sorted({joint_of(a) for a in wanted})
        if actions:
            if actions & wanted:
                return None
            reason = f"its actions are {', '.join(sorted(actions))}"
            if not self._crosses_within(record_id) & set(joints):
                reason += f", and it is not recorded as crossing the {' or '.join(joints)}"
            return reason
        if crosses and not crosses & set(joints):
            return f"it crosses the {', '.join(sorted(crosses))}, not the {' or '.join(joints)}"
        return None

    def display(self, record_id: str) -> str:
        entry = self.entries.get(record_id)
        return entry.name if entry else record_id

    def canonical(self, term: Term) -> str:
        """The canonical name to write for a term, in the same grammatical number."""
        name = self.display(term.id) if term.id else term.base
        if term.number:
            variant = number_variant(normalize(name))
            if variant is not None and variant[1] == term.number:
                return variant[0]
        return name

    # --- misspellings --------------------------------------------------------------------------

    @cached_property
    def misspelling_finder(self) -> MisspellingFinder:
        return MisspellingFinder(self.terms, self.display)

    def misspellings(
        self, text: str, mentions: Iterable[Mention], offset: int = 0, min_score: float = DEFAULT_MISSPELLING_SCORE
    ) -> list[Misspelling]:
        """Phrases that look like a misspelt name (see `MisspellingFinder.misspellings`)."""
        return self.misspelling_finder.misspellings(text, mentions, offset, min_score)


def overlay(base: tuple[Entry, ...], records: list[Entry]) -> list[Entry]:
    """`records` on top of `base`: a record replaces the base entry with its id; a base entry whose name a
    record of another id claims gives way to it (the house's record names that muscle); a base entry keeps
    its other forms unless a record claims them too. Base entries only ever lose forms, never gain them."""
    if not base:
        return records
    ids = {entry.id for entry in records}
    claimed = {normalize(text) for entry in records for role, _, text in entry.forms() if role != "abbreviation"}
    abbreviated = {abbreviation_key(text) for entry in records for text in entry.abbreviations}
    kept = []
    for entry in base:
        if entry.id in ids or normalize(entry.name) in claimed:
            continue
        synonyms = tuple(s for s in entry.synonyms if normalize(s) not in claimed)
        aliases = tuple(a for a in entry.aliases if normalize(a) not in claimed)
        abbreviations = tuple(a for a in entry.abbreviations if abbreviation_key(a) not in abbreviated)
        if (synonyms, aliases, abbreviations) != (entry.synonyms, entry.aliases, entry.abbreviations):
            entry = dataclasses.replace(entry, synonyms=synonyms, aliases=aliases, abbreviations=abbreviations)
        kept.append(entry)
    return [*kept, *records]
