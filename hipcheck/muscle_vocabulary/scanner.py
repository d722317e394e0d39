"""Finding muscle names in prose: every name of a vocabulary compiled into ONE regular expression.

The pattern is shaped as a trie (shared prefixes are matched once, so the work at a text position depends on
the length of the longest name, not on how many names there are) and run once over each text:
case-insensitive, plural-aware, tolerant of hyphens and line breaks between words, never inside another
word. Abbreviations ("TFL") match with their case as recorded, so "tfl" or the "al" of "et al." are not
mentions.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from functools import cached_property, lru_cache
from typing import Any

from hipcheck.muscle_vocabulary.entries import Mention, Term
from hipcheck.muscle_vocabulary.names import abbreviation_key, normalize

# Between two words of a name: spaces, or a hyphen or one line break with spaces around it.
_WORD_GAP = r"(?:[ \t\u00a0]+|[ \t\u00a0]*(?:[-\u2010\u2011]|\r?\n)[ \t\u00a0]*)"
GAP = re.compile(_WORD_GAP)


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
                term = self.abbreviations.get(abbreviation_key(written))
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
                term = self.abbreviations.get(abbreviation_key(written))
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
        for start, _, _ in whole_occurrences(lowered, present, _is_ascii_word_char):
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


def whole_occurrences(text: str, words: Iterable[str], word_char: Callable[[str], bool]) -> list[tuple[int, int, str]]:
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
