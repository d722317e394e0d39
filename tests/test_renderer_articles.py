"""Articles written for Pandoc, Quarto, R Markdown, Manubot and JOSS (issue #16).

Renderer front-matter keys are accepted (not HC102), renderer-shaped authors count as authors (not
HC101/HC301), the muscle-prose rules leave non-English articles alone, and a `bibliography:` file is
read in place as the article's references, its entries placed at their lines.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from hipcheck.config import read_config
from hipcheck.engine import check_paths
from hipcheck.errors import ConfigError

from helpers import TODAY, write_tree

REALWORLD = Path(__file__).parent / "realworld"

# (source folder, manuscript, its bibliography) from tests/realworld, as TRIAGE.md arranges them.
MANUSCRIPTS = [
    ("dryft-joss", "paper.md", "paper.bib"),
    ("pyomeca-joss", "paper.md", "paper.bib"),
    ("quarto-showcase", "index.qmd", "references.bib"),
    ("shorts-sprint", "sprint-corrections.Rmd", "references.bib"),
    ("locomotion-grf-acc", "manuscript.Rmd", "bibliography.bib"),
]
NAME_AUTHORS = {"dryft-joss", "pyomeca-joss", "quarto-showcase"}  # the R Markdown two name none


def _check(root: Path, *select: str, cache: bool = False) -> list[Any]:
    result = check_paths([str(root)], cwd=root, today=TODAY, select=list(select) or None, cache=cache)
    assert not result.internal_errors, result.internal_errors
    return result.diagnostics


def _where(diagnostics: list[Any], code: str | None = None) -> list[str]:
    return [f"{d.path}:{d.span.line}:{d.span.column} {d.code}" for d in diagnostics if code in (None, d.code)]


def _manuscript_root(tmp_path: Path, source: str, manuscript: str, bibliography: str) -> Path:
    root = tmp_path / source
    (root / "articles").mkdir(parents=True)
    shutil.copy(REALWORLD / source / manuscript, root / "articles" / (Path(manuscript).stem + ".md"))
    shutil.copy(REALWORLD / source / bibliography, root / "articles" / bibliography)
    return root


# --- 1. front matter --------------------------------------------------------------------------


@pytest.mark.parametrize(("source", "manuscript", "bibliography"), MANUSCRIPTS)
def test_real_manuscripts_front_matter_is_not_a_schema_error(
    tmp_path: Path, source: str, manuscript: str, bibliography: str
) -> None:
    """TRIAGE.md F9 and F10: renderer keys and JOSS/Quarto author mappings raised HC101/HC102/HC301."""
    root = _manuscript_root(tmp_path, source, manuscript, bibliography)
    found = _check(root, "HC101", "HC102", "HC301")
    assert not [d for d in found if d.code in ("HC101", "HC102")], _where(found)
    authorless = [d.message for d in found if "no author" in d.message]
    assert not authorless if source in NAME_AUTHORS else authorless


def test_renderer_author_does_not_crash_hipcheck_rules(tmp_path: Path) -> None:
    """Every rule runs on renderer-shaped values (authors as mappings, author as nested names)."""
    write_tree(
        tmp_path,
        {
            "articles/paper.md": "---\ntitle: T\nauthor: [{name: {given: Jane, family: Doe}}, 7, null]\n"
            "authors: [{name: Jane, affiliation: '1'}, Sam]\nlang: [de]\nbibliography: {a: b}\n---\nBody.\n"
        },
    )
    found = _check(tmp_path)
    assert not [d for d in found if d.code in ("HC102", "HC307") or "no author" in d.message], _where(found)


# --- 3. language ------------------------------------------------------------------------------


def test_misspelt_muscle_rules_skip_a_german_article(tmp_path: Path) -> None:
    muscle = "id: gluteus-medius\nkind: muscle\nname: gluteus medius\n"
    body = "---\ntitle: Hüfte\nlang: {lang}\n---\nDer Gluteus medias stabilisiert die Hüfte.\n"
    write_tree(
        tmp_path,
        {
            "muscles/gluteus-medius.yaml": muscle,
            "articles/de.md": body.replace("{lang}", "de"),
            "articles/en.md": body.replace("{lang}", "en-US"),
        },
    )
    assert [d.path for d in _check(tmp_path, "HC610")] == ["articles/en.md"]


# --- 2. bibliographies read in place ----------------------------------------------------------


def test_joss_bibtex_is_read_in_place(tmp_path: Path) -> None:
    """pyomeca's paper.bib: every citation resolves, nothing is 'never cited', and findings on an entry
    point at its `@type{key,` line (TRIAGE.md: the same findings as after an import, now in the .bib)."""
    root = _manuscript_root(tmp_path, "pyomeca-joss", "paper.md", "paper.bib")
    found = _check(root)
    assert not [d for d in found if d.code in ("HC404", "HC501", "HC307")], _where(found)
    lines = (root / "articles/paper.bib").read_text("utf-8").splitlines()
    on_bib = [d for d in found if d.path == "articles/paper.bib"]
    # `@misc{ezc3d,` is a `document` as Pandoc reads it (not a webpage needing an access date).
    assert {d.code for d in on_bib} == {"HC512"}
    for d in on_bib:
        assert lines[d.span.line - 1].startswith("@"), (d.message, lines[d.span.line - 1])


def test_bibliography_positions_survive_the_cache(tmp_path: Path) -> None:
    root = _manuscript_root(tmp_path, "pyomeca-joss", "paper.md", "paper.bib")
    cold = _where(_check(root, cache=True))
    assert _where(_check(root, cache=True)) == cold == _where(_check(root))


def test_csl_json_and_csl_yaml_bibliographies(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "articles/hips.md": "---\ntitle: Hips\nbibliography:\n  - refs.json\n  - more.yaml\n---\n"
            "Weak hips [@babu2022; @reiman2013].\n",
            "articles/refs.json": '[\n  {"id": "babu2022", "type": "article-journal", "title": "Hips",\n'
            '   "DOI": "10.1016/j.example.2022.001", "Doi": "x"}\n]\n',
            "articles/more.yaml": "references:\n  - id: reiman2013\n    type: article-journal\n    title: Feet\n",
        },
    )
    found = _check(tmp_path, "HC404", "HC102", "HC307", "HC504", "HC505")
    assert not [d for d in found if d.code in ("HC404", "HC307")], _where(found)
    assert "articles/refs.json:3:41 HC102" in _where(found)  # 'Doi', at its key in the file
    assert {w.split(" ")[0] for w in _where(found, "HC505")} == {"articles/refs.json:2:3"}
    assert _where(found, "HC504") == ["articles/more.yaml:4:12 HC504"]  # only a title: placed at the title


def test_missing_unreadable_and_foreign_bibliographies_are_reported_at_the_key(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "articles/a.md": "---\ntitle: A\nbibliography: [gone.bib, old.ris, broken.json, ../up.bib, meta.yaml]\n"
            "---\nText [@x].\n",
            "articles/broken.json": '[{"id": "x", "type": \n',
            "articles/meta.yaml": "title: Manubot metadata, not a bibliography\nkeywords: [a]\n",
            "up.bib": "@article{x, title={X}}\n",
        },
    )
    found = _check(tmp_path, "HC307", "HC001", "HC102")
    messages = {d.message.split(":")[0] if d.code == "HC307" else d.code: d for d in found}
    assert _where(found, "HC307") == [f"articles/a.md:3:{c} HC307" for c in (16, 26, 35, 48, 59)]
    assert "bibliography 'gone.bib' not found" in messages
    assert any("old.ris" in d.message and ".bib, .json" in d.message for d in found)
    assert any("broken.json" in d.message and "could not be read" in d.message for d in found)
    assert any("../up.bib" in d.message and "outside articles/" in d.message for d in found)
    assert any("meta.yaml" in d.message and "holds no references" in d.message for d in found)
    assert [d.path for d in found if d.code == "HC001"] == ["articles/broken.json"]
    assert not [d for d in found if d.code == "HC102"]  # metadata.yaml is not checked as a reference


HOSTILE_BIB = {
    "unclosed": "@article{a, title={Never closed\n\n@book{b, title={B}, publisher={P}, year=2020}\n",
    "garbage": "@@@{{{}}}((( @article{ , } @ article { c ,, } }}}} @string{x = {y}}\n" * 50,
    "deep": "@article{d, title=" + "{" * 5000 + "x" + "}" * 5000 + "}\n",
    "only_comments": "% nothing here\n@comment{not an entry}\n",
    "crlf": "@article{e,\r\n  title = {E},\r\n  year = 2001\r\n}\r\n",
}


@pytest.mark.parametrize("name", sorted(HOSTILE_BIB))
def test_hostile_bibtex_does_not_crash(tmp_path: Path, name: str) -> None:
    write_tree(tmp_path, {"articles/a.md": "---\ntitle: A\nbibliography: refs.bib\n---\nText.\n"})
    (tmp_path / "articles/refs.bib").write_bytes(HOSTILE_BIB[name].encode())
    found = _check(tmp_path)  # asserts no internal error
    for d in found:
        assert d.span.line >= 1 and d.span.column >= 1
    if name in ("unclosed", "deep"):  # where the block that cannot be read starts, or nests too deep
        assert [d.span.line for d in found if d.path == "articles/refs.bib" and d.code == "HC001"][:1] == [1]
    if name == "crlf":
        assert not [d for d in found if d.path == "articles/refs.bib" and d.code == "HC001"]


def test_bibtex_over_the_size_limit_is_refused(tmp_path: Path) -> None:
    write_tree(tmp_path, {"articles/a.md": "---\ntitle: A\nbibliography: refs.bib\n---\nText.\n"})
    entry = "@article{k%d, title={T}, year=2000}\n"
    (tmp_path / "articles/refs.bib").write_text("".join(entry % i for i in range(150_000)), "utf-8")
    found = _check(tmp_path, "HC006", "HC307")
    assert {(d.path, d.code) for d in found} == {("articles/refs.bib", "HC006"), ("articles/a.md", "HC307")}


def test_fix_never_edits_a_bib(tmp_path: Path) -> None:
    """A .bib finding is placed at the entry's head, not at the field: no edit may be offered there."""
    bib = "@article{k,\n  title = {T},\n  doi = {https://doi.org/10.1000/xyz},\n  year = 2020\n}\n"
    write_tree(
        tmp_path, {"articles/a.md": "---\ntitle: A\nbibliography: refs.bib\n---\n[@k]\n", "articles/refs.bib": bib}
    )
    found = _check(tmp_path)
    assert [d for d in found if d.path == "articles/refs.bib"]
    assert not [d for d in found if d.path == "articles/refs.bib" and d.fix is not None]
    command = [sys.executable, "-m", "hipcheck", "check", ".", "--fix", "--unsafe-fixes", "--no-cache"]
    subprocess.run(command, cwd=tmp_path, capture_output=True, check=False)
    assert (tmp_path / "articles/refs.bib").read_text("utf-8") == bib


