"""Bibliography files that articles name in `bibliography:` (Pandoc, Quarto, R Markdown, Manubot, JOSS),
read in place as reference records, as the renderer reads them: no import step.

A `.json` (CSL-JSON array) or `.yaml`/`.yml` (CSL YAML, a `references:` list) is an ordinary reference
collection file (`hipcheck.loader.records.read_records`), with a position for every field. A `.bib` goes
through the BibTeX converter of `hipcheck refs import`, so a file reads here exactly as it would import;
each entry is one record placed at its `@type{key,` line (the converter keeps no finer positions).
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from hipcheck import refs_import
from hipcheck.kinds import BIBLIOGRAPHY_SUFFIXES

# `@article{key,` or `@ARTICLE(key,`: where an entry starts, for its position. @string, @preamble and
# @comment blocks hold no entry (and have no key followed by a comma in this form, or are skipped below).
_ENTRY_START = re.compile(r"@[ \t]*([A-Za-z]+)[ \t]*[{(][ \t\r\n]*([^,\s{}()\"#%'=~\\@]+)[ \t\r\n]*,")
_NOT_ENTRIES = frozenset({"string", "preamble", "comment"})


@dataclass(frozen=True)
class BibEntry:
    """One BibTeX entry as a CSL item, and the character range of its `@type{key,` head in the file."""

    item: dict[str, Any]
    start: int
    end: int


@dataclass(frozen=True)
class BibProblem:
    offset: int  # character offset in the file where the problem is
    message: str


# Braces nested deeper than this are refused before parsing: the LaTeX decoder recurses once per level
# (a few thousand exhaust Python's stack). Real entries nest three or four deep; YAML's limit is 100 too.
MAX_BRACE_DEPTH = 100


def read_bibtex(text: str) -> tuple[list[BibEntry], list[BibProblem]]:
    """The entries of a .bib file as CSL items with their positions, and what could not be read."""
    too_deep = _too_deep(text)
    if too_deep is not None:
        return [], [BibProblem(too_deep, f"not valid BibTeX: braces nested more than {MAX_BRACE_DEPTH} deep")]
    report = refs_import.ImportReport()
    try:  # the converter `hipcheck refs import` uses: one BibTeX reading for both
        items = refs_import.bibtex_to_csl(text, report)
    except RecursionError:  # a shape the depth limit did not foresee: refuse the file, never crash
        return [], [BibProblem(0, "not valid BibTeX: nested too deeply to read")]
    heads: dict[str, list[tuple[int, int]]] = {}
    for match in _ENTRY_START.finditer(text):
        if match.group(1).lower() not in _NOT_ENTRIES:
            heads.setdefault(match.group(2), []).append((match.start(), match.end()))
    entries = []
    for item in items:
        key = str(item.get("id", ""))
        found = heads.get(key)
        start, end = found.pop(0) if found else (0, 0)  # the converter's key always has a head; (0, 0) if not
        entries.append(BibEntry(item, start, end))
    offsets = _line_offsets(text, [where for where, _ in report.skipped])
    problems = [BibProblem(at, why) for at, (_, why) in zip(offsets, report.skipped, strict=True)]  # "not valid BibTeX"
    return entries, problems


def _too_deep(text: str) -> int | None:
    """The offset of the first brace nested deeper than MAX_BRACE_DEPTH, if any."""
    depth = 0
    for match in re.finditer(r"[{}]", text):
        depth = depth + 1 if match.group() == "{" else max(depth - 1, 0)
        if depth > MAX_BRACE_DEPTH:
            return match.start()
    return None


def _line_offsets(text: str, places: list[str]) -> list[int]:
    """The offset of each "line N" (as the converter reports a block it could not read), else 0."""
    starts = [0, 0] + [match.end() for match in re.finditer("\n", text)]  # starts[n]: line n (1-based)
    offsets = []
    for where in places:
        match = re.fullmatch(r"line (\d+)", where)
        line = int(match.group(1)) if match else 0
        offsets.append(starts[line] if 0 < line < len(starts) else 0)
    return offsets


def is_bibliography_file(name: str) -> bool:
    return name.lower().endswith(BIBLIOGRAPHY_SUFFIXES)


def named_bibliographies(data: dict[str, Any]) -> Iterator[tuple[tuple[str | int, ...], str]]:
    """(front-matter path, file name) of each file an article's `bibliography:` names (text or a list)."""
    value = data.get("bibliography")
    if isinstance(value, str):
        yield ("bibliography",), value
    elif isinstance(value, list):
        for i, item in enumerate(value):
            if isinstance(item, str):
                yield ("bibliography", i), item


def resolve(article_path: str, name: str) -> str:
    """The display path of a bibliography named relative to its article (as Pandoc resolves it)."""
    return posixpath.normpath(posixpath.join(posixpath.dirname(article_path), name.strip().replace("\\", "/")))
