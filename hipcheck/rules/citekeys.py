"""What a citation key names: a reference record (by id or, as Manubot cites, by identifier), a
cross-reference to a label in the manuscript, or every reference (`@*`).

Manubot cites by identifier (`@doi:10.x/y`, `@pmid:N`, `@pmcid:PMCx`, `@arxiv:id`, `@isbn:...`,
`@url:...`, `@wikidata:Q..`, `@raw:key`) and by citation tag (`@tag:name`, defined in the manuscript as
`[@tag:name]: doi:10.x/y`); pandoc-crossref and Quarto write cross-references with the same `@` syntax
(`@fig:x`, `@fig-x`), whose targets are `{#fig:x}` attributes or Quarto's `#| label: fig-x`.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import PurePosixPath
from typing import Any

from hipcheck.citations import Citation, find_citations
from hipcheck.context import Context
from hipcheck.diagnostics import Finding, Severity
from hipcheck.identifiers import check_field, doi_key
from hipcheck.index import ContentIndex
from hipcheck.loader.records import Record
from hipcheck.rules.registry import index_check, rule
from hipcheck.textpos import line_index

# Manubot's citation prefixes (case-insensitive, as Manubot reads `@PMID:`), and the noun each
# identifier is named by in a finding.
IDENTIFIER_PREFIXES = {
    "doi": "DOI",
    "pmid": "PMID",
    "pmcid": "PMCID",
    "arxiv": "arXiv id",
    "isbn": "ISBN",
    "url": "URL",
    "wikidata": "Wikidata id",
    "raw": "id",
    "tag": "citation tag",
}
_PREFIXED = re.compile(r"^(?P<prefix>[A-Za-z0-9][A-Za-z0-9._-]*?):(?P<value>.+)$", re.S)
# `[@tag:name]: target` (see citations._CITATION_MASKED, which keeps these lines out of the citations).
_TAG_DEFINITION = re.compile(r"^ {0,3}\[@tag:(?P<tag>[^\]\n]+)\]:[ \t]*@?(?P<target>\S+)[ \t]*$", re.M | re.I)
# Pandoc attributes with an identifier, on images, tables, equations, headings, divs and code blocks:
# `{#fig:x .white}`, `::: {#fig-x}`; and Quarto's code-chunk option `#| label: fig-x`.
_ATTRIBUTE_ID = re.compile(r"\{(?:[^{}\n]*?\s)?#(?P<label>[^\s{}]+)")
_CHUNK_LABEL = re.compile(r"^[ \t]*#\|[ \t]*label:[ \t]*[\"']?(?P<label>[^\s\"']+)", re.M)
_ARXIV_VERSION = re.compile(r"v\d+$")
# A Manubot manuscript is one document cut into numbered parts (`02.intro.md`): a label in one is a
# target for the others.
_MANUBOT_PART = re.compile(r"^\d+\.[^/]+$")


def is_template(key: str) -> bool:
    """`@{{author.name}}`: a Jinja expression (Manubot renders it before Pandoc reads the text), which
    Pandoc alone would read as the braced key `{author.name}`."""
    return key.startswith("{") and key.endswith("}")


def is_crossref(key: str, prefixes: Iterable[str]) -> bool:
    return any(key.startswith(prefix) and len(key) > len(prefix) for prefix in prefixes)


def nocite_keys(record: Record) -> list[str]:
    """The keys of the front matter's `nocite` (`'@a @b'`, or a list of such strings), read as Pandoc
    reads its metadata: only `@key` citations count."""
    value = record.data.get("nocite")
    texts = value if isinstance(value, list) else [value]
    keys: list[str] = []
    for text in texts:
        if isinstance(text, str):
            keys.extend(citation.key for citation in find_citations(text))
    return keys


@lru_cache(maxsize=512)  # a pure function of the body; read-only for callers
def tag_definitions(body: str) -> Mapping[str, str]:
    return {m["tag"]: m["target"] for m in _TAG_DEFINITION.finditer(body)}


def labels(body: str) -> set[str]:
    return {m["label"] for m in _ATTRIBUTE_ID.finditer(body)} | {m["label"] for m in _CHUNK_LABEL.finditer(body)}


@dataclass
class Resolution:
    ids: list[str]  # the reference records the key names (all of them for `*`)
    missing: str = ""  # when none: what was looked for, for the finding
    identifier: bool = False  # the key names an identifier or tag, not a record id


@dataclass
class CitationResolver:
    """Reference records by id and by every identifier they hold; citation tags of the whole root."""

    ids: set[str] = field(default_factory=set)
    by_identifier: dict[tuple[str, str], set[str]] = field(default_factory=lambda: defaultdict(set))
    tags: dict[str, str] = field(default_factory=dict)

    @classmethod
    def build(cls, index: ContentIndex) -> CitationResolver:
        resolver = cls()
        for record in index.of_kind("reference"):
            if record.loaded and record.id is not None:
                resolver.ids.add(record.id)
                for key in _identifiers(record):
                    resolver.by_identifier[key].add(record.id)
        for record in index.of_kind("article"):
            if "[@" in record.body:
                resolver.tags.update(tag_definitions(record.body))
        return resolver

    def resolve(self, key: str, via_tag: bool = True, extra: frozenset[str] = frozenset()) -> Resolution:
        """The records `key` cites; `extra`: configured identifier prefixes (identifier-prefixes)."""
        if key == "*":
            return Resolution(sorted(self.ids))
        if key in self.ids:
            return Resolution([key])
        match = _PREFIXED.match(key)
        prefix = match["prefix"].lower() if match else ""
        if match and prefix in extra and prefix not in IDENTIFIER_PREFIXES:
            return Resolution([], f"no reference record has the id '{key}' (a {prefix} identifier)", True)
        if not match or prefix not in IDENTIFIER_PREFIXES:
            return Resolution([])
        value = match["value"]
        if prefix == "tag":
            target = self.tags.get(value)
            if target is None:
                return Resolution([], f"citation tag '{value}' is not defined (`[@tag:{value}]: doi:...`)", True)
            found = self.resolve(target, via_tag=False) if via_tag else Resolution([])
            if found.ids:
                return found
            what = found.missing or f"a record with the id '{target}'"
            return Resolution([], f"citation tag '{value}' stands for '{target}': {what}", True)
        if prefix == "raw":
            ids = [value] if value in self.ids else []
            return Resolution(ids, f"no reference record has the id '{value}' or '{key}'", True)
        normalized = _normalize(prefix, value)
        ids = sorted(self.by_identifier.get((prefix, normalized), set()))
        if not ids:
            noun = IDENTIFIER_PREFIXES[prefix]
            short = (
                " (a short DOI: cite the full DOI, or record it)" if prefix == "doi" and normalized[:3] == "10/" else ""
            )
            return Resolution([], f"no reference record has the {noun} {normalized or value}{short}", True)
        return Resolution(ids, identifier=True)


def extra_prefixes(ctx: Context) -> frozenset[str]:
    return frozenset(prefix.lower() for prefix in ctx.config.identifier_prefixes)


def resolver(index: ContentIndex) -> CitationResolver:
    return index.memo("citation-resolver", CitationResolver.build)


def _normalize(prefix: str, value: str) -> str:
    value = value.strip()
    if prefix == "doi":
        return doi_key(value)
    if prefix in ("pmid", "pmcid"):
        checked = check_field(prefix.upper(), value)
        normalized = checked.normalized if checked and checked.normalized else value
        return normalized.upper()
    if prefix == "isbn":
        return re.sub(r"[^0-9Xx]", "", value).upper()
    if prefix == "arxiv":
        return _ARXIV_VERSION.sub("", value.lower().removeprefix("arxiv:"))
    if prefix == "url":
        return value.rstrip("/")
    if prefix == "wikidata":
        return value.upper()
    return value


def _identifiers(record: Record) -> Iterator[tuple[str, str]]:
    """(prefix, normalized value) of every identifier a reference record holds, as Manubot cites it."""
    data = record.data
    record_id = record.id or ""
    doi = _scalar(data.get("DOI"))
    if doi:
        key = doi_key(doi)
        yield "doi", key
        if key.startswith("10.48550/arxiv."):
            yield "arxiv", _normalize("arxiv", key.removeprefix("10.48550/arxiv."))
    for name in ("PMID", "PMCID"):
        if value := _scalar(data.get(name)):
            yield name.lower(), _normalize(name.lower(), value)
    for isbn in re.split(r"[,;\s]+(?=\d)", _scalar(data.get("ISBN")) or ""):
        if isbn:
            yield "isbn", _normalize("isbn", isbn)
    url = _scalar(data.get("URL"))
    if url:
        yield "url", _normalize("url", url)
        if found := re.search(r"arxiv\.org/(?:abs|pdf)/([^\s?#]+?)(?:\.pdf)?$", url, re.I):
            yield "arxiv", _normalize("arxiv", found.group(1))
        if found := re.search(r"wikidata\.org/(?:wiki|entity)/(Q\d+)", url, re.I):
            yield "wikidata", found.group(1).upper()
    # A record keyed by what Manubot cites (`url:https://...`, `pmid:123`) is found by that identifier too.
    if (match := _PREFIXED.match(record_id)) and match["prefix"].lower() in IDENTIFIER_PREFIXES:
        prefix = match["prefix"].lower()
        if prefix not in ("tag", "raw"):
            yield prefix, _normalize(prefix, match["value"])


def _scalar(value: Any) -> str | None:
    if isinstance(value, bool) or not isinstance(value, str | int):
        return None
    return str(value).strip() or None


def crossref_targets(index: ContentIndex) -> dict[str, set[str]]:
    """Article path -> the labels a cross-reference in it can point at (its own, and in a Manubot
    manuscript, every part's)."""
    own = {record.path: labels(record.body) for record in index.of_kind("article") if "#" in record.body}
    parts: dict[str, set[str]] = defaultdict(set)
    for path, found in own.items():
        where = PurePosixPath(path)
        if _MANUBOT_PART.match(where.name):
            parts[str(where.parent)] |= found
    targets: dict[str, set[str]] = {}
    for record in index.of_kind("article"):
        where = PurePosixPath(record.path)
        shared = parts.get(str(where.parent), set()) if _MANUBOT_PART.match(where.name) else set()
        targets[record.path] = own.get(record.path, set()) | shared
    return targets


UNKNOWN_CROSSREF = rule(
    "HC405",
    "unknown-crossref",
    Severity.ERROR,
    """
    A cross-reference points at a label that is not in the manuscript.

    ## What it does
    Finds cross-references in the article body, the citation keys with a prefix in
    `crossref-prefixes` (pandoc-crossref / Manubot `@fig:x`, `[@tbl:x]`, `{@eq:x}`, `@sec:x`,
    `@lst:x`; Quarto `@fig-x`, `@tbl-x`, `@sec-x`, `@eq-x`, `@thm-x`, `@lst-x`, ...), and checks that
    the article defines the label: a `{#fig:x}` attribute on an image, table, equation, heading, div
    or code block, or Quarto's `#| label: fig-x` code-chunk option. The parts of a Manubot manuscript
    (`02.intro.md`, `03.methods.md`, ...) share their labels. Cross-references are not citations:
    `unknown-citation` does not report them.

    ## Why it matters
    The filter renders a reference to a missing label as "??" or as the raw `@fig:x`, and Pandoc
    without the filter treats it as a citation that is then missing from the bibliography.

    ## Example
    ```markdown
    ![Hip abduction torque by angle.](torque.png){#fig-torque}

    Torque peaks at 10° of abduction (@fig-torgue).
    ```

    ## Fix
    Correct the reference (`@fig-torque`), or add the label to the figure, table or section it
    means. If the prefix is not a cross-reference in your toolchain, remove it from
    `crossref-prefixes`.
    """,
    kinds=("article",),
)


@index_check(UNKNOWN_CROSSREF)
def check_crossrefs(index: ContentIndex, ctx: Context) -> Iterator[Finding]:
    prefixes = ctx.config.crossref_prefixes
    targets: dict[str, set[str]] | None = None
    for record in index.of_kind("article"):
        citations: list[Citation] = index.citations.get(record.path, [])
        crossrefs = [c for c in citations if is_crossref(c.key, prefixes)]
        if not crossrefs:
            continue
        targets = targets if targets is not None else crossref_targets(index)
        known = targets.get(record.path, set())
        lines = line_index(record.text)
        for citation in crossrefs:
            if citation.key not in known:
                yield Finding(
                    f"cross-reference '@{citation.key}' has no target: no {{#{citation.key}}} label in this manuscript",
                    lines.span(citation.start, citation.end),
                    path=record.path,
                )


UNRESOLVED_IDENTIFIER = rule(
    "HC406",
    "unresolved-identifier-citation",
    Severity.ERROR,
    """
    A citation by identifier or citation tag names no reference record.

    ## What it does
    Resolves Manubot-style citations in the article body and in `nocite`: by identifier
    (`@doi:10.x/y`, `@pmid:N`, `@pmcid:PMCx`, `@arxiv:id`, `@isbn:...`, `@url:...`,
    `@wikidata:Q..`, `@raw:key`; the prefix in any letter case) to the reference record that holds
    that identifier (its `DOI`, compared case-insensitively and with or without a
    `https://doi.org/` prefix, `PMID`, `PMCID`, `ISBN`, `URL`, an arXiv DOI or URL, a Wikidata URL)
    or whose id is the key; and by citation tag (`@tag:name`) through the tag's definition in any
    article, `[@tag:name]: doi:10.x/y`. Reports each one that names no record, saying which
    identifier was looked for. A short DOI (`10/abc`) matches only a record that holds it.

    ## Why it matters
    Pandoc cites only what the bibliography holds: an identifier with no record renders as a
    bare key. Manubot fetches such references when it builds, so in a Manubot manuscript this
    finding says which references the content root does not keep (ignore the rule there if that
    is intended).

    ## Example
    ```markdown
    Eccentric loading helps tendinopathy [@doi:10.1136/bjsm.2008.051417].
    ```
    and no reference record has `DOI: 10.1136/bjsm.2008.051417`.

    ## Fix
    Import the reference (`hipcheck refs import`), or correct the identifier. Define a tag that is
    cited but not defined.
    """,
    kinds=("article",),
)


@index_check(UNRESOLVED_IDENTIFIER)
def check_identifier_citations(index: ContentIndex, ctx: Context) -> Iterator[Finding]:
    resolve = resolver(index).resolve
    extra = extra_prefixes(ctx)
    for record in index.of_kind("article"):
        citations = index.citations.get(record.path, [])
        nocite = nocite_keys(record) if record.loaded and "nocite" in record.data else []
        lines = line_index(record.text) if citations else None
        for citation in citations:
            found = resolve(citation.key, extra=extra)
            if found.identifier and not found.ids and lines is not None:
                yield Finding(
                    f"cited '@{citation.key}' has no reference record: {found.missing}",
                    lines.span(citation.start, citation.end),
                    path=record.path,
                    related=(f"reference:{citation.key}",),
                )
        for key in nocite:
            found = resolve(key, extra=extra)
            if found.identifier and not found.ids:
                yield Finding(
                    f"nocite '@{key}' has no reference record: {found.missing}",
                    record.span(("nocite",)),
                    path=record.path,
                    related=(f"reference:{key}",),
                )
