"""`[tool.hipcheck.prose]`: options of the prose-analysis rules (readability, claims, acronyms).

The defaults and why:
- `reading-grade`: the highest Flesch-Kincaid grade a text may score, per audience. Patient information:
  grade 9. The NHS content style guide aims at a reading age of 9 to 11 and, where medical information makes
  that hard, at one an 11 to 14-year-old understands (the Patient Information Forum's plain-language guide
  also says 9-11); a reading age is about the US school grade plus 5, so 14 is about grade 9. Flesch-Kincaid
  is a noisy measure of one paragraph, so the default is the NHS's upper bound, not its aim (set 6 for it).
  Professional readers: grade 16, a university graduate; no health standard sets one.
- `paragraph-margin`: 3 grades. The formula's two averages swing with a single long sentence or a few long
  words in a paragraph of 40-100 words; the article as a whole is held to the target, and a paragraph is
  reported when it is clearly harder (3 grades: NHS's aim, reading age 11, against its fallback, 14).
- `known-acronyms`: acronyms a general reader of English health content knows without a definition. Short on
  purpose (country and union names): every other acronym costs the reader a look-up, which is the point.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Audience = Literal["patient", "professional"]
ClaimCategory = Literal["efficacy", "absolute", "research"]

DEFAULT_READING_GRADE: dict[str, float] = {"patient": 9.0, "professional": 16.0}
DEFAULT_KNOWN_ACRONYMS = ("UK", "US", "USA", "EU")


class ProseOptions(BaseModel):
    """`[tool.hipcheck.prose]`: how the readability, claims and acronym rules read prose."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True, title="hipcheck prose options")

    audience: Audience = Field(
        "patient",
        description="Who the content root is written for; an article's `audience` front-matter field overrides it.",
    )
    reading_grade: dict[Audience, float] = Field(
        default_factory=lambda: dict(DEFAULT_READING_GRADE),  # type: ignore[arg-type]
        alias="reading-grade",
        description=(
            "Highest Flesch-Kincaid grade per audience (patient 9: the NHS aims at a reading age of 9-11, "
            "11-14 for hard medical topics; professional 16)."
        ),
    )
    min_words: int = Field(
        40,
        ge=10,
        le=10_000,
        alias="min-words",
        description="A paragraph (or exercise text) with fewer words is not scored: too short for the formula.",
    )
    paragraph_margin: float = Field(
        3.0,
        ge=0,
        le=100,
        alias="paragraph-margin",
        description=(
            "A paragraph is reported when it scores this many grades above the target: one paragraph's score "
            "is noisy, the article's is held to the target itself."
        ),
    )
    article_min_words: int = Field(
        150, ge=10, le=1_000_000, alias="article-min-words", description="An article with fewer words is not scored."
    )
    worst_paragraphs: int = Field(
        3,
        ge=0,
        le=1000,
        alias="worst-paragraphs",
        description="How many of an article's hardest paragraphs above the target are reported (0: none).",
    )
    claim_phrases: dict[ClaimCategory, list[str]] = Field(
        default_factory=dict,
        alias="claim-phrases",
        description="Replace a category's built-in trigger phrases (efficacy, absolute, research).",
    )
    extend_claim_phrases: dict[ClaimCategory, list[str]] = Field(
        default_factory=dict,
        alias="extend-claim-phrases",
        description="Add trigger phrases to a category (efficacy, absolute, research).",
    )
    known_acronyms: list[str] = Field(
        default_factory=lambda: list(DEFAULT_KNOWN_ACRONYMS),
        alias="known-acronyms",
        description="Acronyms that need no definition (default: UK, US, USA, EU).",
    )


def prose_options(config: object) -> ProseOptions:
    """The prose options of a configuration (the defaults when it has none)."""
    value = getattr(config, "prose", None)
    return value if isinstance(value, ProseOptions) else ProseOptions.model_validate({})
