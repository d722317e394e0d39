"""The real-world corpus (tests/realworld/, SOURCES.md), checked as a user would check it today (issue #16).

Each source is arranged as its renderer reads it, then `check_paths` runs with a fixed day and no cache,
and its findings must equal the list pinned here, each a true defect of that file (why, next to it).
Nothing else may be reported: a rule that is a house policy of a health site and not of a journal
manuscript is turned off in the root's hipcheck.toml, as a user would, with the reason there.

- A JOSS, R Markdown or Quarto manuscript goes to `articles/` (`.Rmd`/`.qmd` renamed `.md`) with the
  bibliography its front matter names beside it, read in place (`_manuscript_root`).
- A Manubot manuscript's parts go to `articles/` as they are (Manubot concatenates them; their metadata is
  `metadata.yaml`, which hipcheck does not read). Manubot's `manual-references.json` is a CSL-JSON array,
  kept as it is in `references/`; its `manual-references.bib` goes through `hipcheck refs import`, since
  no article's front matter names it. No corpus file is a bibliography without a manuscript.
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest
from test_renderer_articles import MANUSCRIPTS, REALWORLD, _manuscript_root

from hipcheck.engine import check_paths
from hipcheck.refs_import import import_references

from helpers import write_tree

TODAY = dt.date(2026, 11, 21)

# A journal manuscript, not an article of this site. Its front matter has none of hipcheck's editorial
# fields (published, summary, last_reviewed, reviewed_by; the R Markdown ones name no author either):
# HC301/HC302 are the site's policy. A methods paper citing a 1974 paper cites history, not stale advice:
# no age notices. Pandoc and CSL need no DOI on a journal article and no access date on a web page.
MANUSCRIPT_CONFIG = """\
ignore = ["HC301", "HC302"]
source-max-age = 0

[reference-required-fields]
article-journal = ["author", "container-title", "issued"]
webpage = ["URL"]

