"""The muscle vocabulary: scanner, misspellings, never-merge pairs, and the muscle rules on real text.

The seed-derived drafts must show the muscle findings the seeds really contain; `content/` must be
clean; scanning must be one compiled pattern run once per text, linear in the text's length.
"""

from __future__ import annotations

import itertools
import re
from collections import Counter
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
import yaml

import hipcheck.muscle_vocabulary
import hipcheck.rules.muscles  # (registers HC601-HC606 until hipcheck.rules imports it)
import hipcheck.rules.prose as prose_rules  # (registers HC607-HC612)
import hipcheck.rules.prose.definitions as prose_definitions
import hipcheck.rules.prose.groups as prose_groups
from hipcheck.context import Context
from hipcheck.engine import check_paths
from hipcheck.fix_edits import apply_fixes
from hipcheck.index import ContentIndex
from hipcheck.loader.records import read_records
from hipcheck.muscle_vocabulary import (
    DEFAULT_ALLOWED_INFORMAL,
    NEVER_MERGE,
    MuscleOptions,
    Vocabulary,
    crosses_never_merge,
    normalize,
    number_variant,
    options_from,
    spelling_close,
)
from hipcheck.rules.registry import RULES

from helpers import REPO, TODAY, line_of, steps, write_tree

DRAFTS = "examples/drafts"
MEDIUS = "id: gluteus-medius\nkind: muscle\nname: gluteus medius\naliases: [glute medius]\n"
FLAT_FEET = "articles/hips-and-flat-feet.md"
MUSCLE_VOCABULARY = Path(hipcheck.muscle_vocabulary.__file__).parent  # where scanning's work is counted
MUSCLE_CODES = [f"HC6{n:02d}" for n in range(1, 13)]


def _content_vocabulary() -> Vocabulary:
    return Vocabulary.from_data(
        yaml.safe_load(p.read_text("utf-8")) for p in sorted((REPO / "content" / "muscles").glob("*.yaml"))
    )


VOCABULARY = _content_vocabulary()


def _mentions(text: str, vocabulary: Vocabulary = VOCABULARY) -> list[tuple[str, str | None, str]]:
    return [(m.text, m.term.id, m.term.role) for m in vocabulary.scan(text)]


def _typos(text: str, vocabulary: Vocabulary = VOCABULARY) -> list[tuple[str, str]]:
    return [(t.text, t.suggestion) for t in vocabulary.misspellings(text, vocabulary.scan(text))]


# --- the rules are registered as the issue numbers them --------------------------------------------


def test_rules_are_hc601_to_hc612_with_documentation() -> None:
    assert [c for c in sorted(RULES) if c.startswith("HC6")] == MUSCLE_CODES
    for code in MUSCLE_CODES:
        rule = RULES[code]
        headings = [line[3:] for line in rule.doc.splitlines() if line.startswith("## ")]
        assert headings == ["What it does", "Why it matters", "Example", "Fix"], code


# --- the scanner ---------------------------------------------------------------------------------


def test_mentions_are_case_insensitive_plural_aware_and_tolerate_hyphens_and_line_breaks() -> None:
    text = (
        "Gluteus Medius, glute medius, the glutes and one glute; a hamstring and the HAMSTRINGS; the\n"
        "tensor-fasciae-latae, the gluteus\n  medius, quadriceps femoris and the quads; hip-flexor work."
    )
    assert _mentions(text) == [
        ("Gluteus Medius", "gluteus-medius", "name"),
        ("glute medius", "gluteus-medius", "alias"),
        ("glutes", "gluteal-muscles", "alias"),
        ("glute", "gluteal-muscles", "alias"),
        ("hamstring", "hamstrings", "name"),
        ("HAMSTRINGS", "hamstrings", "name"),
        ("tensor-fasciae-latae", "tensor-fasciae-latae", "name"),
        ("gluteus\n  medius", "gluteus-medius", "name"),
        ("quadriceps femoris", "quadriceps", "name"),
        ("quads", "quadriceps", "alias"),
        ("hip-flexor", "hip-flexors", "name"),
    ]


def test_never_inside_other_words_and_abbreviations_keep_their_case() -> None:
    text = "quadrant quadsport gluteusmedius aglutes hamstringed psoasmajor tfl Tfl TFLs xTFL (TFL)."
    assert _mentions(text) == [("TFL", "tensor-fasciae-latae", "abbreviation")]


def test_the_longest_name_wins() -> None:
    assert _mentions("the quadriceps femoris, the quadriceps, the quad muscles and a quad") == [
        ("quadriceps femoris", "quadriceps", "name"),
        # Issue #16: "quadriceps" is Uberon's exact synonym of quadriceps femoris, an accepted name (it was an alias)
        ("quadriceps", "quadriceps", "synonym"),
        ("quad muscles", "quadriceps", "alias"),
        ("quad", "quadriceps", "alias"),
    ]


def test_quad_dominated_is_an_informal_name_unless_allowed() -> None:
    [mention] = VOCABULARY.scan("time in quad dominated activities")
    assert (mention.text, mention.term.role, VOCABULARY.canonical(mention.term)) == (
        "quad",
        "alias",
        "quadriceps femoris",
    )
    assert not MuscleOptions.model_validate({}).allows(mention.term)
    assert MuscleOptions.model_validate({"allowed-informal": ["quads"]}).allows(mention.term)  # "quads" allows "quad"


ACCEPTED_PROSE = (
    "The quadriceps and the hamstrings cross the knee; a hamstring strain, the hamstring muscles, the\n"
    "Quadriceps tendon, the gemellus superior and gemellus inferior, the external obturator, the internal\n"
    "obturator, the ilio-psoas and the tensor fasciae lata are how anatomists and clinicians write."
)


