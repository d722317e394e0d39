"""Misspelt muscle names in prose, found in time linear in the text.

Words next to anatomical words are compared with the names they could belong to (rapidfuzz), never
suggesting across a never-merge pair. Each text is tokenised once and each distinct word is looked up
once per vocabulary.
"""

from __future__ import annotations

import itertools
import re
from bisect import bisect_right
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from functools import cached_property

from rapidfuzz import fuzz
from rapidfuzz.distance import OSA

from hipcheck.muscle_vocabulary.entries import Mention, Misspelling, Term
from hipcheck.muscle_vocabulary.names import max_edits
from hipcheck.muscle_vocabulary.never_merge import NEVER_TYPOS, crosses_never_merge
from hipcheck.muscle_vocabulary.options import DEFAULT_MISSPELLING_SCORE
from hipcheck.muscle_vocabulary.scanner import GAP, whole_occurrences

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


class MisspellingFinder:
    """The typo search over one vocabulary's terms; its caches grow with the texts it has seen."""

    def __init__(self, terms: Mapping[str, Term], display: Callable[[str], str]) -> None:
        self.terms = terms
        self.display = display

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
                and OSA.distance(token, w, score_cutoff=max_edits(len(w))) <= max_edits(len(w))
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
        for hit_start, hit_end, word in whole_occurrences(outside, present, _is_letter):
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
            GAP.fullmatch(text, tokens[k][1] - offset, tokens[k + 1][0] - offset) is not None
            for k in range(first, last)
        )


def _close(word: str, name_word: str) -> bool:
    """A word `_typo_of` accepts in place of a name's word (a necessary condition, not a sufficient one)."""
    return word == name_word or (
        word[:1] == name_word[:1] and OSA.distance(word, name_word) <= max_edits(len(name_word))
    )


def _typo_of(written: str, form: str) -> bool:
    """A few edits in all, each changed word a small edit of the name's word with the same first letter;
    never a movement ("hip adductions"), nor a one-word name cut short (the adjectives "iliac", "piriform")."""
    if OSA.distance(written, form) > max_edits(len(form)):
        return False
    pairs = list(zip(written.split(" "), form.split(" "), strict=True))
    for w, f in pairs:
        if w == f:
            continue
        if w in _MOVEMENTS or w.removesuffix("s") in _MOVEMENTS or (len(pairs) == 1 and f.startswith(w)):
            return False
        if w in NEVER_TYPOS:
            return False  # a real muscle's or body part's word ("brachialis", "soles"), not a misspelt name's
        if w[0] != f[0] or OSA.distance(w, f) > max_edits(len(f)):
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
