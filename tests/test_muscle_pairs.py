"""Cross-region safety: did-you-mean and prose matching never merge two muscles whose names differ in one
word, across the whole body (biceps brachii / biceps femoris, flexor / extensor digitorum longus / brevis,
teres, pectoralis and rhomboid major / minor, ...).

For each pair (a, b) of the built-in vocabulary, in both directions: the names are not `spelling_close`;
in a vocabulary without b, the id b gets no did-you-mean and the name b in prose is no misspelling (least of
all of a); with both, a text naming both finds each, and no misspelling. Rhomboid major and minor, which
Uberon lacks, are a house's records.
"""

from __future__ import annotations

from functools import cache

import pytest

from hipcheck.muscle_vocabulary import (
    Entry,
    Vocabulary,
    builtin_entries,
    builtin_vocabulary,
    crosses_never_merge,
    spelling_close,
)

PAIR_FAMILIES: dict[str, list[tuple[str, str]]] = {
    "biceps brachii / femoris, triceps brachii / surae": [
        ("biceps-brachii", "biceps-femoris"),
        ("triceps-brachii", "triceps-surae"),
    ],
    "flexor / extensor digitorum longus / brevis": [
        ("flexor-digitorum-longus", "flexor-digitorum-brevis"),
        ("extensor-digitorum-longus", "extensor-digitorum-brevis"),
        ("flexor-digitorum-longus", "extensor-digitorum-longus"),
        ("flexor-digitorum-brevis", "extensor-digitorum-brevis"),
        ("flexor-digitorum-superficialis", "flexor-digitorum-profundus"),
    ],
    "major / minor": [("teres-major", "teres-minor"), ("pectoralis-major", "pectoralis-minor")],
    "pollicis / hallucis, abductor / adductor": [
        ("flexor-pollicis-longus", "flexor-hallucis-longus"),
        ("flexor-pollicis-brevis", "flexor-hallucis-brevis"),
        ("abductor-pollicis-brevis", "adductor-pollicis"),
        ("abductor-hallucis", "adductor-hallucis"),
        ("abductor-pollicis-longus", "abductor-pollicis-brevis"),
        ("extensor-pollicis-longus", "extensor-pollicis-brevis"),
        ("adductor-brevis", "abductor-pollicis-brevis"),
    ],
    "carpi radialis / ulnaris, longus / brevis": [
        ("flexor-carpi-radialis", "flexor-carpi-ulnaris"),
        ("flexor-carpi-radialis", "extensor-carpi-radialis-longus"),
        ("extensor-carpi-radialis-longus", "extensor-carpi-radialis-brevis"),
    ],
    "fibularis longus / brevis / tertius": [
        ("fibularis-longus", "fibularis-brevis"),
        ("fibularis-brevis", "fibularis-tertius"),
    ],
    "anterior / posterior / medius, superior / inferior": [
        ("tibialis-anterior", "tibialis-posterior"),
        ("scalenus-anterior", "scalenus-posterior"),
        ("scalenus-anterior", "scalenus-medius"),
        ("serratus-anterior", "serratus-posterior-superior"),
        ("serratus-posterior-superior", "serratus-posterior-inferior"),
    ],
    "internal / external": [
        ("external-oblique", "internal-oblique"),
        ("external-intercostal", "internal-intercostal"),
    ],
    "hand / foot, palmar / plantar, thenar / hypothenar": [
        ("lumbricals-of-hand", "lumbricals-of-foot"),
        ("interossei-of-hand", "interossei-of-foot"),
        ("dorsal-interossei-of-hand", "dorsal-interossei-of-foot"),
        ("palmar-interossei", "plantar-interossei"),
        ("thenar-muscles", "hypothenar-muscles"),
    ],
    "neck: capitis / cervicis / colli": [
        ("splenius-capitis", "splenius-cervicis"),
        ("longus-colli", "longus-capitis"),
    ],
    "rectus / quadratus abdominis, femoris, lumborum": [
        ("rectus-abdominis", "rectus-femoris"),
        ("quadratus-lumborum", "quadratus-femoris"),
    ],
    "pelvic floor": [("iliococcygeus", "pubococcygeus"), ("iliococcygeus", "coccygeus")],
    "hip: medius / minimus / maximus": [
        ("gluteus-medius", "gluteus-minimus"),
        ("gluteus-maximus", "gluteus-medius"),
    ],
}
PAIRS = [
    pytest.param(a, b, id=f"{a}|{b}") for pairs in PAIR_FAMILIES.values() for a, b in pairs for a, b in ((a, b), (b, a))
]
FULL = builtin_vocabulary()


@cache
def _without(record_id: str) -> Vocabulary:
    return Vocabulary([e for e in builtin_entries() if e.id != record_id])


def _typos(vocabulary: Vocabulary, text: str) -> list[tuple[str, str]]:
    return [(m.text, m.suggestion) for m in vocabulary.misspellings(text, vocabulary.scan(text))]


@pytest.mark.parametrize(("kept", "missing"), PAIRS)
def test_a_missing_muscle_is_never_offered_its_pair(kept: str, missing: str) -> None:
    name = FULL.display(missing)
    assert not spelling_close(FULL.display(kept), name) and not spelling_close(kept, missing)
    vocabulary = _without(missing)
    assert vocabulary.suggest_id(missing) is None
    assert _typos(vocabulary, f"Work the {name} today.") == []


@pytest.mark.parametrize(("a", "b"), PAIRS)
def test_both_names_are_found_and_neither_is_a_typo(a: str, b: str) -> None:
    text = f"The {FULL.display(a)} and the {FULL.display(b)} work together."
    assert [m.term.id for m in FULL.scan(text)] == [a, b]
    assert _typos(FULL, text) == []


@pytest.mark.parametrize(("a", "b"), PAIRS)
def test_a_real_typo_still_gets_its_own_muscle(a: str, b: str) -> None:
    """A word of the name cut short by a letter ("bicep brachii", "tere major") is offered the muscle
    itself, never its pair."""
    first, _, rest = a.partition("-")
    written = f"{first[:-1]}-{rest}" if rest else a[:-1]
    assert FULL.suggest_id(written) == a


def test_rhomboid_major_and_minor_are_never_merged() -> None:
    """Uberon has one "rhomboid" term: a house adds major and minor, and they never merge."""
    house = [
        Entry("rhomboid-major", "muscle", "rhomboid major"),
        Entry("rhomboid-minor", "muscle", "rhomboid minor"),
    ]
    both = Vocabulary.from_records([], (*builtin_entries(), *house))
    assert crosses_never_merge("rhomboid major", "rhomboid minor")
    assert [m.term.id for m in both.scan("The rhomboid major and the rhomboid minor.")] == [
        "rhomboid-major",
        "rhomboid-minor",
    ]
    only_major = Vocabulary([*builtin_entries(), house[0]])
    assert only_major.suggest_id("rhomboid-minor") is None
    assert _typos(only_major, "Work the rhomboid minor today.") == []
    assert only_major.suggest_id("rhomboid-majr") == "rhomboid-major"