def test_accepted_synonyms_are_not_informal_names(tmp_path: Path) -> None:
    """Issue #16: the safe --fix rewrote "quadriceps" and "hamstrings". Synonyms of content/muscles are
    accepted names: no HC607 (and no fix), and no HC609 next to the canonical name; aliases still are."""
    muscles = {f"muscles/{p.name}": p.read_text("utf-8") for p in (REPO / "content" / "muscles").glob("*.yaml")}
    article = "---\ntitle: Knee\n---\n" + ACCEPTED_PROSE + "\nThe quadriceps femoris, then the quads.\n"
    write_tree(tmp_path, {**muscles, "articles/knee.md": article})
    report = check_paths([str(tmp_path)], cwd=tmp_path, today=TODAY, select=["HC6"]).diagnostics
    assert [(d.code, d.message) for d in report] == [
        ("HC607", "'quads' is not the canonical name of this muscle: write 'quadriceps femoris'"),
        (
            "HC609",
            "quadriceps femoris is named 2 ways in this article: 'quadriceps' (lines 4, 5, 7), 'quads' (line 7)",
        ),
    ]
    roles = {m.text.lower(): m.term.role for m in VOCABULARY.scan(ACCEPTED_PROSE)}
    assert set(roles.values()) == {"synonym", "name"}, roles


def test_old_records_with_everything_under_aliases_still_load_and_report_aliases() -> None:
    old = Vocabulary.from_data(
        [{"id": "quadriceps", "kind": "group", "name": "quadriceps femoris", "aliases": ["quadriceps"]}]
    )
    [mention] = old.scan("the quadriceps")
    assert mention.term.role == "alias"


def test_number_variants_only_for_english_style_names() -> None:
    assert number_variant("glutes") == ("glute", "singular")
    assert number_variant("hamstring") == ("hamstrings", "plural")
    assert number_variant("hip lateral rotators") == ("hip lateral rotator", "singular")
    for latin in ("gluteus medius", "quadriceps", "psoas", "tensor fasciae latae", "gracilis", "iliopsoas"):
        assert number_variant(latin) is None, latin
    assert normalize("  Glute-Medius\n") == "glute medius"


def test_a_form_two_records_claim_is_ambiguous() -> None:
    vocabulary = Vocabulary.from_data(
        [
            {"id": "gluteal-muscles", "kind": "group", "name": "gluteal muscles (superficial)", "aliases": ["gm"]},
            {"id": "deep-gluteal-muscles", "kind": "group", "name": "gluteal muscles (deep)", "aliases": ["GM"]},
        ]
    )
    [mention] = vocabulary.scan("the gm group")
    assert mention.term.ids == ("deep-gluteal-muscles", "gluteal-muscles") and mention.term.id is None
    assert [m.term.id for m in vocabulary.scan("Gluteal muscles (deep) and gluteal muscles (superficial)")] == [
        "deep-gluteal-muscles",
        "gluteal-muscles",
    ]
    assert vocabulary.ids_named("GM") == ("deep-gluteal-muscles", "gluteal-muscles")


# --- misspellings ---------------------------------------------------------------------------------

ORDINARY_ENGLISH = """
Most people perform these moves at a medium pace. The majority of runners have tight hips, and the
medial side of the knee takes the load. Feel for the iliac crest, then the piriform outline of the
pelvis. Gracious performers, obtuse angles, vast plains and a tensor processing unit are not muscles.
Magnus Carlsen plays chess; Maximus was a general; a minor injury is not a major one. Hip adduction
and hip abduction are movements, and so are hip adductions. Superior results need patience, and the
inferior option is to skip the warm-up. Adductor and abductor machines, glutes and quads, hamstrings.
Grace, gluten, gluttony, glucose, quadrant, quadruple, pectin, pectoral, obturate, obdurate, rectum,
rectify, vastly, vestibule, femoral, femur, tensile, latte, lattice, medius? No: media, medium, minim.
"""


def test_the_misspelling_detector_leaves_ordinary_english_and_the_clean_articles_alone() -> None:
    assert _typos(ORDINARY_ENGLISH) == []
    for article in sorted((REPO / "content" / "articles").glob("*.md")):
        assert _typos(article.read_text("utf-8")) == [], article.name
    # The seed texts as pasted into the first drafts (examples/drafts/README.md): seed 000 has no misspelt
    # muscle, seed 004 one.
    drafts = REPO / "examples" / "drafts" / "articles"
    assert _typos((drafts / "hip-pain-and-the-feet.md").read_text("utf-8")) == []
    assert _typos((drafts / "hips-and-flat-feet.md").read_text("utf-8")) == [("hips flexors", "hip flexors")]


def test_misspellings_get_the_closest_name() -> None:
    text = (
        "Strengthen the gluteus medias and the pirifomis. The tensor fascia lata, the obturator internis,\n"
        "the glutues medius, the hips flexors and the adductor magnos are misspelt; the psoas majr too."
    )
    assert _typos(text) == [
        ("gluteus medias", "gluteus medius"),
        ("pirifomis", "piriformis"),
        ("tensor fascia lata", "tensor fasciae latae"),
        ("obturator internis", "obturator internus"),
        ("glutues medius", "gluteus medius"),
        ("hips flexors", "hip flexors"),
        ("adductor magnos", "adductor magnus"),
        ("psoas majr", "psoas major"),
    ]


def test_misspellings_never_cross_a_never_merge_pair() -> None:
    # Correct names are never typos of their neighbours, and a typo is never pulled across a pair.
    names = "gluteus minimus, gluteus maximus, obturator externus, adductor brevis, inferior gemellus, psoas minor"
    assert _typos(names) == []
    assert _typos("the abductor magnus and the obturator externis") == [("obturator externis", "obturator externus")]
    assert _typos("the gluteus minimis") == [("gluteus minimis", "gluteus minimus")]


# --- never-merge pairs and id suggestions -----------------------------------------------------------


def test_never_merge_covers_the_issue_pairs_in_both_numbers() -> None:
    for pair in [
        ("medius", "minimus"),
        ("internus", "externus"),
        ("superior", "inferior"),
        ("major", "minor"),
        ("magnus", "minimus"),
        ("abductor", "adductor"),
        ("quadratus", "quadriceps"),
    ]:
        assert pair in NEVER_MERGE or pair[::-1] in NEVER_MERGE
    assert crosses_never_merge("gluteus-medius", "gluteus-minimus")
    assert crosses_never_merge("obturator-internus", "obturator-externus")
    assert crosses_never_merge("hip-abductors", "hip-adductor")
    assert crosses_never_merge("gluteus-maximus", "gluteus-medius")
    assert crosses_never_merge("vastus-lateralis", "vastus-medialis")
    assert not crosses_never_merge("gluteus-medius", "glute-medius")
    assert not crosses_never_merge("hamstring", "hamstrings")


