"""Differential test: `hipcheck refs import` of every .bib equals Pandoc's `pandoc -f bibtex -t csljson`.

Pandoc (from pypandoc-binary, in the `test` extra) is the oracle, entry by entry and field by field.
The only differences allowed are the deliberate ones in ALLOWED, each with its reason; anything else
fails the test, naming the file, the key and the field.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from hipcheck.refs_import import ImportReport, bibtex_to_csl

pypandoc = pytest.importorskip("pypandoc", reason="pypandoc-binary (pip install -e '.[test]') is not installed")

TESTS = Path(__file__).parent
BIB_FILES = sorted((TESTS / "realworld").rglob("*.bib")) + sorted((TESTS / "data" / "bibtex").glob("*.bib"))
TITLES = ("title", "title-short", "container-title", "collection-title")


def _flat(text: str) -> str:
    """Pandoc's typography undone: smart quotes, `E.S.` spaced as `E. S.`; case ignored (see ALLOWED)."""
    text = text.translate({ord("’"): "'", ord("‘"): "'", ord("“"): '"', ord("”"): '"'})
    return re.sub(r"\.\s+", ".", text).casefold()


def _name_words(names: Any) -> list[list[str]]:
    """A name list as each name's words, whatever part holds them (particles: see ALLOWED)."""
    if not isinstance(names, list):
        return []
    return [sorted(re.split(r"[\s.]+", " ".join(_flat(str(v)) for v in n.values()))) for n in names]


def _short_title(pandoc: Any, ours: Any, item: dict[str, Any]) -> bool:
    title = str(item.get("title", ""))
    return ours is None and isinstance(pandoc, str) and _flat(title).startswith(_flat(pandoc))


# field -> (is this difference the deliberate one?, why). `pandoc`/`ours` are the two values (None: absent).
ALLOWED: dict[str, tuple[Callable[[Any, Any, dict[str, Any]], bool], str]] = {
    **{
        f: (
            lambda p, o, _i: isinstance(p, str) and isinstance(o, str) and _flat(p) == _flat(o),
            "Pandoc sentence-cases English titles and adds smart quotes; hipcheck keeps the text as written",
        )
        for f in TITLES
        if f != "title-short"
    },
    "title-short": (
        lambda p, o, i: _short_title(p, o, i) or (isinstance(p, str) and isinstance(o, str) and _flat(p) == _flat(o)),
        "Pandoc derives a short title from the part before ':'; hipcheck writes title-short only from shorttitle",
    ),
    "type": (
        lambda p, o, _i: (p, o) in {("", "document"), ("book", "report")},
        "@misc and unknown types: Pandoc writes type '' (invalid CSL), hipcheck 'document'; @manual is a 'report'",
    ),
    "author": (
        lambda p, o, _i: _name_words(p) == _name_words(o),
        "the same words; Pandoc takes lower-case words out of the given name as a 'dropping-particle' and spaces"
        " initials, hipcheck keeps BibTeX's parts ('van der' as written, non-dropping)",
    ),
    "editor": (lambda p, o, _i: _name_words(p) == _name_words(o), "as for author"),
    **{
        f: (lambda p, o, _i: p is None and o is not None, "Pandoc drops it; hipcheck keeps it")
        for f in ("language", "publisher-place", "PMCID")
    },
}


def _compare(pandoc: dict[str, Any], ours: dict[str, Any]) -> tuple[list[str], list[str]]:
    """(documented differences, remaining differences) of one entry."""
    documented: list[str] = []
    remaining: list[str] = []
    for key in sorted(set(pandoc) | set(ours)):
        p, o = pandoc.get(key), ours.get(key)
        if p == o:
            continue
        check = ALLOWED.get(key)
        (documented if check and check[0](p, o, ours) else remaining).append(f"{key}: pandoc {p!r}, hipcheck {o!r}")
    return documented, remaining


def differential(path: Path) -> tuple[int, int, list[str]]:
    """(entries equal, entries with documented differences only, remaining differences) for one .bib."""
    pandoc = json.loads(pypandoc.convert_file(str(path), "csljson", format="bibtex"))
    ours = bibtex_to_csl(path.read_text("utf-8-sig"), ImportReport())
    assert [p["id"] for p in pandoc] == [o["id"] for o in ours], "the same entries, keys and order as Pandoc"
    equal = with_documented = 0
    remaining: list[str] = []
    for p, o in zip(pandoc, ours, strict=True):
        documented, left = _compare(p, o)
        remaining += [f"{o['id']}: {d}" for d in left]
        if not documented and not left:
            equal += 1
        elif not left:
            with_documented += 1
    return equal, with_documented, remaining


@pytest.mark.parametrize("path", BIB_FILES, ids=[str(p.relative_to(TESTS)) for p in BIB_FILES])
def test_import_equals_pandoc(path: Path) -> None:
    _, _, remaining = differential(path)
    assert remaining == []


def test_every_bib_is_compared() -> None:
    assert len(BIB_FILES) >= 7 and (TESTS / "data" / "bibtex" / "defects.bib") in BIB_FILES
