"""References: complete, well-formed CSL items that are actually cited, never duplicated (their dates:
`reference_dates`)."""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Iterator
from typing import Any

from hipcheck.config import DEFAULT_REQUIRED_REFERENCE_FIELDS
from hipcheck.context import Context
from hipcheck.csl import CSL_NAME_FIELDS
from hipcheck.diagnostics import Edit, Finding, Fix, Severity
from hipcheck.identifiers import IdCheck, check_field, doi_key
from hipcheck.index import ContentIndex
from hipcheck.loader.records import Record
from hipcheck.loader.yaml_tree import Path
from hipcheck.rules.citekeys import nocite_keys, resolver
from hipcheck.rules.registry import index_check, record_check, rule

REFERENCE = ("reference",)

UNUSED = rule(
    "HC501",
    "unused-reference",
    Severity.WARNING,
    """
    A reference record is never cited.

    ## What it does
    Reports a reference that no article cites and no exercise lists in `references`. An article
    cites a reference by its key (`[@key]`), by an identifier the record holds (Manubot's
    `@doi:10.x/y`, `@pmid:N`, `@url:...`, or a citation tag `@tag:name` defined as one), in its
    front matter's `nocite` (`nocite: '@a @b'`, or a list), or all of them with `@*`.

    A content root with no article and no exercise is a library of references (a reference
    manager's export checked on its own), not a site: nothing there cites, so this rule reports
    nothing in it.

    ## Why it matters
    Uncited references pile up and go stale unreviewed; often the citation that should point at
    it has a typo in its key.

    ## Example
    `references/reiman2013.yaml` exists, but no article or exercise cites `reiman2013`.

    ## Fix
    Cite it where the text relies on it, or delete the record.
    """,
    kinds=REFERENCE,
)

DUPLICATE_WORK = rule(
    "HC502",
    "duplicate-work",
    Severity.ERROR,
    """
    The same work is recorded under two keys.

    ## What it does
    Compares DOIs (case-insensitively, prefixes removed), PMIDs and PMCIDs across all references
    and reports every record that shares one with another.

    ## Why it matters
    Two keys for one paper split its citations, number it twice in a bibliography, and let the
    two copies drift apart when one is corrected.

    ## Example
    `ikezoe2021` and `ikezoe2021b` both have `DOI: 10.1016/j.archger.2021.104499`.

    ## Fix
    Keep one record, and point the other key's citations at it.
    """,
    kinds=REFERENCE,
)

EMPTY_VALUE = rule(
    "HC503",
    "empty-reference-value",
    Severity.ERROR,
    """
    A reference field is empty, or is a label with nothing after it.

    ## What it does
    Reports fields whose value is empty or blank (`URL: ""`), and values that are only a label
    copied from a citation whose content is missing (`Available from:`, `Retrieved from`, `doi:`).
    A field whose name ends in `type` says what kind another value is (Crossref's
    `relation: {has-preprint: [{id-type: doi, id: ...}]}`), so `doi` there is not a lone label.

    ## Why it matters
    An empty field renders as a dangling label in the bibliography and hides that the source
    cannot be found (the seed's StatPearls item ends in "Available from:" and nothing else).

    ## Example
    ```yaml
    URL: ""
    note: "Available from:"
    ```

    ## Fix
    Fill in the value from the source itself, or remove the field.
    """,
    kinds=REFERENCE,
)

TITLE_ONLY = rule(
    "HC504",
    "title-only-reference",
    Severity.ERROR,
    """
    A reference has nothing but a title.

    ## What it does
    Reports a reference with no author, no date, no container, no publisher and no identifier or
    URL: only `id`, `type` and `title`.

    ## Why it matters
    A bare title ("National Foot Health Assessment 2012") cannot be found, checked or trusted;
    readers cannot tell whether it exists.

    ## Example
    ```yaml
    id: nfha2012
    type: report
    title: National Foot Health Assessment 2012
    ```

    ## Fix
    Add who published it, when, and where to find it (DOI, PMID or URL), or remove the citation.
    """,
    kinds=REFERENCE,
)

MISSING_FIELD = rule(
    "HC505",
    "missing-reference-field",
    Severity.ERROR,
    """
    A reference lacks a field its CSL type needs.

    ## What it does
    Checks each reference against the fields required for its `type`, configurable as
    `reference-required-fields` (a type you configure replaces that type's default list; the
    others keep theirs). By default every type needs a `title`; a journal article needs
    `author`, `container-title`, `issued` and one of `DOI`, `PMID` or `URL`; a web page `URL` and
    `accessed`; a book `publisher` and `issued`; a report `publisher` or `author`.

    ## Why it matters
    These are the fields a reader needs to find the source, and the ones a style guide prints.

    ## Example
    ```yaml
    id: reiman2013
    type: article-journal
    title: "Restricted hip mobility: clinical suggestions for self-mobilization and muscle re-education"
    container-title: Int J Sports Phys Ther
    issued: {date-parts: [[2013]]}
    ```

    ## Fix
    Add the missing fields (here an author list and a DOI, PMID or URL) from the source itself.
    """,
    kinds=REFERENCE,
)