def test_id_suggestions_respect_never_merge() -> None:
    assert VOCABULARY.suggest_id("gluteus-maximum") == "gluteus-maximus"
    assert VOCABULARY.suggest_id("hamstring") == "hamstrings"
    only_minimus = Vocabulary.from_data([{"id": "gluteus-minimus", "kind": "muscle", "name": "gluteus minimus"}])
    assert only_minimus.suggest_id("gluteus-medius") is None
    only_externus = Vocabulary.from_data([{"id": "obturator-externus", "kind": "muscle", "name": "obturator externus"}])
    assert only_externus.suggest_id("obturator-internus") is None
    assert VOCABULARY.ids_named("glute-medius") == ("gluteus-medius",)
    assert VOCABULARY.ids_named("tfl") == ("tensor-fasciae-latae",)
    assert VOCABULARY.ids_named("hamstring") == ("hamstrings",)  # an alias ("hamstring" is an Uberon synonym)


# Issue #16: did-you-mean must not cross to an unrelated muscle. Each pair is (a real muscle outside the
# hip vocabulary, or its id; the hip muscle that a bare similarity score would offer for it).
UNRELATED_PAIRS = [
    ("brachialis", "gracilis"),
    ("biceps-brachii", "biceps-femoris"),
    ("teres-major", "tensor-fasciae-latae"),
    ("pectoralis-major", "pectineus"),
    ("adductor-hallucis", "adductor-longus"),
    ("obturator-nerve", "obturator-internus"),
    ("deltoid", "gluteus-medius"),
    ("tibialis-anterior", "rectus-femoris"),
    ("quadratus-lumborum", "quadratus-femoris"),
]
REAL_TYPOS = [
    ("gracilus", "gracilis"),
    ("gluteus-maximum", "gluteus-maximus"),
    ("hamstring", "hamstrings"),
    ("semitendinosis", "semitendinosus"),
    ("piriformus", "piriformis"),
    ("hips-flexors", "hip-flexors"),
]
# Ids of a vocabulary that has no alias for them: the suggestion is the muscle the informal id means.
ONLY_NAMES = Vocabulary.from_data([{"id": "gluteus-medius", "kind": "muscle", "name": "gluteus medius"}])


@pytest.mark.parametrize(("written", "unrelated"), UNRELATED_PAIRS)
def test_did_you_mean_never_crosses_to_an_unrelated_muscle(written: str, unrelated: str) -> None:
    assert VOCABULARY.suggest_id(written) is None, (written, VOCABULARY.suggest_id(written))  # brachialis: was gracilis
    assert not spelling_close(written, unrelated)
    prose = f"Work the {written.replace('-', ' ')} with the {VOCABULARY.display(unrelated)}."
    assert _typos(prose) == []


@pytest.mark.parametrize(("written", "meant"), REAL_TYPOS)
def test_did_you_mean_keeps_real_typos(written: str, meant: str) -> None:
    assert VOCABULARY.suggest_id(written) == meant
    assert spelling_close(written, meant)
    if VOCABULARY.lookup(written) is not None:
        return  # "hamstring" in prose is the name in the singular, not a typo
    assert _typos(f"Work the {written.replace('-', ' ')} today.") == [
        (written.replace("-", " "), VOCABULARY.display(meant))
    ]


def test_did_you_mean_keeps_a_word_cut_short() -> None:
    assert ONLY_NAMES.suggest_id("glute-medius") == "gluteus-medius"


def test_spelling_close_needs_the_same_words_and_initials() -> None:
    assert spelling_close("glute medius", "gluteus medius")  # a word of a longer name cut short
    assert not spelling_close("iliac", "iliacus")  # but a one-word name cut short is an adjective
    assert spelling_close("gluteus medias", "gluteus medius")
    assert spelling_close("hips flexors", "hip flexors")
    assert not spelling_close("hip flexors muscles", "hip flexors")  # another word count
    assert not spelling_close("gluteus minimus", "gluteus medius")  # never-merge
    assert not spelling_close("brachialis", "gracilis")  # another initial (and another muscle)
    assert not spelling_close("pectoralis", "pectineus")  # too many edits
    assert not spelling_close("teres", "tensor")


def test_unknown_muscle_ids_get_no_suggestion_from_another_muscle(tmp_path: Path) -> None:
    """HC401 on an exercise that names arm and foot muscles: no did-you-mean (before: 'brachialis' was
    offered 'gracilis', 'adductor-hallucis' 'adductor-longus'); a real typo still gets one."""
    muscles = {f"muscles/{p.name}": p.read_text("utf-8") for p in (REPO / "content" / "muscles").glob("*.yaml")}
    exercise = (
        "id: curl\nname: Curl\nmuscles:\n  primary: [brachialis, biceps-brachii, adductor-hallucis, obturator-nerve]\n"
        "  secondary: [gracilus]\n"
    )
    content_only = '[muscles]\nvocabulary = "content"\n'  # content/'s hip records without the built-in ones
    write_tree(tmp_path, {**muscles, "exercises/curl.yaml": exercise, "hipcheck.toml": content_only})
    report = check_paths([str(tmp_path)], cwd=tmp_path, today=TODAY, select=["HC401"]).diagnostics
    assert [d.message for d in report] == [
        "unknown muscle id 'brachialis'",
        "unknown muscle id 'biceps-brachii'",
        "unknown muscle id 'adductor-hallucis'",
        "unknown muscle id 'obturator-nerve'",
        "unknown muscle id 'gracilus'; did you mean 'gracilis'?",
    ]
    (tmp_path / "hipcheck.toml").unlink()  # with the built-in vocabulary, the arm and foot muscles are known
    report = check_paths([str(tmp_path)], cwd=tmp_path, today=TODAY, select=["HC401"]).diagnostics
    assert [d.message for d in report] == [
        "unknown muscle id 'obturator-nerve'",
        "unknown muscle id 'gracilus'; did you mean 'gracilis'?",
    ]


