"""Words that name different muscles: fuzzy matching and did-you-mean never cross them.

A never-merge pair is two words that differ between two real muscles ("gluteus medius" is not a misspelt
"gluteus minimus", "biceps brachii" not "biceps femoris"); `spelling_close` decides whether a written id or
name can be a misspelling of another without crossing one.
"""

from __future__ import annotations

import re

from rapidfuzz.distance import OSA

from hipcheck.muscle_vocabulary.names import max_edits

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
    # Across the whole body: the same name in two regions (biceps brachii/femoris, flexor digitorum
    # longus of the leg/brevis of the foot, lumbricals of hand/foot), or neighbours in one.
    ("longus", "brevis", "tertius"),
    ("brachii", "femoris", "surae"),
    ("abdominis", "femoris", "lumborum"),
    ("pollicis", "hallucis", "digitorum", "digiti"),
    ("radialis", "ulnaris"),
    ("superficialis", "profundus"),
    ("capitis", "cervicis", "colli"),
    ("hand", "foot"),
    ("manus", "pes"),
    ("palmar", "plantar", "dorsal"),
    ("thenar", "hypothenar"),
    ("iliococcygeus", "ischiococcygeus", "pubococcygeus", "coccygeus"),
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


# Words of other body parts, and plurals of names, a few letters from a muscle's name: a text that uses one
# means it, not a misspelt muscle ("the soles of the feet" are not the soleus, the trapezium is a wrist bone,
# "pectorals" is an informal name of the pectoral muscles, not a typo).
NEAR_NAME_WORDS = frozenset("sole soles trapezium trapezoid pectorals pectoral deltoids obliques".split())
NEVER_TYPOS = OTHER_MUSCLE_WORDS | NEAR_NAME_WORDS


def spelling_close(written: str, name: str) -> bool:
    """Whether `written` can be a misspelling of `name` (a did-you-mean never crosses to another muscle).

    Same number of words, and each word equal to the name's word there, or a small edit of it (at most
    1 edit up to 7 letters, 2 up to 14, 3 beyond) that keeps its first letter, or in a name of several
    words, the word cut short ("glute medius"). A word that names
    another muscle or body part (NEVER_TYPOS) or a never-merge pair (medius/minimus) is never a typo:
    brachialis is not gracilis, biceps brachii not biceps femoris, teres not tensor.
    """
    a = [w for w in re.split(r"[^a-z]+", written.lower()) if w]
    b = [w for w in re.split(r"[^a-z]+", name.lower()) if w]
    if len(a) != len(b) or not a or crosses_never_merge(written, name):
        return False
    for w, f in zip(a, b, strict=True):
        if w == f:
            continue
        if w in NEVER_TYPOS or w[0] != f[0]:
            return False
        cut_short = len(a) > 1 and len(w) >= 4 and f.startswith(w)  # "glute medius"; a lone "iliac" is not
        if OSA.distance(w, f) > max_edits(len(f)) and not cut_short:
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
