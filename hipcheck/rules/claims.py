"""Claims and evidence (HC710-HC713): statistics, efficacy, absolute and research claims with no citation.

Each article body is read as prose (`hipcheck.prose_text`) and split into sentences. A sentence that cites
(a Pandoc citation, a footnote mark or a link, in it or right after it) is never reported, nor is a match in
link text, inside quotation marks, in a question, or after a negation in its sentence ("does not cure").
Precision first: at most one finding per sentence, the strongest (absolute, statistic, research, efficacy).
The trigger phrases live in hipcheck/data/claims/*.txt (their syntax is described there) and can be replaced
or extended per category in `[tool.hipcheck.prose]` (`claim-phrases`, `extend-claim-phrases`).
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from hipcheck.context import Context
from hipcheck.diagnostics import Finding, Severity
from hipcheck.loader.records import Record
from hipcheck.prose_options import ClaimCategory, ProseOptions, prose_options
from hipcheck.prose_text import ProseText, Sentence, english, paragraphs, prose_text
from hipcheck.rules.registry import record_check, rule
from hipcheck.textpos import line_index

_TRAPS = """
    Not reported: a sentence with a citation (`[@key]`, a footnote mark or a link) in it or right after it,
    a phrase in link text, code or a heading, inside quotation marks, in a question, or after a negation
    in its sentence ("there is no evidence that insoles cure hip pain")."""

UNCITED_STATISTIC = rule(
    "HC710",
    "uncited-statistic",
    Severity.WARNING,
    f"""
    A statistic with no citation in its sentence.

    ## What it does
    Finds statistics in an article's prose: a percentage of something or a change ("80% of runners",
    "30% less"), a ratio ("3 times more likely", "twice as likely", "a 2-fold rise"), a proportion
    ("1 in 4 adults"), and reports the sentence when it cites nothing.{_TRAPS}

    ## Why it matters
    A number reads as a fact; the JAMA benchmarks and HONcode ask for the source of every one, and
    DISCERN asks whether the sources are clear. An unsourced figure cannot be checked or updated.

    ## Example
    ```markdown
    80% of runners will have hip pain at some point.
    ```

    ## Fix
    Cite the source in the sentence (`[@key]`), or drop the number.
    """,
    kinds=("article",),
)

UNCITED_EFFICACY = rule(
    "HC711",
    "uncited-efficacy-claim",
    Severity.WARNING,
    f"""
    A claim that something works (reduces pain, prevents injury) with no citation.

    ## What it does
    Finds efficacy claims from the phrase list (`hipcheck/data/claims/efficacy.txt`: "reduces pain",
    "prevents injury", "relieve stress", "help with arthritis", with determiners, "risk of" and a body
    part allowed between the words) in an article's prose and reports the sentence when it cites
    nothing. Hedged claims ("can relieve pain") are claims too.{_TRAPS}

    ## Why it matters
    HONcode's justifiability principle: a claim that a treatment or product benefits the reader must be
    backed by evidence the reader can check.

    ## Example
    ```markdown
    A pair of high-quality insoles can relieve pain in the hips.
    ```

    ## Fix
    Cite the study that shows it (`[@key]`), or say what is and is not known.
    """,
    kinds=("article",),
)

ABSOLUTE_CLAIM = rule(
    "HC712",
    "absolute-claim",
    Severity.WARNING,
    f"""
    An absolute or promotional claim ("cures", "guaranteed", "100% safe", "clinically proven").

    ## What it does
    Finds the phrases of `hipcheck/data/claims/absolute.txt` in an article's prose and reports the
    sentence when it cites nothing, suggesting hedged wording (the list gives one per phrase: "cures"
    -> "may help with", "guaranteed" -> "likely").{_TRAPS}

    ## Why it matters
    Absolute claims are what health-content standards single out: no treatment works for everyone,
    and promises of cures and guarantees are the marks of advertising, not information (HONcode,
    DISCERN's question on uncertainty).

    ## Example
    ```markdown
    This insole cures hip pain, guaranteed.
    ```

    ## Fix
    Say what the evidence shows, hedged ("may help with hip pain for some people"), and cite it.
    """,
    kinds=("article",),
)

RESEARCH_APPEAL = rule(
    "HC713",
    "vague-research-appeal",
    Severity.WARNING,
    f"""
    "Studies show" or "research says" with no citation.

    ## What it does
    Finds appeals to unnamed research from `hipcheck/data/claims/research.txt` ("studies show",
    "research has shown", "experts agree", "according to research") in an article's prose and reports
    the sentence when it cites nothing.{_TRAPS}

    ## Why it matters
    "Studies show" borrows the authority of research without letting the reader check it: which
    studies, of whom, how large? The JAMA attribution benchmark asks for the references.

    ## Example
    ```markdown
    Studies show that stretching before running prevents injury.
    ```

    ## Fix
    Cite the studies (`[@key]`) or remove the appeal.
    """,
    kinds=("article",),
)

_NUMBER_WORD = r"(?:two|three|four|five|six|seven|eight|nine|ten|twenty|hundred)"
# Who a share is of: "80% of runners", not "20% of the stance" (a measurement, in a study's own results).
_POPULATION = (
    r"(?:people|persons|adults|children|kids|teens|teenagers|women|men|runners|patients|athletes|players|"
    r"sufferers|individuals|americans|britons|cases|users|us|those|population|over-\d{2}s)\b"
)
_STATISTIC = re.compile(
    r"(?<![\w.])\d{1,3}(?:[.,]\d{1,3})?[ \t]?(?:%|per[ \t]?cent\b)(?:[ \t]+(?:more|less|fewer|higher|lower|"
    r"greater|increase|decrease|reduction|drop|rise|chance|risk|likelier|likely)\b"
    rf"|[ \t]+of[ \t]+(?:(?:all|the|those|us)[ \t]+)?(?:[a-z]{{2,20}}[ \t]+)?{_POPULATION})"
    rf"|\b(?:\d{{1,4}}(?:\.\d{{1,2}})?|{_NUMBER_WORD})[ \t]+times[ \t]+(?:more|less|as|higher|lower|greater|"
    r"likelier|faster|slower)\b"
    r"|\btwice[ \t]+as[ \t]+(?:likely|many|much|often)\b"
    r"|\b\d{1,4}(?:\.\d{1,2})?-fold\b"
    rf"|\b(?:one|\d{{1,3}})[ \t]+(?:in|out[ \t]+of)[ \t]+(?:every[ \t]+)?(?:\d{{1,6}}|{_NUMBER_WORD})[ \t]+"
    rf"{_POPULATION}",
    re.I,
)
_NEGATION = frozenset(
    (
        "not no never nothing none nobody without cannot nor neither whether unclear unlikely myth myths doubt "
        "false untrue rarely"
    ).split()
)
_JOINER = (
    r"[ \t\n]+(?:(?:the|a|an|your|their|its|our|his|her|any|some|much|most|all|this|that|these|those)[ \t\n]+)?"
    r"(?:risk[ \t\n]+of[ \t\n]+)?(?:(?:hip|back|knee|joint|muscle|foot|feet|heel|ankle|neck|shoulder|chronic|"
    r"lower|future|further|sports?)[ \t\n]+)?"
)
_MAX_PHRASES = 2000
_MAX_PHRASE_LENGTH = 200


@dataclass(frozen=True, slots=True)
class Phrases:
    pattern: re.Pattern[str] | None
    lines: tuple[str, ...]
    suggestions: tuple[str | None, ...]


def builtin_phrases(category: ClaimCategory) -> tuple[str, ...]:
    text = resources.files("hipcheck").joinpath("data", "claims", f"{category}.txt").read_text("utf-8")
    return tuple(line.strip() for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#"))


def phrases_for(options: ProseOptions, category: ClaimCategory) -> Phrases:
    lines = options.claim_phrases.get(category)
    base = tuple(lines) if lines is not None else builtin_phrases(category)
    return _compile((*base, *options.extend_claim_phrases.get(category, ())))


@lru_cache(maxsize=32)
def _compile(lines: tuple[str, ...]) -> Phrases:
    sources: list[str] = []
    kept: list[str] = []
    suggestions: list[str | None] = []
    for line in lines[:_MAX_PHRASES]:
        phrase, _, suggestion = line[:_MAX_PHRASE_LENGTH].partition("=>")
        slots = [
            "(?:" + "|".join(re.escape(alt).replace("_", r"[ \t\n]+") for alt in slot.split("/") if alt) + ")"
            for slot in phrase.lower().split()
            if slot.strip("/")
        ]
        if not slots:
            continue
        sources.append(f"(?P<p{len(kept)}>(?<![\\w-]){_JOINER.join(slots)}(?![\\w-]))")
        kept.append(phrase.strip())
        suggestions.append(suggestion.strip() or None)
    pattern = re.compile("|".join(sources), re.I) if sources else None
    return Phrases(pattern, tuple(kept), tuple(suggestions))


@dataclass(frozen=True, slots=True)
class Claim:
    code: str
    start: int
    end: int
    message: str


def _claims(text: str, options: ProseOptions) -> Iterator[Claim]:
    absolute = phrases_for(options, "absolute")
    if absolute.pattern is not None:
        for match in absolute.pattern.finditer(text):
            suggestion = absolute.suggestions[int((match.lastgroup or "p0")[1:])]
            hedge = f": write hedged wording such as '{suggestion}'" if suggestion else ": hedge it"
            message = f"'{_shown(match.group())}' is an absolute claim with no citation{hedge}, and cite the evidence"
            yield Claim(ABSOLUTE_CLAIM.code, match.start(), match.end(), message)
    for match in _STATISTIC.finditer(text):
        message = f"statistic '{_shown(match.group())}' with no citation in its sentence: cite its source"
        yield Claim(UNCITED_STATISTIC.code, match.start(), match.end(), message)
    research = phrases_for(options, "research")
    if research.pattern is not None:
        for match in research.pattern.finditer(text):
            message = f"'{_shown(match.group())}' with no citation: cite the research it means"
            yield Claim(RESEARCH_APPEAL.code, match.start(), match.end(), message)
    efficacy = phrases_for(options, "efficacy")
    if efficacy.pattern is not None:
        for match in efficacy.pattern.finditer(text):
            message = f"efficacy claim '{_shown(match.group())}' with no citation in its sentence: cite the evidence"
            yield Claim(UNCITED_EFFICACY.code, match.start(), match.end(), message)


def _shown(text: str) -> str:
    return " ".join(text.split())


_PRIORITY = {ABSOLUTE_CLAIM.code: 0, UNCITED_STATISTIC.code: 1, RESEARCH_APPEAL.code: 2, UNCITED_EFFICACY.code: 3}


def find_claims(prose: ProseText, options: ProseOptions) -> list[Claim]:
    """The uncited claims of a body's prose, at most one a sentence (the strongest), in text order."""
    text = prose.text
    sentences = [s for p in paragraphs(text) for s in p.sentences]
    if not sentences:
        return []
    starts = [s.start for s in sentences]
    chosen: dict[int, Claim] = {}
    for claim in _claims(text, options):
        i = bisect_right(starts, claim.start) - 1
        if i < 0 or claim.start >= sentences[i].end:
            continue
        sentence = sentences[i]
        reach = sentences[i + 1].words[0][0] if i + 1 < len(sentences) else len(text)
        if _excused(text, prose, sentence, reach, claim):
            continue
        current = chosen.get(i)
        if current is None or (_PRIORITY[claim.code], claim.start) < (_PRIORITY[current.code], current.start):
            chosen[i] = claim
    return [chosen[i] for i in sorted(chosen)]


_QUOTE_REACH = 2000  # how far back in its sentence a claim looks for an opening quotation mark
_NEGATION_WORDS = 8  # how many words before a claim a negation may stand


def _excused(text: str, prose: ProseText, sentence: Sentence, reach: int, claim: Claim) -> bool:
    citations = prose.citations
    if bisect_left(citations, reach) > bisect_left(citations, sentence.start):
        return True
    links = prose.links  # in text order, not overlapping
    i = bisect_right(links, (claim.end, claim.end)) - 1
    if i >= 0 and links[i][0] < claim.end and claim.start < links[i][1]:
        return True
    ending = text[max(sentence.start, sentence.end - 20) : sentence.end]  # the end only: a sentence may be long
    if ending.rstrip().rstrip("'\"\u201d\u2019)").endswith("?"):
        return True
    before = text[max(sentence.start, claim.start - _QUOTE_REACH) : claim.start]
    if before.count('"') % 2 or before.count("\u201c") > before.count("\u201d"):
        return True
    words = re.findall(r"[\w']+", before[-400:].lower().replace("\u2019", "'"))[-_NEGATION_WORDS:]
    return any(w in _NEGATION or w.endswith("n't") for w in words)


@record_check(UNCITED_STATISTIC, UNCITED_EFFICACY, ABSOLUTE_CLAIM, RESEARCH_APPEAL)
def check_claims(record: Record, ctx: Context) -> Iterator[Finding]:
    if record.kind != "article" or not record.body or not english(record.data, ctx.config.default_lang):
        return
    claims = find_claims(prose_text(record.body), prose_options(ctx.config))
    if not claims:
        return
    lines = line_index(record.text)
    base = record.body_offset
    for claim in claims:
        yield Finding(claim.message, lines.span(base + claim.start, base + claim.end), code=claim.code)