# Written for researchers, not patients: the professional reading-grade target (HC701-HC703).
[prose]
audience = "professional"
"""
# A Manubot manuscript besides: its parts have no front matter (HC005; Manubot reads metadata.yaml), and
# Manubot fetches the reference of every `@doi:`/`@pmid:`/`@arxiv:`/`@url:`/`@tag:` citation when it
# builds, so the root keeps only the manual references (HC406, as its documentation says).
MANUBOT_CONFIG = MANUSCRIPT_CONFIG.replace('"HC302"]', '"HC302", "HC005", "HC406"]')


def _manubot_root(tmp_path: Path, source: str) -> Path:
    root = tmp_path / source
    (root / "articles").mkdir(parents=True)
    (root / "references").mkdir()
    for part in sorted((REALWORLD / source).glob("*.md")):
        shutil.copy(part, root / "articles" / part.name)
    shutil.copy(REALWORLD / source / "manual-references.json", root / "references" / "manual-references.json")
    if (REALWORLD / source / "manual-references.bib").exists():
        report = import_references(REALWORLD / source / "manual-references.bib", root / "references")
        assert report.written and not (report.notes or report.problems or report.skipped), report.as_data()
    return root


# The corpus keeps the manuscripts' text, not their figures. Each figure a manuscript shows is in its
# repository at the commit SOURCES.md names, beside the manuscript (`git ls-tree -r` of that snapshot; for
# deep-review and dryft, the repository index): the root gets an empty file in its place, so the image
# rules check the manuscript as it is published (its `images/` folder beside the parts, for Manubot).
FIGURES: dict[str, list[str]] = {
    "dryft-joss": ["example_JOSS.png", "steps.png"],  # documentation/JOSS_submission/
    "pyomeca-joss": [  # docs/paper/fig/
        f"fig/{name}.pdf"
        for name in (
            "biomech-data",
            "object-creation",
            "data-processing",
            "ex-1-raw",
            "ex-2-processed",
            "ex-3-aggr",
            "ex-4-box",
            "ex-5-corr",
        )
    ],
    "quarto-showcase": ["images/la-palma-map.png", "images/reservoirs.png"],
    "try-manubot": [f"images/{name}.svg" for name in ("orcid", "github", "twitter", "mastodon")],  # content/images/
    "deep-review": ["images/orcid.svg", "images/biotm.png"],  # content/images/
}


def _add_figures(root: Path, source: str) -> None:
    for figure in FIGURES.get(source, []):
        (root / "articles" / figure).parent.mkdir(parents=True, exist_ok=True)
        (root / "articles" / figure).write_bytes(b"")


def _root(tmp_path: Path, source: str) -> Path:
    if source in MANUBOT:
        root = _manubot_root(tmp_path, source)
        config = MANUBOT[source] + MANUBOT_CONFIG  # top-level keys before the tables
    else:
        manuscript, bibliography = next((m, b) for s, m, b in MANUSCRIPTS if s == source)
        root = _manuscript_root(tmp_path, source, manuscript, bibliography)
        config = MANUSCRIPT_CONFIG
    (root / "hipcheck.toml").write_text(config, encoding="utf-8")
    _add_figures(root, source)
    return root


def _findings(root: Path) -> list[tuple[str, int, str, str]]:
    result = check_paths([str(root)], cwd=root, today=TODAY, cache=False)
    assert not result.internal_errors, result.internal_errors
    return sorted((d.path, d.span.line, d.code, d.message) for d in result.diagnostics)


MANUBOT = {
    # 02.main-text.md:76 cites identifiers.org compact identifiers ("Testing some identifier types
    # [@bioproject:PRJDB3] and [@4dn:4DNES265ETYQ] and [@geo:GDS1234]"), which Manubot resolves when it
    # builds: named as identifier prefixes, they are citations by identifier (HC406, off here as above).
    "try-manubot": 'identifier-prefixes = ["bioproject", "4dn", "geo"]\n',
    "deep-review": "",
}

BIB = "articles/bibliography.bib"
JSON = "references/manual-references.json"

# (path, line, code, a fragment of the message), sorted as the findings are.
EXPECTED: dict[str, list[tuple[str, int, str, str]]] = {
    # 7 entries; 9 citations of 7 keys: every key resolves, every entry is cited.
    "dryft-joss": [
        # "the average (± SD) force": SD is never written out (a journal's list may waive it; the file does not).
        ("articles/paper.md", 55, "HC720", "'SD' is never defined"),
    ],
    # 11 entries; 17 citations of 11 keys, all resolved, every entry cited.
    "pyomeca-joss": [
        # "the [static documentation and API reference](...)": API is never written out.
        ("articles/paper.md", 56, "HC720", "'API' is never defined"),
    ],
    "quarto-showcase": [
        # 1 entry, `marrero2019`, cited twice (the other 4 keys are Quarto cross-references). Its
        # `pages = {},` is an empty field: the page range (or article number) was lost, and Pandoc
        # renders nothing there.
        ("articles/references.bib", 1, "HC503", "page is empty"),
    ],
    # 2 entries; 2 citations, one of each.
    "shorts-sprint": [
        # One 45-word sentence ("The differences look obvious since ... cannot be seen so easily."): grade 20.
        ("articles/sprint-corrections.md", 139, "HC702", "grade 20.3, more than 3 above the target 16"),
        # "Particularly large difference can be seen for TAU, MAC, and PMAX": TAU and MAC are written out
        # earlier, PMAX never is (only the code says what it is: `true_PMAX = (true_MSS * true_MAC) / 4`).
        ("articles/sprint-corrections.md", 194, "HC720", "'PMAX' is never defined"),
    ],
    # 39 entries; 79 citations of 38 keys.
    "locomotion-grf-acc": [
        # `@article{Diniz-Sousa2020,` is in the bibliography but manuscript.Rmd never cites it.
        (BIB, 63, "HC501", "'Diniz-Sousa2020' is never cited"),
        # Stiles2017: `doi = {0.1093/ije/dyx080}`, the leading 1 is missing: the journal is the
        # International Journal of Epidemiology, whose DOIs are 10.1093/ije/...
        (BIB, 295, "HC506", "DOI '0.1093/ije/dyx080'"),
        # Veras2021a is an `@article` with no journal: its DOI 10.5281/zenodo.5035522 is a Zenodo software
        # release (the impactr R package), so the entry type is wrong.
        (BIB, 381, "HC505", "article-journal reference has no container-title"),
        # Three paragraphs far above even a professional target: one sentence of 56 words (line 159), one
        # of 47 (line 167), and a numbered list of advantages written as one sentence of 161 words (line 297).
        ("articles/manuscript.md", 159, "HC702", "longest sentence 56 words"),
        ("articles/manuscript.md", 167, "HC702", "longest sentence 47 words"),
        # "(... kg·m^-2^, X̄±SD)": SD is never written out.
        ("articles/manuscript.md", 173, "HC720", "'SD' is never defined"),
        ("articles/manuscript.md", 297, "HC702", "longest sentence 161 words"),
    ],
    # 1 BibTeX entry (imported) and 1 CSL-JSON item; 18 citations of 17 keys (15 by identifier, one a
    # Jinja `@{{...}}` expression, which is not a citation).
    "try-manubot": [
        # The one manual CSL-JSON item, url:https://github.com/manubot/rootstock, is cited by no part
        # (no part mentions rootstock).
        (JSON, 3, "HC501", "'url:https://github.com/manubot/rootstock' is never cited"),
    ],
    # 36 CSL-JSON items (manual references; Manubot fetches the rest); 848 citations in 7 parts.
    "deep-review": sorted(
        [
            # 90.back-matter.md:251 defines [@tag:Sculley2018] as this URL, but no part cites the tag.
            (JSON, 56, "HC501", "'url:https://openreview.net/pdf?id=rJWF0Fywf' is never cited"),
            # "BI Intelligence" and "NIH Clinical Center" are organisations written as a person with an
            # empty given name ({"family": "...", "given": ""}); CSL writes them as {"literal": "..."}.
            (JSON, 649, "HC503", "author[0].given is empty"),
            (JSON, 978, "HC513", "'NIH Clinical Center' is a group"),
            (JSON, 980, "HC503", "author[0].given is empty"),
            # The item url:http://research.google.com/archive/large_deep_networks_nips2012.html has
            # "type": "article-journal" at line 728 and "type": "webpage" at line 790: JSON readers keep
            # only the later one, silently.
            (JSON, 728, "HC002", "key 'type' is repeated at line 790"),
            (JSON, 790, "HC002", "duplicate key 'type' (first at line 728)"),
            # 90.back-matter.md:96 defines [@tag:Glorot2011_domain] as this URL, but no part cites the tag.
            (JSON, 1144, "HC501", "'url:http://citeseerx.ist.psu.edu/viewdoc/summary?doi=10.1.1.231.3442' is never"),
            # doi:10.3389/fgene.2014.00342 has no "issued": only Crossref's "created" (its deposit date).
            (JSON, 986, "HC505", "article-journal reference has no issued"),
            # "original-title": [] — Crossref's list shape; CSL-JSON (csl-data.json) wants a string.
            *((JSON, line, "HC101", "original-title should be text, found a list") for line in (872, 945, 1088, 1309)),
            # Crossref and Greycite fields `manubot cite` copied that are not CSL-JSON variables: the official
            # schema (csl-data.json) forbids other properties of an item and of a name. Citeproc ignores them,
            # but the file is not valid CSL-JSON (TRIAGE.md T7).
            *(
                (JSON, line, "HC102", f"unknown field '{field.split(' in ')[0]}'")
                for line, field in [
                    (540, "redirects-to"),
                    (560, "greycite-canonical-uri"),
                    (585, "archives"),
                    (634, "greycite-canonical-uri"),
                    (652, "redirects-to"),
                    (653, "archives"),
                    (691, "archives"),
                    (789, "redirects-to"),
                    (821, "indexed"),
                    (839, "reference-count"),
                    (841, "content-domain"),
                    (845, "short-container-title"),
                    (848, "created"),
                    (860, "is-referenced-by-count"),
                    (862, "prefix"),
                    (867, "affiliation in author[0]"),
                    (870, "member"),
                    (873, "deposited"),
                    (884, "score"),
                    (885, "subtitle"),
                    (886, "short-title"),
                    (887, "references-count"),
                    (889, "relation"),
                    (893, "indexed"),
                    (904, "publisher-location"),
                    (905, "reference-count"),
                    (907, "content-domain"),
                    (911, "short-container-title"),
                    (914, "created"),
                    (933, "is-referenced-by-count"),
                    (935, "prefix"),
                    (940, "affiliation in author[0]"),
                    (943, "member"),
                    (946, "deposited"),
                    (957, "score"),
                    (958, "subtitle"),
                    (959, "short-title"),
                    (960, "references-count"),
                    (962, "relation"),
                    (993, "created"),
                    (1020, "indexed"),
                    (1031, "reference-count"),
                    (1034, "content-domain"),
                    (1038, "published-print"),
                    (1048, "created"),
                    (1061, "is-referenced-by-count"),
                    (1063, "prefix"),
                    (1069, "affiliation in author[0]"),
                    (1074, "affiliation in author[1]"),
                    (1077, "member"),
                    (1078, "published-online"),
                    (1089, "link"),
                    (1097, "deposited"),
                    (1108, "score"),
                    (1109, "subtitle"),
                    (1110, "short-title"),
                    (1120, "references-count"),
                    (1121, "alternative-id"),
                    (1125, "relation"),
                    (1134, "subject"),
                    (1140, "short_url"),
                    (1234, "indexed"),
                    (1245, "reference-count"),
                    (1248, "funder"),
                    (1254, "content-domain"),
                    (1258, "published-print"),
                    (1268, "created"),
                    (1281, "is-referenced-by-count"),
                    (1283, "prefix"),
                    (1289, "affiliation in author[0]"),
                    (1294, "affiliation in author[1]"),
                    (1299, "affiliation in author[2]"),
                    (1304, "affiliation in author[3]"),
                    (1307, "member"),
                    (1310, "link"),
                    (1318, "deposited"),
                    (1329, "score"),
                    (1330, "subtitle"),
                    (1331, "short-title"),
                    (1340, "references-count"),
                    (1342, "relation"),
                    (1343, "subject"),
                    (1350, "short_url"),
                ]
            ),
        ]
    ),
}


@pytest.mark.parametrize("source", sorted(EXPECTED))
def test_the_findings_are_the_pinned_true_defects(tmp_path: Path, source: str) -> None:
    found = _findings(_root(tmp_path, source))
    where = [(path, line, code) for path, line, code, _ in found]
    assert where == [(path, line, code) for path, line, code, _ in EXPECTED[source]], "\n".join(map(str, found))
    for (*_, message), (*_, fragment) in zip(found, EXPECTED[source], strict=True):
        assert fragment in message


def test_every_corpus_source_is_pinned() -> None:
    """A source added to tests/realworld/ must be arranged and pinned here too."""
    assert {p.name for p in REALWORLD.iterdir() if p.is_dir()} == set(EXPECTED)
    assert {s for s, _, _ in MANUSCRIPTS} | set(MANUBOT) == set(EXPECTED)


def test_a_field_naming_a_type_is_not_a_lone_label(tmp_path: Path) -> None:
    """TRIAGE.md F13: Crossref's `relation: {has-preprint: [{id-type: doi, id: ...}]}` said "only the label
    'doi' with nothing after it"; a `doi:` left alone in a note still is."""
    write_tree(
        tmp_path,
        {
            "references/a.yaml": "id: a\ntype: article-journal\ntitle: A\n"
            "relation: {has-preprint: [{id-type: doi, id: 10.1101/050757}]}\nnote: 'doi:'\n",
        },
    )
    result = check_paths([str(tmp_path)], cwd=tmp_path, today=TODAY, select=["HC503"], cache=False)
    assert [(d.code, d.message) for d in result.diagnostics] == [
        ("HC503", "note is only the label 'doi:' with nothing after it")
    ]


