"""Did-you-mean suggestions, shared by every rule that names a closest match."""

from __future__ import annotations

from collections.abc import Iterable


def closest(
    value: str, choices: Iterable[str], *, cutoff: float = 75, case_sensitive: bool = True, unique: bool = False
) -> str | None:
    """The choice most similar to `value`, or None when nothing is similar enough. `unique`: `choices` is
    a list without repeats (a content root's ids: there can be 100,000 of them, asked about per finding)."""
    from rapidfuzz import fuzz, process, utils  # only runs when a finding needs a suggestion

    options = choices if unique and isinstance(choices, list) else list(dict.fromkeys(choices))
    if not value or not options:
        return None
    if not case_sensitive:
        exact = [c for c in options if c.lower() == value.lower() and c != value]
        if exact:
            return exact[0]
    processor = None if case_sensitive else utils.default_process
    match = process.extractOne(value, options, scorer=fuzz.ratio, processor=processor, score_cutoff=cutoff)
    if match and match[0] == value:  # `value` itself is never a suggestion: the best of the others
        others = [c for c in options if c != value]
        match = process.extractOne(value, others, scorer=fuzz.ratio, processor=processor, score_cutoff=cutoff)
    return match[0] if match else None