def test_structure_queries() -> None:
    assert VOCABULARY.leaves("hip-flexors") == {"iliacus", "psoas-major", "rectus-femoris"}
    assert VOCABULARY.actions("quadriceps") == {"hip-flexion", "knee-extension"}
    assert VOCABULARY.incapable("psoas-minor", ["hip-flexion"]) == (
        "its actions are trunk-flexion, and it is not recorded as crossing the hip"
    )
    assert VOCABULARY.incapable("gluteus-minimus", ["hip-extension"]) is None  # crosses the hip, actions unknown
    assert VOCABULARY.incapable("hamstrings", ["knee-flexion"]) is None  # nothing recorded: not judged
    # a group crosses what its members cross: the quadriceps crosses the hip through rectus femoris
    assert VOCABULARY.incapable("quadriceps", ["hip-adduction"]) == "its actions are hip-flexion, knee-extension"
    assert VOCABULARY.incapable("quadriceps", ["ankle-plantarflexion"]) == (
        "its actions are hip-flexion, knee-extension, and it is not recorded as crossing the ankle"
    )


# --- content and drafts -------------------------------------------------------------------------------


def _report(path: str, select: list[str]) -> list[Any]:
    result = check_paths([path], cwd=REPO, today=TODAY, select=select)
    assert result.internal_errors == []
    return result.diagnostics


def test_content_has_no_muscle_findings() -> None:
    assert [f"{d.path}:{d.span.line} {d.code} {d.message}" for d in _report("content", ["HC4", "HC6"])] == []


def _line_of(relative: str, needle: str, occurrence: int = 1) -> int:
    return line_of(REPO / DRAFTS / relative, needle, occurrence)


# (file, a needle on the finding's line, which occurrence of it, code, a fragment of the message)
DRAFT_FINDINGS = [
    # records: a name written as an id, an id that names nothing, a name two records claim
    ("exercises/banded-walks.yaml", "primary: [glute-medius]", 1, "HC601", "whose id is 'gluteus-medius'"),
    ("exercises/banded-walks.yaml", "secondary: [glutes]", 1, "HC601", "whose id is 'gluteal-muscles'"),
    ("exercises/deadlifts.yaml", "primary: [glutes", 1, "HC601", "whose id is 'gluteal-muscles'"),
    ("exercises/hip-bridges.yaml", "primary: [glutes]", 1, "HC601", "whose id is 'gluteal-muscles'"),
    ("exercises/deadlifts.yaml", "posterior-chain", 1, "HC401", "unknown muscle id 'posterior-chain'"),
    ("exercises/deadlifts.yaml", "secondary: [core]", 1, "HC401", "unknown muscle id 'core'"),
    ("exercises/hip-circles.yaml", "hip-muscles", 1, "HC401", "unknown muscle id 'hip-muscles'"),
    # (`hamstrings` and `hip-abductors`, which the drafts' muscles/ lacks, are built-in records: no HC401)
    ("muscles/gluteal-muscles.yaml", "aliases:", 1, "HC602", "'gluteal muscles' is also claimed by"),
    ("muscles/deep-gluteal-muscles.yaml", "aliases:", 1, "HC602", "'gluteal muscles' is also claimed by"),
    # prose: an informal name, one muscle named two ways, a misspelling
    (FLAT_FEET, "When glute medius is weak", 1, "HC607", "'glute medius' is not the canonical name"),
    (FLAT_FEET, "activating glute medius", 1, "HC607", "write 'gluteus medius'"),
    (FLAT_FEET, "When glute medius is weak", 1, "HC609", "'gluteus medius' (lines 74, 93), 'glute medius'"),
    # the built-in quadriceps record (from content/muscles) has the aliases "quads" and "quad muscles"
    (FLAT_FEET, "The glutes, quads, and", 1, "HC607", "'quads' is not the canonical name"),
    (FLAT_FEET, "quad dominated", 1, "HC607", "'quad' is not the canonical name"),
    (FLAT_FEET, "one of your quad muscles", 1, "HC607", "'quad muscles' is not the canonical name"),
    (FLAT_FEET, "one of your quad muscles", 1, "HC609", "quadriceps femoris is named 2 ways"),
    (FLAT_FEET, "The hips flexors", 1, "HC610", "'hips flexors' looks like a misspelling of 'hip flexors'"),
    # prose: the seed's two definitions of the iliopsoas, and its hip flexors with the psoas minor
    (FLAT_FEET, "The hip flexors–the muscles", 1, "HC611", "the 'hip-flexors' record has iliacus, psoas major"),
    (FLAT_FEET, "The hip flexors–the muscles", 1, "HC611", "said here to be 2 muscles, but the 'iliopsoas' record"),
    (
        FLAT_FEET,
        "The hip flexors–the muscles",
        1,
        "HC612",
        "defined here as 2 muscles, but as iliacus, psoas major, psoas minor",
    ),
    (FLAT_FEET, "The hip flexors–the muscles", 1, "HC605", "psoas minor (through iliopsoas group) is counted here"),
    # Issue #16: no HC607 "'iliopsoas' is not the canonical name" (with a safe fix to "iliopsoas group") and
    # no HC609 "iliopsoas group is named 2 ways" here any more: both were false alarms. "Iliopsoas" is the
    # name of the Uberon term (UBERON:0001999), how anatomists write it; the draft record now lists it as
    # a synonym, not an informal alias.
]


def test_drafts_show_each_muscle_finding() -> None:
    """Every muscle finding the seed text and its draft records really contain, at its place, and no other.

    Not in the drafts because the seeds do not contain them (fixtures cover them, and the
    free-exercise-db test finds real ones): an abbreviation used before its introduction (HC608; the
    seed introduces "tensor fasciae latae (TFL)" at its only use), members/part_of that disagree
    (HC603), a muscle both primary and secondary (HC604), and a primary muscle that cannot produce
    the stated movement (HC606).
    """
    report = _report(DRAFTS, ["HC401", "HC6"])
    got = [(d.path.removeprefix(DRAFTS + "/"), d.span.line, d.code, d.message) for d in report]
    for path, needle, occurrence, code, fragment in DRAFT_FINDINGS:
        line = _line_of(path, needle, occurrence)
        matches = [g for g in got if g[:3] == (path, line, code) and fragment in g[3]]
        assert matches, (path, line, code, fragment, [g for g in got if g[0] == path and g[1] == line])
    assert Counter(d.code for d in report) == Counter(code for *_, code, _ in DRAFT_FINDINGS)


