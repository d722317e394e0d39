"""The muscle vocabulary: every name, alias and abbreviation of the muscle and group records, and one scanner.

Built once per content index from `muscles/`. It answers four questions for the rules:

- ids: is this an id, does a name written as an id resolve to one (`glute-medius` -> `gluteus-medius`),
  and which id is closest without crossing a pair that must never be merged (medius/minimus, ...);
- structure: a group's members down to its single muscles, and what a muscle or group can do
  (its `actions`, its members' actions, the joints it `crosses`);
- prose: where muscles are mentioned in a text. All names are compiled into ONE regular expression,
  shaped as a trie (shared prefixes are matched once, so the work at a text position depends on the
  length of the longest name, not on how many names there are) and run once over each text:
  case-insensitive, plural-aware ("hamstring"/"hamstrings"), tolerant of hyphens and line breaks
  between words ("tensor-fasciae-latae"), never inside another word. Abbreviations ("TFL") match
  with their case as recorded, so "tfl" or the "al" of "et al." are not mentions;
- misspellings: words next to anatomical words are compared with the names they could belong to
  (rapidfuzz), never suggesting across a never-merge pair. Each text is tokenised once and each
  distinct word is looked up once, so this is linear in the text too.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
import weakref
from bisect import bisect_right
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, Field
from rapidfuzz import fuzz
from rapidfuzz.distance import OSA

from hipcheck.diagnostics import Edit
from hipcheck.suggest import closest

if TYPE_CHECKING:
    from hipcheck.index import ContentIndex
    from hipcheck.loader.records import Record
    from hipcheck.loader.yaml_tree import Path

# --- words that fuzzy matching must never merge ---------------------------------------------------

# Each family names different muscles that differ only in this word ("gluteus medius" is not a
# misspelt "gluteus minimus"); every two words of one family form a never-merge pair.
NEVER_MERGE_FAMILIES: tuple[tuple[str, ...], ...] = (
    ("maximus", "medius", "minimus"),
    ("magnus", "minimus"),
    ("magnus", "longus", "brevis", "minimus"),
    ("internus", "externus"),
    ("internal", "external"),
    ("superior", "inferior"),
    ("major", "minor"),
    ("abductor", "adductor"),
    ("abduction", "adduction"),
    ("quadratus", "quadriceps"),
    ("lateralis", "medialis", "intermedius"),
    ("semitendinosus", "semimembranosus"),
    ("flexor", "extensor"),
    ("flexion", "extension"),
    ("medial", "lateral"),
    ("anterior", "posterior"),
    ("superficial", "deep"),
)
NEVER_MERGE: tuple[tuple[str, str], ...] = tuple(
    dict.fromkeys(
        (a, b) for family in NEVER_MERGE_FAMILIES for i, a in enumerate(family) for b in family[i + 1 :] if a != b
    )
)


# Words of real muscles outside a hip vocabulary (arm, shoulder, trunk, leg, foot, head). A text that uses
# one names that muscle correctly: it is never a misspelling of a hip muscle's word ("brachialis" is not a
# misspelt "gracilis", nor "pectoralis" a misspelt "pectineus"), however close the letters are.
OTHER_MUSCLE_WORDS = frozenset(
    "brachialis brachii brachioradialis coracobrachialis anconeus triceps deltoid deltoids deltoideus pectoralis "
    "teres trapezius latissimus dorsi rhomboid rhomboids rhomboideus supraspinatus infraspinatus subscapularis "
    "serratus levator scapulae sartorius popliteus plantaris gastrocnemius soleus tibialis peroneus peroneal "
    "fibularis abdominis obliquus oblique obliques transversus multifidus erector spinae iliocostalis "
    "longissimus spinalis scalene scalenes sternocleidomastoid masseter temporalis platysma pollicis hallucis "
    "digitorum digiti lumborum palmaris carpi radialis ulnaris pronator supinator lumbricals interossei "
    "diaphragm intercostal intercostals".split()
)


def spelling_close(written: str, name: str) -> bool:
    """Whether `written` can be a misspelling of `name` (a did-you-mean never crosses to another muscle).

    Same number of words, and each word equal to the name's word there, or a small edit of it (at most
    1 edit up to 7 letters, 2 up to 14, 3 beyond) that keeps its first letter, or in a name of several
    words, the word cut short ("glute medius"). A word that names
    another muscle (OTHER_MUSCLE_WORDS) or a never-merge pair (medius/minimus) is never a typo:
    brachialis is not gracilis, biceps brachii not biceps femoris, teres not tensor.
    """
    a = [w for w in re.split(r"[^a-z]+", written.lower()) if w]
    b = [w for w in re.split(r"[^a-z]+", name.lower()) if w]
    if len(a) != len(b) or not a or crosses_never_merge(written, name):
        return False
    for w, f in zip(a, b, strict=True):
        if w == f:
            continue
        if w in OTHER_MUSCLE_WORDS or w[0] != f[0]:
            return False
        cut_short = len(a) > 1 and len(w) >= 4 and f.startswith(w)  # "glute medius"; a lone "iliac" is not
        if OSA.distance(w, f) > _max_edits(len(f)) and not cut_short:
            return False
    return True


def words(text: str) -> set[str]:
    """The words of a name or id, each also without a plural "s" ("hip-abductors" has "abductor")."""
    found = {w for w in re.split(r"[^a-z]+", text.lower()) if w}
    return found | {w[:-1] for w in found if w.endswith("s") and len(w) > 3}


def crosses_never_merge(a: str, b: str) -> bool:
    """True when `a` and `b` differ by a never-merge pair (medius/minimus, abductor/adductor, ...)."""
    wa, wb = words(a), words(b)
    return any((x in wa and y in wb and y not in wa) or (y in wa and x in wb and x not in wa) for x, y in NEVER_MERGE)


# --- normalising names ----------------------------------------------------------------------------

_SEPARATORS = re.compile(r"[\s\-\u2010\u2011_]+")
_LATIN_ENDINGS = ("us", "is", "ae", "um", "ps", "ss", "as", "os", "i", "a", "x")
_IRREGULAR_PLURALS = {"calves": "calf"}


def normalize(text: str) -> str:
    """Lower case, one space between words: how names are compared ("Glute-Medius" = "glute medius")."""
    text = unicodedata.normalize("NFKC", text).replace("\u2019", "'")
    return _SEPARATORS.sub(" ", text).strip().lower()


def _abbreviation_key(text: str) -> str:
    return _SEPARATORS.sub(" ", unicodedata.normalize("NFKC", text)).strip()


def number_variant(norm: str) -> tuple[str, Literal["plural", "singular"]] | None:
    """The other grammatical number of a normalized English-style name; None for Latin names.

    "glutes" -> "glute", "hip flexors" -> "hip flexor", "hamstring" -> "hamstrings"; "gluteus medius",
    "quadriceps", "psoas", "tensor fasciae latae" have none (their last word is Latin or invariant).
    """
    head, _, last = norm.rpartition(" ")
    if not last.isalpha() or len(last) < 3:
        return None
    prefix = f"{head} " if head else ""
    if last in _IRREGULAR_PLURALS:
        return prefix + _IRREGULAR_PLURALS[last], "singular"
    if last.endswith("s"):
        return None if last.endswith(_LATIN_ENDINGS) else (prefix + last[:-1], "singular")
    return None if last.endswith(_LATIN_ENDINGS) else (prefix + last + "s", "plural")


def joint_of(action: str) -> str:
    """The joint of a joint action: "hip-flexion" -> "hip", "trunk-lateral-flexion" -> "trunk"."""
    return action.split("-", 1)[0]


# --- options -------------------------------------------------------------------------------------

DEFAULT_ALLOWED_INFORMAL: tuple[str, ...] = ("glutes",)
DEFAULT_MISSPELLING_SCORE = 85.0


class MuscleOptions(BaseModel):
    """`[tool.hipcheck.muscles]`: how the muscle rules read prose."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True, title="hipcheck muscle options")

    allowed_informal: list[str] = Field(
        default_factory=lambda: list(DEFAULT_ALLOWED_INFORMAL),
        alias="allowed-informal",
        description=(
            "Aliases the publisher accepts in prose (plural or singular), e.g. glutes; they are not "
            "reported as non-canonical names and do not count as a second name for a muscle."
        ),
    )
    misspelling_score: float = Field(
        DEFAULT_MISSPELLING_SCORE,
        ge=50,
        le=100,
        alias="misspelling-score",
        description="How similar (rapidfuzz ratio, 0-100) a phrase must be to a muscle name to be reported as a typo.",
    )

    def allows(self, term: Term) -> bool:
        """Whether prose may use the term: one of the allowed informal terms, in either number."""
        return term.norm in self._allowed or term.base in self._allowed

    @cached_property
    def _allowed(self) -> frozenset[str]:
        allowed = {normalize(a) for a in self.allowed_informal}
        return frozenset(allowed | {v[0] for a in allowed if (v := number_variant(a))})


