"""Did-you-mean suggestions, shared by every rule that names a closest match."""

from __future__ import annotations

from collections.abc import Iterable


def closest(value: str, choices: Iterable[str], *, cutoff: float = 75, case_sensitive: bool = True) -> str | None:
    """The choice most similar to `value`, or None when nothing is similar enough."""
    from rapidfuzz import fuzz, process, utils  # only runs when a finding needs a suggestion

    options = [c for c in dict.fromkeys(choices) if c != value]
    if not value or not options:
        return None
    if not case_sensitive:
        exact = [c for c in options if c.lower() == value.lower()]
        if exact:
            return exact[0]
    processor = None if case_sensitive else utils.default_process
    match = process.extractOne(value, options, scorer=fuzz.ratio, processor=processor, score_cutoff=cutoff)
    return match[0] if match else None