def test_drafts_fixes_apply_once(tmp_path: Path) -> None:
    """Applying every muscle fix changes only the spans, and a second run has nothing left to fix."""
    root = tmp_path / "drafts"
    write_tree(root, {str(p.relative_to(REPO / DRAFTS)): p.read_text("utf-8") for p in (REPO / DRAFTS).rglob("*.*")})
    select = ["HC601", "HC607", "HC608", "HC610"]
    first = check_paths([str(root)], cwd=root, today=TODAY, select=select).diagnostics
    by_file: dict[str, list[Any]] = {}
    for d in first:
        if d.fix is not None:
            by_file.setdefault(d.path, []).append(d.fix)
    assert sum(len(f) for f in by_file.values()) == 10  # HC601 x4, HC607 x5 (not "iliopsoas": issue #16), HC610
    for relative, fixes in by_file.items():
        path = root / relative
        fixed, applied = apply_fixes(path.read_bytes().decode("utf-8"), fixes)
        assert applied == len(fixes)
        path.write_bytes(fixed.encode("utf-8"))
    again = check_paths([str(root)], cwd=root, today=TODAY, select=select).diagnostics
    assert [d for d in again if d.fix is not None] == []
    text = (root / FLAT_FEET).read_text("utf-8")
    assert "When gluteus medius is weak" in text and "The hip flexors are in a shortened" in text


def test_fixes_keep_crlf_line_endings_comments_and_quotes(tmp_path: Path) -> None:
    root = tmp_path / "content"
    files = {
        "muscles/gluteus-medius.yaml": MEDIUS.replace("\n", "\r\n"),
        "exercises/banded-walks.yaml": (
            "id: banded-walks  # seed 004\r\nname: Banded walks\r\nsteps:\r\n"
            "  - 'Activate the glute medius.'\r\n  - \"Then the glute\r\n    medius again.\"\r\n"
            "muscles:\r\n  primary: ['glute-medius']  # quoted\r\n"
        ),
    }
    for relative, text in files.items():
        (root / relative).parent.mkdir(parents=True, exist_ok=True)
        (root / relative).write_bytes(text.encode("utf-8"))
    diagnostics = check_paths([str(root)], cwd=root, today=TODAY, select=["HC601", "HC607"]).diagnostics
    assert [(d.code, d.span.line) for d in diagnostics] == [("HC607", 4), ("HC607", 5), ("HC601", 8)]
    path = root / "exercises/banded-walks.yaml"
    fixed, _ = apply_fixes(path.read_bytes().decode("utf-8"), [d.fix for d in diagnostics if d.fix])
    assert fixed == (
        "id: banded-walks  # seed 004\r\nname: Banded walks\r\nsteps:\r\n"
        "  - 'Activate the gluteus medius.'\r\n  - \"Then the gluteus medius again.\"\r\n"
        "muscles:\r\n  primary: ['gluteus-medius']  # quoted\r\n"
    )


def test_unknown_muscle_defers_to_name_as_id_only_when_that_rule_runs(tmp_path: Path) -> None:
    root = tmp_path / "content"
    write_tree(
        root,
        {
            "muscles/gluteus-medius.yaml": MEDIUS,
            "exercises/banded-walks.yaml": "id: banded-walks\nname: Banded walks\nmuscles:\n"
            "  primary: [glute-medius]\n",
        },
    )

    def run(select: list[str]) -> list[tuple[str, str, bool | None]]:
        diagnostics = check_paths([str(root)], cwd=root, today=TODAY, select=select).diagnostics
        return [(d.code, d.severity.value, d.fix.safe if d.fix else None) for d in diagnostics]

    assert run(["HC401"]) == [("HC401", "error", True)]
    assert run(["HC401", "HC601"]) == [("HC601", "warning", True)]


# --- options ------------------------------------------------------------------------------------------


def _prose_codes(root: Path, config: Any) -> Counter[str]:
    records = [
        record
        for path in sorted(root.rglob("*.*"))
        for record in read_records(path, {"articles": "article", "muscles": "muscle"}[path.parent.name], path.name)
    ]
    index = ContentIndex(records)
    ctx = Context(config=config, today=TODAY, index=index)  # a configuration perhaps without `muscles`
    return Counter(f.code or "" for f in prose_rules.check_prose(index, ctx))


def test_allowed_informal_terms_come_from_the_configuration(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "muscles/quadriceps.yaml": "id: quadriceps\nkind: group\nname: quadriceps femoris\naliases: [quads]\n",
            "muscles/gluteal-muscles.yaml": "id: gluteal-muscles\nkind: group\nname: gluteal muscles\n"
            "aliases: [glutes]\n",
            "articles/a.md": "---\ntitle: A\n---\nThe glutes and the quads; quad dominated activities.\n",
        },
    )
    assert DEFAULT_ALLOWED_INFORMAL == ("glutes",)
    assert _prose_codes(tmp_path, SimpleNamespace()) == Counter({"HC607": 2})  # no `muscles` option yet
    allowed = SimpleNamespace(muscles={"allowed-informal": ["quads"]})
    assert _prose_codes(tmp_path, allowed) == Counter({"HC607": 1})  # glutes is reported now
    both = SimpleNamespace(muscles=MuscleOptions.model_validate({"allowed-informal": ["glutes", "quad"]}))
    assert _prose_codes(tmp_path, both) == Counter()
    assert options_from(SimpleNamespace(muscles=None)).allowed_informal == ["glutes"]


# --- linear scanning ------------------------------------------------------------------------------------


class _CountingPattern:
    def __init__(self, pattern: Any) -> None:
        self.pattern = pattern
        self.calls: Counter[str] = Counter()

    def __getattr__(self, name: str) -> Any:
        self.calls[name] += 1
        return getattr(self.pattern, name)


