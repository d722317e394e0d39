"""Links and media: the link scanner, the heading-id styles, and the root's boundary (HC760-HC764).

Slug examples are the renderers' documented ones (Pandoc's manual, "Extension: auto_identifiers" and
"gfm_auto_identifiers"; markdown-it-py's anchors plugin docstring; Python-Markdown's toc slugify comment),
checked against our implementation; the scanner's properties run over generated text (Hypothesis).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hipcheck.engine import check_paths
from hipcheck.heading_slugs import anchors, gfm_slug, heading_text, markdown_it_slug, mkdocs_slug, pandoc_slug
from hipcheck.markdown_links import find_links

from helpers import TODAY, write_tree

PROPERTIES = settings(
    max_examples=int(os.environ.get("HIPCHECK_PROPERTY_EXAMPLES", "60")),
    deadline=None,
    database=None,
    derandomize="HIPCHECK_PROPERTY_EXAMPLES" not in os.environ,
    suppress_health_check=[HealthCheck.too_slow],
)


@pytest.mark.parametrize(
    ("heading", "slug"),
    [
        # Pandoc's manual, "Extension: auto_identifiers"
        ("Heading identifiers in HTML", "heading-identifiers-in-html"),
        ("Maître d'hôtel", "maître-dhôtel"),
        ("*Dogs*?--in *my* house?", "dogs--in-my-house"),
        ("[HTML], [S5], or [RTF]?", "html-s5-or-rtf"),
        ("3. Applications", "applications"),
        ("33", ""),  # no letter: the unique step makes it `section`
    ],
)
def test_pandoc_slug(heading: str, slug: str) -> None:
    assert pandoc_slug(heading_text(heading, image_alt=True)) == slug


def test_pandoc_ids_number_repeats_and_name_an_empty_heading_section() -> None:
    body = "# 33\n\n# Intro\n\n# Intro\n\n# Intro\n"
    assert anchors(body, "pandoc") == {"section", "intro", "intro-1", "intro-2"}


@pytest.mark.parametrize(
    ("heading", "slug"),
    [
        ("Heading identifiers in HTML", "heading-identifiers-in-html"),
        ("3. Applications", "3-applications"),  # GitHub keeps leading digits
        ("Version 1.0 & more", "version-10--more"),  # each space a dash, punctuation dropped
        ("snake_case and kebab-case", "snake_case-and-kebab-case"),
    ],
)
def test_gfm_slug(heading: str, slug: str) -> None:
    assert gfm_slug(heading_text(heading, image_alt=False)) == slug


def test_markdown_it_and_mkdocs_slugs() -> None:
    assert markdown_it_slug("Title String") == "title-string"  # the anchors plugin's docstring
    assert markdown_it_slug(" Hip: 1.0 ") == "hip-10"
    assert mkdocs_slug("Žlutý kůň") == "zluty-kun"  # toc's comment: "žlutý => zluty"
    assert anchors("## A\n\n## A\n\n## A\n", "mkdocs") == {"a", "a_1", "a_2"}
    assert anchors("## A\n\n## A\n", "markdown-it") == {"a", "a-1"}


def test_explicit_ids_replace_generated_ones_except_on_github() -> None:
    assert anchors("## Warm-up {#warm}\n", "pandoc") == {"warm"}
    assert "warm-up-warm" in anchors("## Warm-up {#warm}\n", "gfm")


def test_headings_in_code_are_not_headings() -> None:
    assert anchors("```\n# Not a heading\n```\n\n    # Nor this\n", "pandoc") == set()


def test_an_angle_bracketed_destination_is_one_link_not_also_an_autolink() -> None:
    # Written so, a URL was read twice (link and autolink): HC765/HC766 reported it twice with clashing fixes.
    body = "[a](<https://e.org/x>) and <https://f.org/>\n\n[d]: <https://g.org/>\n"
    found = [(link.kind, link.destination) for link in find_links(body)]
    assert found == [("link", "https://e.org/x"), ("autolink", "https://f.org/"), ("definition", "https://g.org/")]


def test_find_links_kinds_and_offsets() -> None:
    body = (
        '[a](x.md) ![b](y.png "t") [c][d] <https://e.org/> `[f](g.md)` [h](<i j.md>)\n\n'
        "[d]: k.md\n<img src=\"l.svg\"> <a href='m.html'>m</a> [n](o(p).md) [^1]\n"
    )
    found = [(link.kind, link.destination, body[link.start : link.end] == link.raw) for link in find_links(body)]
    assert found == [
        ("link", "x.md", True),
        ("image", "y.png", True),
        ("autolink", "https://e.org/", True),
        ("link", "i j.md", True),
        ("definition", "k.md", True),
        ("html-image", "l.svg", True),
        ("html-link", "m.html", True),
        ("link", "o(p).md", True),
    ]


@PROPERTIES
@given(st.text(alphabet=st.sampled_from(list("[]()!<>#`\\ \n\"':/.-_abc{}%@")), max_size=300))
def test_scanning_never_fails_and_stays_inside_the_text(body: str) -> None:
    for link in find_links(body):
        assert 0 <= link.start <= link.end <= len(body)
        assert body[link.start : link.end] == link.raw
    for style in ("pandoc", "gfm", "markdown-it", "mkdocs"):
        anchors(body, style)  # type: ignore[arg-type]


def test_a_symbolic_link_out_of_the_root_is_not_followed(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.png").write_bytes(b"")
    root = tmp_path / "root"
    write_tree(root, {"articles/a.md": "---\ntitle: A\n---\n\n![x](images/secret.png) ![y](images/none.png)\n"})
    (root / "articles" / "images").symlink_to(outside, target_is_directory=True)
    result = check_paths([str(root)], cwd=root, today=TODAY, select=["HC762"], cache=False)
    assert [d.message for d in result.diagnostics] == [
        "image 'images/secret.png' leads out of the content root through a symbolic link: not followed",
        "image 'images/none.png' leads out of the content root through a symbolic link: not followed",
    ]


def test_a_removed_image_is_reported_on_the_next_cached_run(tmp_path: Path) -> None:
    write_tree(tmp_path, {"articles/a.md": "---\ntitle: A\n---\n\n![x](pic.png)\n", "articles/pic.png": ""})
    assert check_paths([str(tmp_path)], cwd=tmp_path, today=TODAY, select=["HC762"]).diagnostics == []
    (tmp_path / "articles" / "pic.png").unlink()
    again = check_paths([str(tmp_path)], cwd=tmp_path, today=TODAY, select=["HC762"])
    assert [d.code for d in again.diagnostics] == ["HC762"]


# An unclosed `<!--` read once for every rule (citations.html_comment, as CommonMark reads it): at a line's
# start it opens an HTML block that runs to the end of the document, so nothing after it is read by the
# link, citation or prose rules; after text on its line it is text, and all three read on.
UNCLOSED_COMMENT_BODIES = {
    "block": "Intro.\n\n<!-- draft, never closed\n\nSee [the notes](missing.md) [@nokey].\n\nStudies show it.\n",
    "inline": "Intro <!-- never closed, so text.\n\nSee [the notes](missing.md) [@nokey].\n\nStudies show it.\n",
}


@pytest.mark.parametrize("where", sorted(UNCLOSED_COMMENT_BODIES))
def test_link_citation_and_prose_rules_agree_on_an_unclosed_comment(tmp_path: Path, where: str) -> None:
    from hipcheck.citations import citation_mask, mask_comments, prose_mask
    from hipcheck.markdown_links import masked_body

    body = UNCLOSED_COMMENT_BODIES[where]
    comment = [i for i, (a, b) in enumerate(zip(body, mask_comments(body), strict=True)) if a != b]
    assert bool(comment) == (where == "block")
    for mask in (masked_body, citation_mask, prose_mask):
        assert all(mask(body)[i] == " " for i in comment), mask.__name__
    write_tree(tmp_path, {"articles/a.md": "---\ntitle: A\n---\n" + body})
    result = check_paths([str(tmp_path)], cwd=tmp_path, today=TODAY, select=["HC404", "HC713", "HC760"], cache=False)
    found = sorted((d.code, d.span.line) for d in result.diagnostics)
    assert found == ([] if where == "block" else [("HC404", 6), ("HC713", 8), ("HC760", 6)])
