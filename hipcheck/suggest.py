"""Did-you-mean suggestions, shared by every rule that names a closest match."""

from __future__ import annotations

from collections.abc import Iterable


def closest(value: str, choices: Iterable[str], *, cutoff: float = 75, case_sensitive: bool = True) -> str | None:
    """The choice most similar to `value`, or None when nothing is similar enough."""
    from rapidfuzz import fuzz, process, utils  # only runs when a finding needs a suggestion

    options = list(dict.fromkeys(choices))  # in C: a content root can have 100,000 ids to choose from
    if not value or not options:
        return None
    if not case_sensitive:
        exact = [c for c in options if c.lower() == value.lower() and c != value]
        if exact:
            return exact[0]
    processor = None if case_sensitive else utils.default_process
    # Two best: the best may be `value` itself, which is never a suggestion.
    best = process.extract(value, options, scorer=fuzz.ratio, processor=processor, score_cutoff=cutoff, limit=2)
    return next((choice for choice, _, _ in best if choice != value), None)
