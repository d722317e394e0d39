"""How muscle names are compared: normal form, abbreviation key, grammatical number, joint of an action."""

from __future__ import annotations

import re
import unicodedata
from typing import Literal

_SEPARATORS = re.compile(r"[\s\-\u2010\u2011_]+")
_LATIN_ENDINGS = ("us", "is", "ae", "um", "ps", "ss", "as", "os", "i", "a", "x")
_IRREGULAR_PLURALS = {"calves": "calf"}


def normalize(text: str) -> str:
    """Lower case, one space between words: how names are compared ("Glute-Medius" = "glute medius")."""
    text = unicodedata.normalize("NFKC", text).replace("\u2019", "'")
    return _SEPARATORS.sub(" ", text).strip().lower()


def abbreviation_key(text: str) -> str:
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


def max_edits(length: int) -> int:
    """How many edits a word of `length` letters may have and still be a misspelling of it."""
    return 1 if length <= 7 else 2 if length <= 14 else 3