LIBRARY_REFERENCE = "id: {id}\ntype: book\ntitle: Book {id}\npublisher: P\nissued: {{date-parts: [[2020]]}}\n"


@pytest.mark.parametrize(
    ("citing", "unused"),
    [
        ({}, []),  # a library: a reference manager's export checked on its own
        ({"articles/a.md": "---\ntitle: A\n---\nAs shown [@a].\n"}, ["b"]),
        ({"exercises/e.yaml": "id: e\nname: E\nreferences: [a]\n"}, ["b"]),
    ],
    ids=["library", "with-an-article", "with-an-exercise"],
)
def test_never_cited_needs_something_that_cites(tmp_path: Path, citing: dict[str, str], unused: list[str]) -> None:
    """Issue #16: a root holding only references is a library, not a site; "never cited" (HC501) there is
    noise. With one article or exercise, an uncited reference is reported again."""
    references = {f"references/{key}.yaml": LIBRARY_REFERENCE.format(id=key) for key in ("a", "b")}
    write_tree(tmp_path, {**references, **citing})
    result = check_paths([str(tmp_path)], cwd=tmp_path, today=TODAY, select=["HC501"], cache=False)
    assert [d.related for d in result.diagnostics] == [(f"reference:{key}",) for key in unused]


# Issue 13's requirements (off by default) as a health site would turn them on. A journal manuscript has no
# disclaimer or contact field (Quarto's corresponding author's email is a contact route), and JOSS authors
# declare conflicts in the paper, not the front matter: policy findings, every one true of the file. The six
# ORCID iDs in the JOSS and Quarto front matter are valid (invalid-orcid, nonstandard-orcid: none).
EDITORIAL_POLICY = """\
require-reviewer-credentials = true
require-disclaimer = true
require-contact = true
require-conflicts = true
"""
EDITORIAL_EXPECTED: dict[str, list[str]] = {
    "deep-review": [],  # Manubot parts have no front matter (metadata.yaml holds it)
    "try-manubot": [],
    "dryft-joss": ["HC743", "HC744", "HC745"],
    "pyomeca-joss": ["HC743", "HC744", "HC745", "HC745", "HC745"],
    "locomotion-grf-acc": ["HC743", "HC744"],
    "quarto-showcase": ["HC743"],
    "shorts-sprint": ["HC743", "HC744"],
}


@pytest.mark.parametrize("source", sorted(EDITORIAL_EXPECTED))
def test_editorial_requirements_on_the_manuscripts(tmp_path: Path, source: str) -> None:
    root = _root(tmp_path, source)
    config = root / "hipcheck.toml"
    config.write_text(EDITORIAL_POLICY + config.read_text("utf-8"), encoding="utf-8")
    result = check_paths([str(root)], cwd=root, today=TODAY, cache=False, select=["HC73", "HC74", "HC75"])
    assert sorted(d.code for d in result.diagnostics) == EDITORIAL_EXPECTED[source]


def test_a_manuscripts_missing_figures_are_reported(tmp_path: Path) -> None:
    """Without the figures (as the corpus keeps it), every figure the manuscript shows is reported missing."""
    root = _root(tmp_path, "pyomeca-joss")
    shutil.rmtree(root / "articles" / "fig")
    missing = [d for d in check_paths([str(root)], cwd=root, today=TODAY, cache=False).diagnostics if d.code == "HC762"]
    assert sorted(d.message.split("'")[1] for d in missing) == sorted(FIGURES["pyomeca-joss"])