@pytest.mark.parametrize(
    ("toml", "error"),
    [
        ('article-extra-keys = ["summary"]', "'summary' is a field hipcheck checks"),
        ('article-extra-keys = [" "]', "an empty or blank entry"),
        ('article-extra-keys = "weight"', "article-extra-keys"),
        ('default-lang = "English!"', "not a language tag"),
        ('default-lang = "en\\n"', "not a language tag"),
    ],
)
def test_new_options_are_validated(tmp_path: Path, toml: str, error: str) -> None:
    (tmp_path / "hipcheck.toml").write_text(toml + "\n", "utf-8")
    with pytest.raises(ConfigError, match=error):
        read_config(tmp_path / "hipcheck.toml")


def test_a_bib_kept_in_references_is_read_in_place(tmp_path: Path) -> None:
    """The issue: "A .bib kept in references/ is read the same way": its entries are reference records,
    citations resolve against them, and a finding on an entry points at its `@type{key,` line."""
    source = Path(__file__).parent / "realworld/pyomeca-joss/paper.bib"
    write_tree(
        tmp_path,
        {
            "references/library.bib": source.read_text("utf-8"),
            "articles/a.md": "---\ntitle: T\n---\nSee [@Virtanen2020-zv] and [@nobody].\n",
        },
    )
    found = _check(tmp_path, "HC404", "HC501")
    lines = (tmp_path / "references/library.bib").read_text("utf-8").splitlines()
    assert [(d.code, d.message.split("'")[1]) for d in found if d.code == "HC404"] == [("HC404", "@nobody")]
    never = [d for d in found if d.code == "HC501"]
    assert len(never) == 10 and "Virtanen2020-zv" not in " ".join(d.message for d in never)
    assert all(lines[d.span.line - 1].startswith("@") and d.path == "references/library.bib" for d in never)