def test_one_pass_per_text_with_patterns_built_once(monkeypatch: pytest.MonkeyPatch) -> None:
    vocabulary = _content_vocabulary()
    compiled: list[str] = []
    real_compile = __import__("re").compile

    def counting_compile(pattern: Any, flags: int = 0) -> Any:
        compiled.append(pattern)
        return real_compile(pattern, flags)

    monkeypatch.setattr("hipcheck.muscle_vocabulary.scanner.re.compile", counting_compile)
    scanner = vocabulary.scanner
    assert compiled == []  # compiled on first use
    mixed, lowered = _CountingPattern(scanner.pattern), _SearchPositions(scanner.lowered_pattern)
    assert len(compiled) == 2  # all names and abbreviations in each: mixed case, and lowered ASCII
    scanner.pattern, scanner.lowered_pattern = mixed, lowered  # type: ignore[assignment]
    article = (REPO / "content" / FLAT_FEET).read_text("utf-8")
    assert not article.isascii()
    found = vocabulary.scan(article)  # other characters stand in as ASCII: the lowered pattern
    assert found and not mixed.calls
    # One pass: the pattern is tried at the few places where a word that starts a name stands, each once.
    assert lowered.positions == sorted(set(lowered.positions))
    assert len(found) <= len(lowered.positions) <= 2 * len(found)
    assert vocabulary.scan(article + " \u017f") and mixed.calls == Counter({"finditer": 1})  # once per text
    assert vocabulary.scanner is scanner and len(compiled) <= 3  # built once per vocabulary (+ abbreviations)


class _SearchPositions:
    def __init__(self, pattern: Any) -> None:
        self.pattern = pattern
        self.positions: list[int] = []

    def search(self, text: str, position: int = 0) -> Any:
        self.positions.append(position)
        return self.pattern.search(text, position)

    def match(self, text: str, position: int = 0) -> Any:
        self.positions.append(position)
        return self.pattern.match(text, position)


def test_ascii_scan_finds_what_the_case_insensitive_pattern_finds() -> None:
    vocabulary = _content_vocabulary()
    scanner = vocabulary.scanner
    forms = [*scanner.terms, *scanner.abbreviations]
    variants = [
        f(form) for form in forms for f in (str, str.upper, str.title, str.swapcase, lambda x: x.replace(" ", "-"))
    ]
    article = (REPO / "content" / FLAT_FEET).read_text("utf-8").encode("ascii", "replace").decode()
    texts = [article, " ".join(variants), ", ".join(variants), "".join(variants)]
    texts += [f"The {v}s and ({v}) or {v}-like, {v}2 {v}." for v in variants]
    searching = Vocabulary.from_data(yaml.safe_load(p.read_text("utf-8")) for p in (REPO / "content/muscles").glob("*"))
    searching.scanner.__dict__["_first_words"] = None  # a search at every character, as with a form like "(x)"
    for text in texts:
        assert text.isascii()
        assert scanner._scan_ascii(text, 7) == scanner._scan_mixed(text, 7), text[:80]
        assert searching.scanner._scan_ascii(text, 7) == scanner._scan_ascii(text, 7), text[:80]
    # Other characters: stand-ins keep word boundaries, and the separators names may contain.
    unicode = [(REPO / "content" / FLAT_FEET).read_text("utf-8"), *(REPO / "examples/drafts/articles").glob("*.md")]
    unicode = [t if isinstance(t, str) else t.read_text("utf-8") for t in unicode]
    for v in variants[:60]:
        for around in ("é{}é", "é {} é", "«{}»", "{}\u00a0muscle", "“{}”", "{}’s", "{}²", "²{}", "\u00a0{}\u2014"):
            unicode.append(around.format(v))
        unicode.append(v.replace(" ", "\u00a0").replace("-", "\u2010") + " and " + v.replace(" ", "\u2011"))
    assert sum(not text.isascii() for text in unicode) > 500 and scanner._ascii_terms
    for text in unicode:
        assert scanner.scan(text, 7) == scanner._scan_mixed(text, 7), text[:80]
    # Abbreviations that differ only in case, or whose lower case is longer than the exact one there.
    tricky = Vocabulary.from_data(
        [
            {"id": "a", "name": "alpha muscle", "abbreviations": ["AB", "Ab C"]},
            {"id": "s", "name": "sigma muscle", "abbreviations": ["SIJ", "Si", "S.I."]},
        ]
    ).scanner
    for text in ["AB C", "Ab C", "ab c", "AB Cx", "Sij", "SIJ", "Si j", "S.I. joint", "s.i.", "Si", "AB-C ab"]:
        expected = tricky._scan_mixed(text, 0)
        assert tricky._scan_ascii(text, 0) == expected, text
    assert [m.text for m in tricky.scan("AB C and Ab C, Si and SIJ")] == ["AB", "Ab C", "Si", "SIJ"]
    # A form that does not begin with a word: no word tells where it starts, so the pattern searches.
    odd = Vocabulary.from_data([{"id": "a", "name": "(x) muscle"}, {"id": "c", "name": "c muscle"}]).scanner
    text = "the (x) muscle and c muscle, (X) Muscles"
    assert odd._first_words is None and len(odd._scan_ascii(text, 0)) == 3
    assert odd._scan_ascii(text, 0) == odd._scan_mixed(text, 0)
    # A look-alike of an abbreviation ("aB C" for "Ab C") is not a mention, but one inside it ("C") is.
    for first_words in (True, False):
        inner = Vocabulary.from_data([{"id": "a", "name": "alpha muscle", "abbreviations": ["Ab C", "C"]}]).scanner
        if not first_words:
            inner.__dict__["_first_words"] = None
        for text in ["aB C", "ab C", "Ab C", "aB c C"]:
            assert inner._scan_ascii(text, 0) == inner._scan_mixed(text, 0), text
        assert [m.text for m in inner._scan_ascii("aB C", 0)] == ["C"]


def _scan_steps(vocabulary: Vocabulary, text: str) -> int:
    """The work of finding the mentions and misspellings in `text`, counted (helpers.steps)."""
    return steps(lambda: vocabulary.misspellings(text, vocabulary.scan(text)), MUSCLE_VOCABULARY)


