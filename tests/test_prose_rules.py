"""The prose rules' building blocks: the prose mask (offsets kept, never a crash; Hypothesis), the readability
score, the claims corpus (tests/data/claims/corpus.yaml: true and false examples) and the phrase files."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hipcheck.engine import check_paths
from hipcheck.prose_options import ProseOptions
from hipcheck.prose_text import paragraphs, prose_text
from hipcheck.rules.claims import builtin_phrases, find_claims, phrases_for
from hipcheck.rules.readability import score, syllables

from helpers import TODAY, write_tree

CORPUS = yaml.safe_load((Path(__file__).parent / "data" / "claims" / "corpus.yaml").read_text("utf-8"))
PROPERTIES = settings(
    max_examples=int(os.environ.get("HIPCHECK_PROPERTY_EXAMPLES", "60")),
    deadline=None,
    database=None,
    derandomize="HIPCHECK_PROPERTY_EXAMPLES" not in os.environ,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

# Markdown made of the pieces the mask cares about, so generated bodies exercise each branch.
_PIECES = st.sampled_from(
    [
        "Plain words here. ",
        "80% of runners ",
        "[@smith2020] ",
        "[see @a; @b, p. 4]",
        "@narrative ",
        "[link text](https://example.org/x) ",
        "![alt](img.png)",
        "[^1] ",
        "`code span` ",
        "<span>tag</span> ",
        "<!-- comment --> ",
        "https://example.org/bare ",
        "\n",
        "\n\n",
        "# Heading\n",
        "Title\n=====\n",
        "| a | b |\n|---|---|\n| 1 | 2 |\n",
        "```\nfenced code\n```\n",
        "- item one\n",
        "1. first\n",
        "e.g. Dr. J. Smith. ",
        "“quoted” ",
        "ACL (anterior cruciate ligament) ",
        "[",
        "]",
        "(",
        "`",
        "\r\n",
        "\u2028",
        "Ü ß 漢字 ",
    ]
)
_BODIES = st.one_of(st.lists(_PIECES, max_size=40).map("".join), st.text(max_size=400))


@PROPERTIES
@given(_BODIES)
def test_mask_keeps_offsets_and_only_blanks(body: str) -> None:
    prose = prose_text(body)
    assert len(prose.text) == len(body)
    for original, masked in zip(body, prose.text, strict=True):
        assert masked == original or (masked == " " and original != "\n")
    for start, end in prose.links:
        assert 0 <= start <= end <= len(body)
        assert prose.text[start:end].strip() == "" or body[start:end].strip()
    assert all(0 <= c < len(body) for c in prose.citations)


@PROPERTIES
@given(_BODIES)
def test_paragraphs_and_claims_stay_inside_the_text(body: str) -> None:
    prose = prose_text(body)
    for paragraph in paragraphs(prose.text):
        assert 0 <= paragraph.start < paragraph.end <= len(body)
        for sentence in paragraph.sentences:
            assert paragraph.start <= sentence.start < sentence.end <= paragraph.end
            for start, end in sentence.words:
                assert sentence.start <= start < end <= sentence.end
                assert prose.text[start:end] == body[start:end]  # a word is never made of masked text
        assert score(prose.text, paragraph.sentences).words == len(paragraph.words)
    for claim in find_claims(prose, ProseOptions.model_validate({})):
        assert 0 <= claim.start < claim.end <= len(body)


@PROPERTIES
@given(_BODIES)
def test_rules_never_crash_and_place_findings_inside_the_file(tmp_path_factory: Any, body: str) -> None:
    root = tmp_path_factory.mktemp("prose")
    text = f"---\ntitle: Generated\n---\n{body}"
    write_tree(root, {"articles/generated.md": text})
    result = check_paths([str(root)], cwd=root, today=TODAY, cache=False, select=["HC70", "HC71", "HC72"])
    assert not result.internal_errors
    stored = (root / "articles" / "generated.md").read_text("utf-8")
    for diagnostic in result.diagnostics:
        assert 0 <= diagnostic.span.offset <= diagnostic.span.end_offset <= len(stored)


def test_mask_blanks_what_is_not_prose() -> None:
    body = (
        "# Heading words\n\nStudies show [see @smith2020, p. 4] that [the NHS page](https://nhs.uk) "
        "helps.[^1] Use `code` ![alt](a.png) <b>bold</b>.\n\n| a | b |\n|---|---|\n| 1 | 2 |\n"
    )
    prose = prose_text(body)
    kept = " ".join(prose.text.split())
    assert kept == "Studies show that the NHS page helps. Use bold ."
    assert [body[a:b] for a, b in prose.links] == ["the NHS page"]
    assert len(prose.citations) == 3  # the bracketed citation, the link, the footnote mark


def test_sentences_and_list_items() -> None:
    text = "Dr. Smith saw e.g. three patients. It went well!\n- first item\n- second item\nThen: \nmore"
    sentences = [s for p in paragraphs(text) for s in p.sentences]
    assert [" ".join(text[s.start : s.end].split()) for s in sentences] == [
        "Dr. Smith saw e.g. three patients.",
        "It went well!",
        "- first item",
        "- second item Then:",
        "more",
    ]


def test_flesch_kincaid_grade() -> None:
    # Kincaid et al. (1975): 0.39 words/sentence + 11.8 syllables/word - 15.59
    text = "The cat sat on the mat. The dog ran to the park."
    result = score(text, [s for p in paragraphs(text) for s in p.sentences])
    assert (result.words, result.sentences, result.syllables) == (12, 2, 12)
    assert result.grade == pytest.approx(0.39 * 6 + 11.8 * 1 - 15.59)
    assert syllables("hypothesis") == 4 and syllables("cat") == 1 and syllables("2026") == 1


@pytest.mark.parametrize(("code", "sentence"), CORPUS["reported"], ids=[s for _, s in CORPUS["reported"]])
def test_claim_is_reported(code: str, sentence: str) -> None:
    claims = find_claims(prose_text(sentence), ProseOptions.model_validate({}))
    assert [c.code for c in claims] == [code], [c.message for c in claims]


@pytest.mark.parametrize("sentence", CORPUS["fine"])
def test_fine_sentence_is_not_reported(sentence: str) -> None:
    claims = find_claims(prose_text(sentence), ProseOptions.model_validate({}))
    assert claims == []


def test_phrase_files_compile_and_configuration_replaces_or_extends() -> None:
    for category in ("efficacy", "absolute", "research"):
        assert builtin_phrases(category)
        assert phrases_for(ProseOptions.model_validate({}), category).pattern is not None
    replaced = ProseOptions.model_validate({"claim-phrases": {"absolute": ["miracle"]}})
    assert phrases_for(replaced, "absolute").lines == ("miracle",)
    extended = ProseOptions.model_validate({"extend-claim-phrases": {"absolute": ["wonder cure"]}})
    assert phrases_for(extended, "absolute").lines[-1] == "wonder cure"
    assert len(phrases_for(extended, "absolute").lines) == len(builtin_phrases("absolute")) + 1