AUTHOR_SHAPE = rule(
    "HC513",
    "author-shape",
    Severity.WARNING,
    """
    An author name is not split the way CSL needs.

    ## What it does
    Reports a group or institution written as a person (`family: Nagahama Study group`), which
    should be `literal`, and a person whose whole name sits in `family` ("Ikezoe T") or who has a
    `given` name but no `family`.

    ## Why it matters
    Citation styles sort, abbreviate and invert names by their parts; a mis-split name prints as
    "Group NS" or sorts under the initials.

    ## Example
    ```yaml
    author:
      - family: Ikezoe T
      - family: Nagahama Study group
    ```

    ## Fix
    `- {family: Ikezoe, given: T}` and `- {literal: Nagahama Study group}`.
    """,
    kinds=REFERENCE,
    fixable=True,
)

_LABEL_ONLY = re.compile(
    r"^\s*(?:available\s+(?:from|at)|retrieved\s+from|accessed(?:\s+on)?|url|doi|pmid|from|see)\s*:?\s*$", re.I
)
_GROUP_WORDS = re.compile(
    r"\b(?:group|society|association|committee|organi[sz]ation|institute|team|consortium|collaboration|"
    r"council|department|agency|foundation|college|academy|federation|network|board|centre|center|"
    r"publishing|investigators)\b",
    re.I,
)
_FAMILY_WITH_INITIALS = re.compile(r"^(?P<family>[^\s,]+(?:[ -][^\s,]+)*?)\s*[ ,]\s*(?P<given>(?:[A-Z]\.?[ -]?){1,3})$")
_CONTENT_FIELDS = frozenset({"id", "type", "title", "title-short", "shortTitle", "note", "citation-key", "language"})


def _is_blank(value: Any) -> bool:
    return isinstance(value, str) and not value.strip()


def walk_values(value: Any, path: Path = ()) -> Iterator[tuple[Path, Any]]:
    """Every value under `value` with its path (depth bounded by the loader's nesting limit)."""
    yield path, value
    if isinstance(value, dict):
        for key, child in value.items():
            yield from walk_values(child, (*path, key))
    elif isinstance(value, list):
        for i, child in enumerate(value):
            yield from walk_values(child, (*path, i))


def _names_a_type(path: Path) -> bool:
    """A value that says what kind another one is (Crossref's `relation: {..., id-type: doi}`) is a
    label by design, not a label left without its value."""
    return isinstance(path[-1], str) and path[-1].endswith("type")


def field_label(path: Path) -> str:
    """`author[0].family`: a path as a reader names the field."""
    return "".join(f"[{p}]" if isinstance(p, int) else (f".{p}" if i else str(p)) for i, p in enumerate(path))


@record_check(EMPTY_VALUE)
def check_empty_values(record: Record, ctx: Context) -> Iterator[Finding]:
    for path, value in walk_values(record.data):
        if not path:
            continue
        if value is None:
            yield Finding(
                f"{field_label(path)} has no value: fill it in from the source or remove it", record.key_span(path)
            )
            continue
        if not isinstance(value, str):
            continue
        if not value.strip():
            yield Finding(f"{field_label(path)} is empty: fill it in from the source or remove it", record.span(path))
        elif _LABEL_ONLY.match(value) and not _names_a_type(path):
            yield Finding(
                f"{field_label(path)} is only the label '{value.strip()}' with nothing after it", record.span(path)
            )


@record_check(TITLE_ONLY)
def check_title_only(record: Record, ctx: Context) -> Iterator[Finding]:
    filled = {k for k, v in record.data.items() if v not in (None, "", [], {}) and not _is_blank(v)}
    if "title" in filled and filled <= _CONTENT_FIELDS:
        yield Finding(
            "reference has only a title: add authors, a date, and a DOI, PMID or URL so readers can find it",
            record.span(("title",)),
        )


def _has(record: Record, field: str) -> bool:
    value = record.data.get(field)
    if value is None or _is_blank(value) or value in ([], {}):
        return False
    return not (isinstance(value, str) and _LABEL_ONLY.match(value))


@record_check(MISSING_FIELD)
def check_required_fields(record: Record, ctx: Context) -> Iterator[Finding]:
    kind = record.data.get("type")
    # Configured types replace the default list for that type; other types keep their defaults.
    required = {**DEFAULT_REQUIRED_REFERENCE_FIELDS, **ctx.config.reference_required_fields}
    needs = [*required.get("*", []), *(required.get(kind, []) if isinstance(kind, str) else [])]
    title_only = any(True for _ in check_title_only(record, ctx))
    for need in dict.fromkeys(needs):
        options = need.split("|")
        if any(_has(record, option) for option in options):
            continue
        if title_only and need != "title":
            continue  # the title-only rule already says everything is missing
        what = ", ".join(options[:-1]) + " or " + options[-1] if len(options) > 1 else options[0]
        yield Finding(f"{kind} reference has no {what}", record.top_span())