def test_scanning_work_grows_with_the_text_not_with_the_vocabulary() -> None:
    """Scanning is linear in the text; names a text does not use cost it nothing, and 20 times the names
    cost a small factor more, not 20 times. The work is counted, not timed, so the test gives the same
    answer on a busy machine (benchmarks/vocabulary_scaling.py times it)."""
    article = (REPO / "content" / FLAT_FEET).read_text("utf-8")
    small = _content_vocabulary()
    small.misspellings(article, small.scan(article))  # build the pattern and the caches of the article's words
    one, eight = _scan_steps(small, article), _scan_steps(small, article * 8)
    assert one > 1_000  # the article's mentions and typo candidates are looked at
    assert eight < 8 * 1.5 * one  # linear (quadratic would be 64 times)

    records = [yaml.safe_load(p.read_text("utf-8")) for p in sorted((REPO / "content" / "muscles").glob("*.yaml"))]
    greek = "alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi omicron pi rho sigma tau".split()
    unused = [  # 361 names and as many aliases that no word of the article starts or resembles
        {"id": f"{a}-{b}", "kind": "muscle", "name": f"{a} {b} musculus", "aliases": [f"{b} {a}"]}
        for a, b in itertools.product(greek, greek)
    ]
    more = Vocabulary.from_data([*records, *unused])
    assert len(more.terms) > 10 * len(small.terms)
    more.misspellings(article, more.scan(article))
    assert _scan_steps(more, article) < 1.1 * one  # names a text does not use cost it nothing

    synthetic = [
        {"id": f"m{i}-{r['id']}", "kind": "muscle", "name": f"{r['name']} {word}", "aliases": [f"{word} {r['name']}"]}
        for i, word in enumerate(greek)
        for r in records
    ]
    large = Vocabulary.from_data([*records, *synthetic])
    assert len(large.terms) > 15 * len(small.terms)
    large.misspellings(article, large.scan(article))
    # About 5 times the work: the synthetic names share their words' initials with the article's "and",
    # "at", ..., so more windows are compared; work that grew with the names would be 15 times or more.
    assert _scan_steps(large, article) < 6 * one
    assert _scan_steps(large, article * 8) < 8 * 1.5 * _scan_steps(large, article)


def test_the_typo_search_shortcuts_change_no_misspelling(monkeypatch: pytest.MonkeyPatch) -> None:
    """The typo search skips the words of a mention no longer name can contain; with a longer name that
    contains the mention, a typo of the longer name around a correct mention is still found."""
    entries = [
        {"id": "gluteus-medius", "name": "gluteus medius"},
        {"id": "gluteus-medius-muscle", "name": "gluteus medius muscle"},  # "muscle" starts no typo search
        {"id": "psoas-major", "name": "psoas major"},
        {"id": "hip-flexors", "name": "hip flexors", "aliases": ["hip flexor group"]},
    ]
    texts = [
        "The gluteus medius musle and the psoas major work; the psoas majr too.",
        "Gluteus medius, gluteus medis, glutues medius and the hip flexers or hips flexors group.",
        (REPO / "examples" / "drafts" / "articles" / "hips-and-flat-feet.md").read_text("utf-8"),
    ]
    fast, slow = Vocabulary.from_data(entries), Vocabulary.from_data(entries)
    monkeypatch.setattr(slow.misspelling_finder, "_extends", lambda mention: True)  # blank nothing
    monkeypatch.setattr(slow.misspelling_finder, "_could_start_window", lambda *_: True)  # and look at every window
    for text in texts:
        assert fast.misspellings(text, fast.scan(text)) == slow.misspellings(text, slow.scan(text))
    first = fast.misspellings(texts[0], fast.scan(texts[0]))
    assert [m.text for m in first] == ["gluteus medius musle", "psoas majr"]  # found from inside the mention
    content, everything = _content_vocabulary(), _content_vocabulary()
    monkeypatch.setattr(everything.misspelling_finder, "_extends", lambda mention: True)
    monkeypatch.setattr(everything.misspelling_finder, "_could_start_window", lambda *_: True)
    for path in sorted((REPO / "examples" / "drafts").rglob("*.*")):
        text = path.read_text("utf-8")
        assert content.misspellings(text, content.scan(text)) == everything.misspellings(text, everything.scan(text))


