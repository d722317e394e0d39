"""`[tool.hipcheck.muscles]`: how the muscle rules read prose, and which vocabulary is in force."""

from __future__ import annotations

from collections.abc import Mapping
from functools import cached_property
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from hipcheck.muscle_vocabulary.names import normalize, number_variant

if TYPE_CHECKING:
    from hipcheck.muscle_vocabulary.entries import Term

DEFAULT_ALLOWED_INFORMAL: tuple[str, ...] = ("glutes",)
DEFAULT_MISSPELLING_SCORE = 85.0


class MuscleOptions(BaseModel):
    """`[tool.hipcheck.muscles]`: which vocabulary is in force, and how the muscle rules read prose."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True, title="hipcheck muscle options")

    vocabulary: Literal["built-in", "content"] = Field(
        "built-in",
        description=(
            "built-in: hipcheck's whole-body muscle vocabulary (from the Uberon ontology; `hipcheck muscles` "
            "lists it), extended and overridden by the records in muscles/ (a record replaces the built-in "
            "one with its id, or with its name); content: the records in muscles/ only."
        ),
    )
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