@record_check(AUTHOR_SHAPE)
def check_author_shape(record: Record, ctx: Context) -> Iterator[Finding]:
    for field in CSL_NAME_FIELDS:
        names = record.data.get(field)
        for i, name in enumerate(names if isinstance(names, list) else []):
            if not isinstance(name, dict) or "literal" in name:
                continue
            family, given = name.get("family"), name.get("given")
            path = (field, i)
            others = {k: v for k, v in name.items() if k not in ("family", "given")}
            if isinstance(family, str) and _GROUP_WORDS.search(family) and not given:
                fix = _rewrite(record, path, {"literal": family, **others})
                yield Finding(f"'{family}' is a group, not a person: write it as literal", record.span(path), fix=fix)
            elif isinstance(family, str) and not given and (match := _FAMILY_WITH_INITIALS.match(family.strip())):
                split = {"family": match["family"], "given": match["given"].strip(), **others}
                fix = _rewrite(record, path, split)
                message = f"'{family}' holds family and given names together: split it into family and given"
                yield Finding(message, record.span(path), fix=fix)
            elif given and not family:
                yield Finding(f"name with given '{given}' has no family name", record.span(path))


def _rewrite(record: Record, path: Path, value: dict[str, Any]) -> Fix:
    """Rewrite a name as one flow mapping; every other key of the name is kept."""
    span = record.span(path)
    text = "{" + ", ".join(f"{json.dumps(k)}: {json.dumps(v, ensure_ascii=False)}" for k, v in value.items()) + "}"
    return Fix(f"write {text}", (Edit(span.offset, span.end_offset, text),))


def cited_keys(index: ContentIndex) -> dict[str, list[tuple[Record, Path | None]]]:
    """Every reference id cited, with where: an article (path None: its body or `nocite`, by id, by an
    identifier the record holds, through a citation tag, or all of them by `@*`) or an exercise's
    references[i]."""
    resolve = resolver(index).resolve
    cited: dict[str, list[tuple[Record, Path | None]]] = defaultdict(list)
    for key, places in index.memo("cited-keys:exercises", _cited_by_exercises).items():
        cited[key] += places
    for record in index.of_kind("article"):
        keys = [citation.key for citation in index.citations.get(record.path, [])]
        if record.loaded and "nocite" in record.data:
            keys += nocite_keys(record)
        for key in dict.fromkeys(keys):
            for record_id in resolve(key).ids:
                cited[record_id].append((record, None))
    return cited


def _cited_by_exercises(index: ContentIndex) -> dict[str, list[tuple[Record, Path | None]]]:
    """The reference ids exercises cite, with where (apart: an editor's workspace keeps this while only
    articles change)."""
    cited: dict[str, list[tuple[Record, Path | None]]] = defaultdict(list)
    for record in index.of_kind("exercise"):
        refs = record.data.get("references")
        for i, key in enumerate(refs if isinstance(refs, list) else []):
            if isinstance(key, str):
                cited[key].append((record, ("references", i)))
    return cited


@index_check(UNUSED)
def check_unused(index: ContentIndex, ctx: Context) -> Iterator[Finding]:
    if not (index.of_kind("article") or index.of_kind("exercise")):
        return  # a library of references, not a site: nothing in it cites, so nothing is "never cited"
    cited = index.memo("cited-keys", cited_keys)
    for record in index.of_kind("reference"):
        if record.loaded and record.id is not None and record.id not in cited:
            yield Finding(
                f"reference '{record.id}' is never cited",
                record.span(("id",)),
                path=record.path,
                related=(f"reference:{record.id}",),
            )


_NONE = IdCheck(kind="doi", value="", ok=False, normalized=None)


def _work_keys(record: Record) -> Iterator[tuple[str, str]]:
    for field in ("DOI", "PMID", "PMCID"):
        value = record.data.get(field)
        if isinstance(value, bool) or not isinstance(value, str | int) or not str(value).strip():
            continue
        key = doi_key(value) if field == "DOI" else (check_field(field, value) or _NONE).normalized
        if key:
            yield field, key.upper() if field == "PMCID" else key


@index_check(DUPLICATE_WORK)
def check_duplicate_works(index: ContentIndex, ctx: Context) -> Iterator[Finding]:
    seen: dict[tuple[str, str], list[Record]] = defaultdict(list)
    for record in index.of_kind("reference"):
        for key in _work_keys(record):
            seen[key].append(record)
    for (field, value), records in seen.items():
        ids = {r.id for r in records}
        if len(ids) < 2:
            continue  # the same id twice is duplicate-id's finding
        for record in records:
            others = ", ".join(f"'{o.id}' ({o.path}:{o.span((field,)).line})" for o in records if o is not record)
            yield Finding(
                f"{field} {value} is also recorded as {others}: one work, two keys",
                record.span((field,)),
                path=record.path,
                related=tuple(f"reference:{r.id}" for r in records),
                cites=tuple(o.path for o in records if o is not record),
            )