def test_conflicting_definitions_compare_each_definition_with_a_few_not_all(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Sixty articles that agree and one that does not: one finding, and work linear in the articles."""
    files = {
        "muscles/iliopsoas.yaml": "id: iliopsoas\nkind: group\nname: iliopsoas\nmembers: [iliacus, psoas-major]\n",
        "muscles/iliacus.yaml": "id: iliacus\nkind: muscle\nname: iliacus\npart_of: [iliopsoas]\n",
        "muscles/psoas-major.yaml": "id: psoas-major\nkind: muscle\nname: psoas major\npart_of: [iliopsoas]\n",
        "muscles/psoas-minor.yaml": "id: psoas-minor\nkind: muscle\nname: psoas minor\n",
    }
    same = "---\ntitle: A\n---\nThe iliopsoas is made up of the iliacus and the psoas major.\n"
    for n in range(60):
        files[f"articles/a{n:02}.md"] = same
    files["articles/z.md"] = same.replace("the psoas major.", "the psoas major and the psoas minor.")
    write_tree(tmp_path, files)
    calls = Counter[str]()
    real = prose_groups._disagree
    monkeypatch.setattr(prose_groups, "_disagree", lambda a, b: calls.update(["call"]) or real(a, b))
    result = check_paths([str(tmp_path)], cwd=tmp_path, today=TODAY, select=["HC612"], cache=False)
    found = [(d.path, d.message) for d in result.diagnostics]
    expected = "iliopsoas is defined here as iliacus, psoas major, psoas minor, but as iliacus, psoas major"
    assert found == [("articles/z.md", f"{expected} at articles/a00.md:4")]
    assert calls["call"] <= 2 * 61  # all earlier definitions each time would be 1,830


def _definitions(text: str) -> list[tuple[str, list[str]]]:
    unit = prose_rules.Unit(SimpleNamespace(path="x.md"), text, 0, "article")  # type: ignore[arg-type]
    parser = prose_rules._DefinitionParser(unit, VOCABULARY.scan(text), VOCABULARY, prose_rules._Lines(text))
    return [(d.group, sorted(d.members or {})) for d in parser.parse()]


FLEXORS = ("hip-flexors", ["iliacus", "psoas-major", "rectus-femoris"])
# Each text defines the hip flexors through one cue word only (see the *_CUES tuples in prose.py).
CUED_DEFINITIONS = [
    "The hip flexors are made up of the iliacus, the psoas major and the rectus femoris.",
    "The hip flexors are composed of the iliacus, the psoas major and the rectus femoris.",
    "The hip flexors are comprised of the iliacus, the psoas major and the rectus femoris.",
    "The hip flexors comprise the iliacus, the psoas major and the rectus femoris.",
    "The hip flexors are formed by the iliacus, the psoas major and the rectus femoris.",
    "The hip flexors consist of the iliacus, the psoas major and the rectus femoris.",
    "The hip flexors: the iliacus, the psoas major and the rectus femoris.",
    "The iliacus, the psoas major and the rectus femoris form the hip flexors.",
    "## The hip flexors\n\nMuscles: iliacus, psoas major, rectus femoris\n",
    "The HIP FLEXORS CONSIST OF the iliacus, the psoas major and the rectus femoris.",
    "The hip flexors are compo\u017fed of the iliacus, the psoas major and the rectus femoris.",  # long s
    "The hip flexors \u2014 at the front \u2014 consist of the iliacus, the psoas major and the rectus femoris.",
]


@pytest.mark.parametrize("text", CUED_DEFINITIONS)
def test_definition_cues_skip_only_texts_that_cannot_define(text: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The parser tries a definition pattern only when the text holds one of its cue words; each cue is
    needed (every text here has one only), and skipping changes nothing on real texts."""
    assert _definitions(text) == [FLEXORS]
    monkeypatch.setattr(prose_definitions, "folded_for_cues", lambda text: None)  # try every pattern
    assert _definitions(text) == [FLEXORS]


def test_definition_cues_change_nothing_on_the_drafts_and_content(monkeypatch: pytest.MonkeyPatch) -> None:
    paths = [p for root in ("examples/drafts", "content") for p in sorted((REPO / root).rglob("*.*"))]
    texts = [p.read_text("utf-8") for p in paths]
    cued = [_definitions(text) for text in texts]
    assert any(cued)
    monkeypatch.setattr(prose_definitions, "folded_for_cues", lambda text: None)
    assert [_definitions(text) for text in texts] == cued


def test_whole_word_occurrences_are_what_a_bounded_pattern_finds() -> None:
    """The typo search (bounded by letters) and the scanner (bounded by word characters on ASCII text) find
    their candidate words with `str.find`; they must find what a bounded pattern finds, with digits, "_",
    other scripts and superscripts around the words."""
    from hipcheck.muscle_vocabulary.misspellings import _is_letter
    from hipcheck.muscle_vocabulary.scanner import _is_ascii_word_char
    from hipcheck.muscle_vocabulary.scanner import whole_occurrences as _whole_occurrences

    words = {"glute", "medium", "aa"}
    pattern = re.compile(r"(?<![^\W\d_])(?:medium|glute|aa)(?![^\W\d_])")
    ascii_pattern = re.compile(r"(?<!\w)(?:medium|glute|aa)(?!\w)")
    texts = [
        "glute glutes aglute glute_ glute1 1glute \u00e9 glute \u00e9glute glute\u00e9 \u017fglute glute\u00b2 glute",
        "aaa aa aaaa a aa-aa aa\0aa",
        "medium\nglute\tmedium,glute.medium",
        "",
    ]
    for text in texts:
        expected = [(m.start(), m.end(), m.group()) for m in pattern.finditer(text)]
        assert _whole_occurrences(text, words, _is_letter) == expected
        ascii_text = text.encode("ascii", "replace").decode()
        expected = [(m.start(), m.end(), m.group()) for m in ascii_pattern.finditer(ascii_text)]
        assert _whole_occurrences(ascii_text, words, _is_ascii_word_char) == expected


def test_the_exercise_screen_ignores_names_inside_urls_code_and_addresses(tmp_path: Path) -> None:
    """The screen masks noise as the full check does: an informal name in a URL, a code span or an e-mail
    address is nothing to report; the same name in plain text is."""
    from hipcheck.rules.prose import exercise_needs_prose_check

    text = (REPO / "content" / "exercises" / "banded-walks.yaml").read_text("utf-8")
    noisy = text.replace("steps:\n", "steps:\n- Video at https://example.org/glute-medius, or `glute medius`.\n", 1)
    noisy = noisy.replace("safety:\n", "safety:\n- Ask glute-medius@example.org.\n", 1)
    plain = text.replace("steps:\n", "steps:\n- Squeeze the glute medius.\n", 1)
    options = options_from(SimpleNamespace(muscles=None))
    for content, expected in ((text, False), (noisy, False), (plain, True)):
        path = tmp_path / "exercises" / "banded-walks.yaml"
        path.parent.mkdir(exist_ok=True)
        path.write_text(content, "utf-8")
        record = read_records(path, "exercise", "exercises/banded-walks.yaml")[0]
        assert record.loaded
        assert exercise_needs_prose_check(record, VOCABULARY, options) is expected, content


def test_words_are_what_the_token_pattern_finds() -> None:
    from hipcheck.muscle_vocabulary.misspellings import _TOKEN, _words

    texts = [
        "Plain ASCII, with digits 42 and snake_case words.",
        "Caf\u00e9 na\u00efve \u2014 the gluteus\u2019s \u00bbmedius\u00ab; x\u00b2 \u0130stanbul",
        "\u017fome \u212aelvin 3\u00bd \u00a0non-breaking\u00a0space\u2003em\u2003space\u3000ideographic",
        "\u65e5\u672c\u8a9e \u0661\u0662 abc\u0661def",
        "",
    ]
    for text in texts:
        assert _words(text) == _TOKEN.findall(text)