def options_from(config: Any) -> MuscleOptions:
    """The muscle options of a configuration (before `muscles` is a Config field: the defaults)."""
    value = getattr(config, "muscles", None)
    if isinstance(value, MuscleOptions):
        return value
    if isinstance(value, Mapping):
        return MuscleOptions.model_validate(dict(value))
    if value is not None and hasattr(value, "allowed_informal"):
        return MuscleOptions.model_validate(value, from_attributes=True)
    return MuscleOptions.model_validate({})


# --- records -------------------------------------------------------------------------------------

# name: the canonical name; synonym: an accepted name (an anatomical short form or an Uberon synonym), which
# prose may use; alias: an informal name or variant spelling, which prose should not; abbreviation: "TFL".
Role = Literal["name", "synonym", "alias", "abbreviation"]
_RANK: dict[str, int] = {"name": 0, "synonym": 1, "alias": 2, "abbreviation": 3}  # a record's strongest claim wins


def _strings(value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    return tuple(v for v in value if isinstance(v, str) and v.strip()) if isinstance(value, list) else ()


@dataclass(frozen=True, slots=True)
class Entry:
    """One muscle or group record, as the vocabulary sees it."""

    id: str
    kind: str
    name: str
    aliases: tuple[str, ...] = ()
    abbreviations: tuple[str, ...] = ()
    synonyms: tuple[str, ...] = ()
    members: tuple[str, ...] = ()
    part_of: tuple[str, ...] = ()
    actions: tuple[str, ...] = ()
    crosses: tuple[str, ...] = ()
    grouping: str | None = None
    record: Record | None = field(default=None, compare=False, repr=False)

    @classmethod
    def from_data(cls, data: Mapping[str, Any], record: Record | None = None) -> Entry | None:
        record_id = data.get("id")
        if not isinstance(record_id, str) or not record_id:
            return None
        name, kind = data.get("name"), data.get("kind")
        return cls(
            id=record_id,
            kind=kind if isinstance(kind, str) else "muscle",
            name=name.strip() if isinstance(name, str) and name.strip() else record_id.replace("-", " "),
            aliases=_strings(data.get("aliases")),
            synonyms=_strings(data.get("synonyms")),
            abbreviations=_strings(data.get("abbreviations")),
            members=_strings(data.get("members")),
            part_of=_strings(data.get("part_of")),
            actions=_strings(data.get("actions")),
            crosses=_strings(data.get("crosses")),
            grouping=data.get("grouping") if isinstance(data.get("grouping"), str) else None,
            record=record,
        )

    def forms(self) -> Iterator[tuple[Role, int | None, str]]:
        """(role, index in its list, text) of the name, each synonym, each alias and each abbreviation."""
        yield "name", None, self.name
        for i, synonym in enumerate(self.synonyms):
            yield "synonym", i, synonym
        for i, alias in enumerate(self.aliases):
            yield "alias", i, alias
        for i, abbreviation in enumerate(self.abbreviations):
            yield "abbreviation", i, abbreviation


@dataclass(frozen=True, slots=True)
class Term:
    """A text form the scanner recognises, and what it stands for."""

    norm: str  # the form, normalized (an abbreviation keeps its case)
    ids: tuple[str, ...]  # the records it names; more than one when records claim the same form
    role: Role
    base: str  # the written form it comes from (a plural or singular variant has its base form here)
    number: Literal["", "plural", "singular"] = ""  # "": as written in the record

    @property
    def id(self) -> str | None:
        return self.ids[0] if len(self.ids) == 1 else None


@dataclass(frozen=True, slots=True)
class Mention:
    start: int  # offsets in the scanned text (plus the offset the caller gave)
    end: int
    text: str
    term: Term


@dataclass(frozen=True, slots=True)
class Misspelling:
    start: int
    end: int
    text: str
    suggestion: str  # the canonical name
    id: str
    score: float


# --- the scanner ---------------------------------------------------------------------------------

# Between two words of a name: spaces, or a hyphen or one line break with spaces around it.
_WORD_GAP = r"(?:[ \t\u00a0]+|[ \t\u00a0]*(?:[-\u2010\u2011]|\r?\n)[ \t\u00a0]*)"
_GAP = re.compile(_WORD_GAP)


# The longest form (name, alias or abbreviation) the scanner looks for; longer ones are left out of the
# pattern. Real names have under 50 characters. Forms that are prefixes of one another nest the trie's
# groups, and Python's `re` compiles nested groups recursively (about 450 levels overflow its stack);
# each character adds at most two levels.
MAX_TERM_CHARS = 100


def _trie_pattern(forms: Iterable[str]) -> str:
    """One regex for all forms: a character trie, longest form first at every branch point."""
    trie: dict[str, Any] = {}
    for form in forms:
        if len(form) > MAX_TERM_CHARS:
            continue
        node = trie
        for char in form:
            node = node.setdefault(char, {})
        node[""] = {}
    return _emit(trie)


def _emit(root: dict[str, Any]) -> str:
    """The trie as a pattern, built children first with an explicit stack (forms are input: no recursion)."""
    emitted: dict[int, str] = {}
    stack: list[tuple[dict[str, Any], bool]] = [(root, False)]
    while stack:
        node, children_done = stack.pop()
        if not children_done:
            stack.append((node, True))
            stack.extend((child, False) for char, child in node.items() if char)
            continue
        branches = [
            (_WORD_GAP if char == " " else re.escape(char)) + emitted.pop(id(node[char]))
            for char in sorted(node)
            if char
        ]
        if not branches:
            emitted[id(node)] = ""
            continue
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        emitted[id(node)] = f"(?:{body})?" if "" in node else body
    return emitted[id(root)]


class Scanner:
    """All terms of a vocabulary in one compiled pattern; `scan` runs it once over a text."""

    def __init__(self, terms: Mapping[str, Term], abbreviations: Mapping[str, Term]) -> None:
        self.terms = terms
        self.abbreviations = abbreviations
        self._names = f"(?P<name>{_trie_pattern(terms)})" if terms else None
        self._abbreviated = f"(?P<abbr>{_trie_pattern(abbreviations)})" if abbreviations else None

    # Each pattern is compiled on first use: a pre-commit run on one file may need only one of them.
    @cached_property
    def pattern(self) -> re.Pattern[str]:
        return re.compile(_bounded([self._names, self._abbreviated and f"(?-i:{self._abbreviated})"]), re.IGNORECASE)

    @cached_property
    def lowered_pattern(self) -> re.Pattern[str]:
        """For ASCII text, lowered once and matched case-sensitively, which `re` does about twice as fast
        as matching case-insensitively; an abbreviation found that way is then checked in its own case."""
        lowered = {key.lower() for key in self.abbreviations}
        return re.compile(_bounded([self._names, f"(?P<abbr>{_trie_pattern(lowered)})" if lowered else None]))

    @cached_property
    def abbreviation_pattern(self) -> re.Pattern[str]:
        return re.compile(_bounded([self._abbreviated]))

    def scan(self, text: str, offset: int = 0) -> list[Mention]:
        if text.isascii():
            return self._scan_ascii(text, offset)
        if self._ascii_terms and _FOLDS_TO_ASCII.search(text) is None:
            return self._scan_ascii(_as_ascii(text), offset, text)
        return self._scan_mixed(text, offset)

    @cached_property
    def _ascii_terms(self) -> bool:
        return all(form.isascii() for form in (*self.terms, *self.abbreviations))

    def _scan_mixed(self, text: str, offset: int) -> list[Mention]:
        found = []
        for match in self.pattern.finditer(text):
            written = match.group()
            if match.lastgroup == "name":
                term = self.terms.get(normalize(written))
            else:
                term = self.abbreviations.get(_abbreviation_key(written))
            if term is not None:
                found.append(Mention(match.start() + offset, match.end() + offset, written, term))
        return found

    def _scan_ascii(self, text: str, offset: int, original: str | None = None) -> list[Mention]:
        """`scan` for ASCII text, finding exactly what the case-insensitive pattern finds; `text` may
        stand for an `original` with other characters (see `_as_ascii`)."""
        found = []
        lowered = text.lower()
        text = text if original is None else original
        position = 0
        for match in self._lowered_matches(lowered):
            start, end = match.span()
            if start < position:
                continue  # inside the previous mention: `search` from its end would not find it
            if match.lastgroup == "name":
                written = text[start:end]
                term = self.terms.get(normalize(written))
            else:  # the mixed pattern tries abbreviations in their own case here, after the names failed
                exact = self.abbreviation_pattern.match(text, start)
                if exact is None:
                    position = start + 1
                    continue
                end = exact.end()
                written = text[start:end]
                term = self.abbreviations.get(_abbreviation_key(written))
            position = end
            if term is not None:
                found.append(Mention(start + offset, end + offset, written, term))
        return found

    def _lowered_matches(self, lowered: str) -> Iterator[re.Match[str]]:
        """Where `lowered_pattern` matches, at each place a `search` loop would try: only where a word
        that begins some form stands whole. Those few places are found with `str.find`; a search tries
        the pattern at every character."""
        firsts = self._first_words
        if firsts is None:
            search, position = self.lowered_pattern.search, 0
            while (match := search(lowered, position)) is not None:
                yield match
                position = match.start() + 1
            return
        match_at = self.lowered_pattern.match
        present = firsts.intersection(lowered.translate(_ASCII_NON_WORD).split())
        for start, _, _ in _whole_occurrences(lowered, present, _is_ascii_word_char):
            match = match_at(lowered, start)
            if match is not None:
                yield match

    @cached_property
    def _first_words(self) -> frozenset[str] | None:
        """The word (`\\w+`) each lower-cased form begins with: a match of `lowered_pattern` starts with one
        of them, standing whole in the text, since a form's first word is followed by a separator or by
        the form's end. None when a form begins with another character."""
        firsts = set()
        for form in (*self.terms, *(key.lower() for key in self.abbreviations)):
            word = _LEADING_WORD.match(form)
            if word is None:
                return None
            firsts.add(word.group())
        return frozenset(firsts)


_LEADING_WORD = re.compile(r"\w+")
_ASCII_NON_WORD = str.maketrans({chr(c): " " for c in range(128) if not (chr(c).isalnum() or chr(c) == "_")})


def _is_ascii_word_char(char: str) -> bool:
    return char.isalnum() or char == "_"


def _whole_occurrences(text: str, words: Iterable[str], word_char: Callable[[str], bool]) -> list[tuple[int, int, str]]:
    """(start, end, word) wherever one of `words` stands whole in `text` (no `word_char` on either side), in
    text order: `str.find` skips to the few candidates, where a pattern would be tried at every position."""
    found = []
    for word in words:
        start = text.find(word)
        while start >= 0:
            end = start + len(word)
            if not (start and word_char(text[start - 1])) and not (end < len(text) and word_char(text[end])):
                found.append((start, end, word))
            start = text.find(word, end)  # a whole word cannot start inside this occurrence
    found.sort()
    return found


# The characters other than ASCII that a case-insensitive pattern of ASCII letters can match.
_FOLDS_TO_ASCII = re.compile("[\u0130\u0131\u017f\u212a]")


def folded_for_cues(text: str) -> str | None:
    """`text` lower-cased, in which an ASCII word occurs exactly when a case-insensitive pattern finds it
    in `text`; None when `text` holds one of the few other characters such a pattern matches."""
    return text.lower() if text.isascii() or _FOLDS_TO_ASCII.search(text) is None else None


_NOT_ASCII = re.compile(r"[^\x00-\x7f]")
_WORD = re.compile(r"\w")


@lru_cache(maxsize=4096)
def _ascii_stand_in(char: str) -> str:
    """An ASCII character that a pattern of ASCII names treats as it treats `char`: the separators
    `_WORD_GAP` allows as themselves, other word characters as "_" and the rest as NUL (no name holds
    either)."""
    if char == "\u00a0":
        return " "
    if char in "\u2010\u2011":
        return "-"
    return "_" if _WORD.match(char) else "\0"


def _as_ascii(text: str) -> str:
    """`text` with each character other than ASCII replaced by its stand-in: same length, same offsets."""
    return _NOT_ASCII.sub(lambda match: _ascii_stand_in(match.group()), text)


def _bounded(branches: list[str | None]) -> str:
    """Alternatives matched as whole words; a pattern that never matches when there are none."""
    present = [branch for branch in branches if branch]
    return r"(?<!\w)(?:" + "|".join(present) + r")(?!\w)" if present else r"(?!x)x"


# --- the misspelling detector ----------------------------------------------------------------------

_TOKEN = re.compile(r"[^\W\d_]+")
# Words of names too common in English to anchor a typo search ("the major factors", "deep breath").
_COMMON_WORDS = frozenset(
    "of the and hip hips muscle muscles group groups major minor superior inferior deep long short lower "
    "upper middle back front side great small lateral medial".split()
)
_MIN_TOKEN = 5
# Movements, not muscles: "hip adductions" is an exercise, not a misspelt "hip adductors".
_MOVEMENTS = frozenset(
    "flexion extension hyperextension abduction adduction rotation circumduction elevation depression "
    "protraction retraction inversion eversion".split()
)


def _max_edits(length: int) -> int:
    return 1 if length <= 7 else 2 if length <= 14 else 3


def _lower_same_length(match: re.Match[str]) -> str:
    word = match.group()
    lowered = word.lower()
    return lowered if len(lowered) == len(word) else word


_ASCII_NON_LETTERS = str.maketrans({chr(c): " " for c in range(128) if not chr(c).isalpha()})


def _words(text: str) -> list[str]:
    """The words of a text as `_TOKEN` finds them; ASCII text the faster way (`str.translate` is fast
    only on ASCII)."""
    return text.translate(_ASCII_NON_LETTERS).split() if text.isascii() else _TOKEN.findall(text)


def _is_letter(char: str) -> bool:
    """Whether `char` is a character of a `_TOKEN` word."""
    return char.isalpha() if char.isascii() else _TOKEN.fullmatch(char) is not None


# --- the vocabulary --------------------------------------------------------------------------------


class Vocabulary:
    def __init__(self, entries: Iterable[Entry]) -> None:
        self.entries: dict[str, Entry] = {}
        for entry in sorted(entries, key=lambda e: e.id):
            self.entries.setdefault(entry.id, entry)
        self._build_terms()

    @classmethod
    def from_records(cls, records: Iterable[Record]) -> Vocabulary:
        entries = []
        for record in records:
            if record.kind == "muscle" and record.loaded:
                entry = Entry.from_data(record.data, record)
                if entry is not None:
                    entries.append(entry)
        return cls(entries)

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
                    abbreviation_claims[_abbreviation_key(text)].setdefault(entry.id, text)
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
        return self.terms.get(normalize(text)) or self.abbreviations.get(_abbreviation_key(text))

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
            if not crosses & set(joints):
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
    def _word_index(self) -> dict[str, dict[tuple[int, int], dict[tuple[str, ...], list[str]]]]:
        """Anchor word -> (its position in a name, the name's length in words) -> initials -> names.

        A typo keeps the first letter of every word, so a window of text is only ever compared with
        the names whose words start with the same letters: the work per word of text stays small
        however many names share the anchor word.
        """
        index: dict[str, dict[tuple[int, int], dict[tuple[str, ...], list[str]]]] = {}
        for norm, term in self.terms.items():
            if term.number or term.id is None:
                continue
            parts = norm.split(" ")
            initials = tuple(p[:1] for p in parts)
            for position, word in enumerate(parts):
                if len(word) >= _MIN_TOKEN - 1 and word not in _COMMON_WORDS and word.isalpha():
                    shapes = index.setdefault(word, {})
                    shapes.setdefault((position, len(parts)), {}).setdefault(initials, []).append(norm)
        return index

    @cached_property
    def _words_by_initial(self) -> dict[str, list[str]]:
        by_initial: dict[str, list[str]] = defaultdict(list)
        for word in self._word_index:
            by_initial[word[0]].append(word)
        return dict(by_initial)

    @cached_property
    def _anchor_cache(self) -> dict[str, tuple[str, ...]]:
        return {}

    def _anchors(self, token: str) -> tuple[str, ...]:
        """Name words a text word is, or could be a typo of (same initial, a few edits)."""
        cached = self._anchor_cache.get(token)
        if cached is not None:
            return cached
        if token in self._word_index:
            found: tuple[str, ...] = (token,)
        elif len(token) < _MIN_TOKEN or token in _COMMON_WORDS:
            found = ()
        else:
            found = tuple(
                w
                for w in self._words_by_initial.get(token[0], ())
                if abs(len(w) - len(token)) <= 2
                and OSA.distance(token, w, score_cutoff=_max_edits(len(w))) <= _max_edits(len(w))
            )
        self._anchor_cache[token] = found
        return found

    @cached_property
    def _hit_words(self) -> tuple[set[str], set[str]]:
        """(words seen so far, those among them that can start a typo window), grown as texts come in."""
        return set(), set()

    def _is_hit(self, word: str) -> bool:
        """A word that could be part of a misspelt name: a look-alike of a name's word, or a word of a
        name of several words (a correct one-word name is a mention, never a typo)."""
        anchors = self._anchors(word)
        if not anchors:
            return False
        if word not in self._word_index:
            # A movement ("abductions") is never a changed word of a typo (see `_typo_of`), nor a name's word.
            return word not in _MOVEMENTS and word.removesuffix("s") not in _MOVEMENTS
        return any(size > 1 for _, size in self._word_index[word])

    def _outside_closed_mentions(self, lowered: str, mentions: list[tuple[int, int]], offset: int) -> str:
        """`lowered` with the closed mentions (see `_extends`) blanked out, same length."""
        pieces: list[str] = []
        position = 0
        for start, end in mentions:
            start, end = start - offset, end - offset
            if start < position or self._extends(lowered[start:end]):
                continue
            pieces += [lowered[position:start], " " * (end - start)]
            position = end
        if not pieces:
            return lowered
        pieces.append(lowered[position:])
        return "".join(pieces)

    def _extends(self, mention: str) -> bool:
        """Whether a window of text around this mention, longer than it, could be a typo of some name.

        `_typo_of` wants every word of a window equal to the name's word there, or a small edit of it
        with the same initial. A mention whose words are close, in that sense, to no run of words inside
        a longer name is closed: windows around it are the mention itself, cut it, or never match.
        """
        cached = self._extends_cache.get(mention)
        if cached is None:
            words = _TOKEN.findall(mention)
            size = len(words)
            cached = any(
                all(_close(word, name[start + j]) for j, word in enumerate(words))
                for name in self._longer_names(size)
                for start in range(len(name) - size + 1)
            )
            self._extends_cache[mention] = cached
        return cached

    def _longer_names(self, size: int) -> list[tuple[str, ...]]:
        """The words of each name the typo search compares windows with, for names of more than `size` words."""
        return [name for name in self._searched_names if len(name) > size]

    @cached_property
    def _searched_names(self) -> list[tuple[str, ...]]:
        names = {
            tuple(norm.split(" "))
            for shapes in self._word_index.values()
            for by_initials in shapes.values()
            for norms in by_initials.values()
            for norm in norms
        }
        return sorted(names)

    @cached_property
    def _extends_cache(self) -> dict[str, bool]:
        return {}

    @cached_property
    def _max_words(self) -> int:
        """The most words a name has."""
        return max((size for shapes in self._word_index.values() for _, size in shapes), default=1)

    def misspellings(
        self, text: str, mentions: Iterable[Mention], offset: int = 0, min_score: float = DEFAULT_MISSPELLING_SCORE
    ) -> list[Misspelling]:
        """Phrases that look like a misspelt name, linear in the text.

        The distinct words of the text are collected in one pass and each new word is judged once per
        vocabulary; the occurrences of the few words that can start a typo are found with one pattern,
        and only the words around them are compared with names.
        """
        lowered = text.lower()
        if len(lowered) != len(text):  # a character whose lower case is longer: compare word by word
            lowered = _TOKEN.sub(_lower_same_length, text)
        ordered = sorted((m.start, m.end) for m in mentions)
        # Words inside a mention that no longer name can extend start no window that could be a typo.
        outside = self._outside_closed_mentions(lowered, ordered, offset)
        seen, hits = self._hit_words
        found = set(_words(outside))
        if not seen.issuperset(found):
            for word in found - seen:
                if self._is_hit(word):
                    hits.add(word)
            seen |= found
        present = found & hits
        if not present:
            return []
        spans = ([s for s, _ in ordered], [e for _, e in ordered])
        reach = 40 * self._max_words
        candidates: dict[tuple[int, int], Misspelling] = {}
        more = self._max_words - 1
        for hit_start, hit_end, word in _whole_occurrences(outside, present, _is_letter):
            low, high = max(0, hit_start - reach), min(len(lowered), hit_end + reach)
            before = list(_TOKEN.finditer(lowered, low, hit_start))
            following = _TOKEN.search(lowered, hit_end, high)
            initials = (before[-1].group()[0] if before else "", following.group()[0] if following else "")
            if not self._could_start_window(word, *initials):
                continue
            if before and before[0].start() == low and low > 0 and _TOKEN.match(lowered, low - 1):
                before = before[1:]  # cut by the reach: not a whole word
            after = list(itertools.islice(_TOKEN.finditer(lowered, hit_end, high), more))
            if after and after[-1].end() == high and _TOKEN.match(lowered, high):
                after = after[:-1]
            before = before[len(before) - more :] if more else []
            hit = (hit_start + offset, hit_end + offset, word)
            tokens = [*((m.start() + offset, m.end() + offset, m.group()) for m in before), hit]
            tokens += [(m.start() + offset, m.end() + offset, m.group()) for m in after]
            self._windows(text, tokens, len(before), offset, spans, min_score, candidates)
        return _best_non_overlapping(candidates.values())

    def _could_start_window(self, word: str, before: str, after: str) -> bool:
        """Whether some window around `word` can have a name's initials, given the initials of the words
        just before and after it ("" for none): windows of several words need those to match."""
        key = (word, before, after)
        cached = self._start_cache.get(key)
        if cached is None:
            cached = self._start_cache[key] = any(
                (position == 0 or before == initials[position - 1])
                and (position == size - 1 or after == initials[position + 1])
                for anchor in self._anchors(word)
                for (position, size), by_initials in self._word_index[anchor].items()
                for initials in by_initials
            )
        return cached

    @cached_property
    def _start_cache(self) -> dict[tuple[str, str, str], bool]:
        return {}

    def _windows(
        self,
        text: str,
        tokens: list[tuple[int, int, str]],
        i: int,
        offset: int,
        spans: tuple[list[int], list[int]],
        min_score: float,
        candidates: dict[tuple[int, int], Misspelling],
    ) -> None:
        """Compare the windows of words around token `i` with the names its word may belong to."""
        for anchor in self._anchors(tokens[i][2]):
            for (position, size), by_initials in self._word_index[anchor].items():
                first, last = i - position, i - position + size - 1
                if first < 0 or last >= len(tokens):
                    continue
                window = tokens[first : last + 1]
                forms = by_initials.get(tuple(t[:1] for _, _, t in window))
                if not forms:
                    continue
                start, end = window[0][0], window[-1][1]
                if not self._joined(text, tokens, first, last, offset) or _inside_or_crossing(start, end, spans):
                    continue
                written = " ".join(t for _, _, t in window)
                if written in self.terms:
                    continue
                for form in forms:
                    if crosses_never_merge(written, form) or not _typo_of(written, form):
                        continue
                    score = fuzz.ratio(written, form)
                    previous = candidates.get((start, end))
                    if score >= min_score and (previous is None or score > previous.score):
                        term_id = self.terms[form].id
                        assert term_id is not None
                        found = text[start - offset : end - offset]
                        candidates[(start, end)] = Misspelling(start, end, found, self.display(term_id), term_id, score)

    @staticmethod
    def _joined(text: str, tokens: list[tuple[int, int, str]], first: int, last: int, offset: int) -> bool:
        """True when consecutive words are separated only as the words of one name may be."""
        return all(
            _GAP.fullmatch(text, tokens[k][1] - offset, tokens[k + 1][0] - offset) is not None
            for k in range(first, last)
        )


def _close(word: str, name_word: str) -> bool:
    """A word `_typo_of` accepts in place of a name's word (a necessary condition, not a sufficient one)."""
    return word == name_word or (
        word[:1] == name_word[:1] and OSA.distance(word, name_word) <= _max_edits(len(name_word))
    )


def _typo_of(written: str, form: str) -> bool:
    """A few edits in all, each changed word a small edit of the name's word with the same first letter;
    never a movement ("hip adductions"), nor a one-word name cut short (the adjectives "iliac", "piriform")."""
    if OSA.distance(written, form) > _max_edits(len(form)):
        return False
    pairs = list(zip(written.split(" "), form.split(" "), strict=True))
    for w, f in pairs:
        if w == f:
            continue
        if w in _MOVEMENTS or w.removesuffix("s") in _MOVEMENTS or (len(pairs) == 1 and f.startswith(w)):
            return False
        if w in OTHER_MUSCLE_WORDS:
            return False  # a real muscle's word ("brachialis"), not a misspelt hip muscle's
        if w[0] != f[0] or OSA.distance(w, f) > _max_edits(len(f)):
            return False
    return True


def _inside_or_crossing(start: int, end: int, spans: tuple[list[int], list[int]]) -> bool:
    """A window that is part of a known mention, or cuts one in two, is not a typo of another name.

    `spans` holds the (non-overlapping, sorted) mentions' starts and ends; only the few mentions that
    overlap the window are looked at.
    """
    starts, ends = spans
    i = bisect_right(ends, start)
    while i < len(starts) and starts[i] < end:
        s, e = starts[i], ends[i]
        if (s <= start and end <= e) or s < start < e or s < end < e:
            return True
        i += 1
    return False


def _best_non_overlapping(found: Iterable[Misspelling]) -> list[Misspelling]:
    chosen: list[Misspelling] = []
    for item in sorted(found, key=lambda m: (-m.score, -(m.end - m.start), m.start)):
        if all(item.end <= c.start or c.end <= item.start for c in chosen):
            chosen.append(item)
    return sorted(chosen, key=lambda m: m.start)


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def muscle_refs(record: Record) -> Iterator[tuple[Path, str]]:
    """(path, value) of every muscle id a record names: exercise roles, or members and part_of."""
    data = record.data
    if record.kind == "exercise":
        muscles = data.get("muscles")
        muscles = muscles if isinstance(muscles, dict) else {}
        for role in ("primary", "secondary"):
            for i, value in enumerate(_list(muscles.get(role))):
                if isinstance(value, str):
                    yield ("muscles", role, i), value
    elif record.kind == "muscle":
        for key in ("members", "part_of"):
            for i, value in enumerate(_list(data.get(key))):
                if isinstance(value, str):
                    yield (key, i), value


def value_edit(record: Record, path: Path, new: str) -> Edit:
    """Replace the scalar at `path` with `new`, written in its style (quoted where it was quoted)."""
    span = record.span(path)
    return Edit(span.offset, span.end_offset, record.scalar_text(path, new))


# --- one vocabulary per content index ----------------------------------------------------------------

_BY_INDEX: weakref.WeakKeyDictionary[ContentIndex, Vocabulary] = weakref.WeakKeyDictionary()


def share_vocabulary(index: ContentIndex, vocabulary: Vocabulary) -> None:
    """Use an already built vocabulary for `index` (a scoped view of the index it was built from)."""
    _BY_INDEX[index] = vocabulary


def vocabulary_for(index: ContentIndex) -> Vocabulary:
    """The vocabulary of an index's muscle records, built once per index."""
    vocabulary = _BY_INDEX.get(index)
    if vocabulary is None:
        vocabulary = Vocabulary.from_records(index.of_kind("muscle"))
        _BY_INDEX[index] = vocabulary
    return vocabulary
