"""Links and media: relative links and anchors resolve, images are on disk, image credits name a licence,
external addresses are well formed; with `--online`, external links answer (hipcheck.online.links).

The relative-link rules look at the file system, so they run in the cross-record stage (after every
record is read), and declare (registry.reads_outside) that they read the list of files under the
content root, on which the engine then keys their cached results too. They never look outside the
root: a link that leads out of it, lexically or through a symbolic link, is reported and not followed
(the repository is hostile input; a link's existence is a fact about a file the run may not reveal).
"""

from __future__ import annotations

import difflib
import ipaddress
import os
import posixpath
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from hipcheck.context import Context
from hipcheck.diagnostics import Edit, Finding, Fix, Severity
from hipcheck.heading_slugs import anchors, is_generated
from hipcheck.index import ContentIndex
from hipcheck.loader.records import Record
from hipcheck.markdown_links import Link, find_links
from hipcheck.rules.registry import index_check, reads_outside, record_check, rule
from hipcheck.textpos import LineIndex, line_index

ARTICLE = ("article",)
MARKDOWN_SUFFIXES = (".md", ".qmd", ".rmd", ".markdown")
PAGE_SUFFIXES = (".html", ".htm")  # a rendered page, written from the Markdown file of the same name
MAX_LISTING = 100_000  # entries of one folder read to match a link's case; a larger folder is not checked
SHOWN = 120  # characters of a link quoted in a message

BROKEN_LINK = rule(
    "HC760",
    "broken-relative-link",
    Severity.ERROR,
    """
    A relative link points at a file that is not in the content root.

    ## What it does
    Resolves every relative link of an article (inline `[text](path)`, reference definitions
    `[label]: path`, and raw `<a href>`) against the article's folder, percent-decoding the path
    (`my%20file.pdf`), and reports it when no file or folder of that name exists, matching letter case
    exactly (a published site's server does). A link to another article may name its Markdown file,
    its rendered page (`other.html` for `other.md`) or its slug. Links inside code, external
    addresses (`https:`, `mailto:`, ...), site-absolute paths (`/about`) and template expressions
    (`{{...}}`) are not checked. A link that leads out of the content root, by `..` or through a
    symbolic link, is reported and not followed.

    ## Why it matters
    A broken link tells a reader the page is unmaintained, and in health content the missing page is
    often the safety advice or the evidence the sentence points to.

    ## Example
    ```markdown
    See [the hip flexors](../muscles/hip-flexor.yaml) and [our guide](hip-pain.md).
    ```
    with no `muscles/hip-flexor.yaml` and no `articles/hip-pain.md`.

    ## Fix
    Correct the path (the message suggests a close name when there is one), or remove the link.
    """,
    kinds=ARTICLE,
)

MISSING_ANCHOR = rule(
    "HC761",
    "missing-anchor",
    Severity.ERROR,
    """
    A link's `#anchor` names no heading or id in the article it points to.

    ## What it does
    Collects the ids of the linked article (the same article for `#anchor` alone): its headings' ids
    as the configured renderer makes them (`heading-ids` in `[tool.hipcheck.links]`: `pandoc`, the
    default, also for Quarto and R Markdown; `gfm` for GitHub; `markdown-it` for markdown-it-py's
    anchors plugin and MyST; `mkdocs` for Python-Markdown's toc extension), explicit ids
    (`## Heading {#id}`, `[text]{#id}`, `::: {#id}`, `![x](y.png){#fig-x}`) and HTML `id`/`name`
    attributes, and reports an anchor that is none of them. Ids a renderer adds itself (`#refs`,
    `#ref-key`, footnotes' `#fn1`/`#fnref1`, `#TOC`) are not checked, nor anchors into files that are
    not articles.

    ## Why it matters
    A link to a section that was renamed lands the reader at the top of a long page, with no sign
    that the advice it promised is not there.

    ## Example
    ```markdown
    See [the exercises](#exercises-for-the-hips).

    ### Exercises for the hip
    ```

    ## Fix
    Link to the id the heading has (the message suggests a close one), or give the heading an
    explicit id: `### Exercises for the hip {#exercises-for-the-hips}`.
    """,
    kinds=ARTICLE,
)

IMAGE_NOT_FOUND = rule(
    "HC762",
    "image-not-found",
    Severity.ERROR,
    """
    An image an article shows is not in the content root.

    ## What it does
    Resolves the relative path of every Markdown image (`![alt](path)`), raw `<img src>`, and
    front-matter image (`images[].src`, `image`) against the article's folder, as
    `broken-relative-link` resolves links, and reports an image with no file there (letter case
    matching exactly). Images on the web (`https:`), `data:` images and template expressions are not
    checked; an image path that leads out of the content root is reported and not followed.

    ## Why it matters
    A missing image renders as a broken icon or its alt text alone; an exercise article whose
    diagram is missing can be unsafe to follow.

    ## Example
    ```markdown
    ![The three arches of the foot](images/foot-arches.jpg)
    ```
    with no `articles/images/foot-arches.jpg`.

    ## Fix
    Add the image file at that path, or correct the path.
    """,
    kinds=ARTICLE,
)

CREDIT_LICENCE = rule(
    "HC763",
    "image-credit-without-licence",
    Severity.WARNING,
    """
    An image credit names no licence or permission.

    ## What it does
    When `image-credit-licence = true` in `[tool.hipcheck.links]` (off by default: many sites credit
    photographers under a contract the page need not state), requires each non-empty `credit` of
    `images` in the front matter, and each "Image credit: ..." / "Photo source: ..." line of the body,
    to name a licence or permission: one of `licence-words` (by default "CC BY", "CC0", "Creative
    Commons", "public domain", "licence", "license", "all rights reserved", "with permission", ...).
    Empty credits are `image-missing-credit`'s.

    ## Why it matters
    A name alone does not say the image may be used; most licences (Creative Commons among them) ask
    for the licence to be named with the credit, and a reviewer cannot check reuse rights without it.

    ## Example
    ```yaml
    images:
      - src: images/foot-arches.jpg
        alt: The three arches of the foot
        credit: Jane Doe
    ```

    ## Fix
    Add the licence or permission: `credit: Jane Doe, CC BY 4.0` or `credit: Jane Doe, used with
    permission`.
    """,
    kinds=ARTICLE,
)

MALFORMED_URL = rule(
    "HC764",
    "malformed-url",
    Severity.ERROR,
    """
    An external link's address is not a well-formed web or e-mail address.

    ## What it does
    Checks the destination of every link, image, reference definition and autolink that is an
    `http:`, `https:` or `mailto:` address, or that looks like one missing its scheme: `http:/x.org`
    or `https//x.org`, `www.x.org` written as a relative path, a space in the address, an empty or
    invalid host name (a label longer than 63 characters, one that starts or ends with `-`, a
    character no host name has), a port that is not a number up to 65535, and a `mailto:` with no
    address. Other schemes (`doi:`, `tel:`, ...) are not checked. Where the only fault is a space, the
    fix writes it as `%20`.

    ## Why it matters
    A malformed address fails for every reader, and a scheme-less `www.` link is read as a path on
    the publisher's own site.

    ## Example
    ```markdown
    [NHS advice](www.nhs.uk/conditions/hip-pain/) and [the study](https:/doi.org/10.1000/x).
    ```

    ## Fix
    Write the full address with its scheme: `https://www.nhs.uk/conditions/hip-pain/`.
    """,
    kinds=ARTICLE,
    fixable=True,
)


def _shown(text: str) -> str:
    text = "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)
    return text if len(text) <= SHOWN else text[: SHOWN - 3] + "..."


# --- external addresses -----------------------------------------------------------------------------

_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*):")
_MISSING_SCHEME = re.compile(r"^(?:https?//|www\.[A-Za-z0-9-]+\.[A-Za-z])", re.I)  # read as relative paths
_LABEL = re.compile(r"^(?!-)[^\W_](?:[\w-]{0,61}[^\W_])?$|^[^\W_]$")  # letters (any script), digits, inner '-'


def scheme_of(destination: str) -> str | None:
    match = _SCHEME.match(destination)
    return match.group(1).lower() if match else None


def url_problem(destination: str) -> str | None:
    """Why an http(s)/mailto destination (or one missing its scheme) is malformed; None when it is fine."""
    if re.match(r"^https?//", destination, re.I):
        return "has no ':' after its scheme: write 'https://'"
    if re.match(r"^https?:/?(?!/)", destination, re.I):
        return "needs '//' after its scheme: write 'https://'"
    if re.match(r"^www\.[A-Za-z0-9-]+\.[A-Za-z]", destination, re.I):
        return "has no scheme: write 'https://' before the host, or it is read as a path on this site"
    scheme = scheme_of(destination)
    if scheme not in ("http", "https", "mailto"):
        return None
    if any(c.isspace() for c in destination):
        return "has a space in it"
    if any(ord(c) < 0x20 or ord(c) == 0x7F for c in destination):
        return "has a control character in it"
    if scheme == "mailto":
        address = destination[len("mailto:") :].split("?", 1)[0]
        local, at, domain = unquote(address).partition("@")
        if not address:
            return "names no e-mail address"
        if not at or not local or not domain or _host_problem(domain):
            return "is not an e-mail address"
        return None
    try:
        parts = urlsplit(destination)
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number up to 65535
    except ValueError:
        return "has an invalid host or port"
    host = parts.hostname or ""
    if not host:
        return "has no host"
    problem = _host_problem(host)
    return f"has an invalid host name ({problem})" if problem else None


def _host_problem(host: str) -> str | None:
    if host.startswith("[") or ":" in host:
        try:
            ipaddress.IPv6Address(host.strip("[]"))
        except ValueError:
            return "not an IPv6 address"
        return None
    name = host[:-1] if host.endswith(".") else host
    if len(name) > 253:
        return "longer than 253 characters"
    labels = name.split(".")
    for label in labels:
        if not label:
            return "an empty label"
        if len(label) > 63:
            return "a label longer than 63 characters"
        if not _LABEL.match(label):
            return f"'{_shown(label)}' is not a host-name label"
    return None


@record_check(MALFORMED_URL)
def check_urls(record: Record, ctx: Context) -> Iterator[Finding]:
    body = record.body
    if not body:
        return
    lines: LineIndex | None = None
    for link in find_links(body):
        if link.is_template:
            continue
        problem = url_problem(link.destination)
        if problem is None:
            continue
        lines = lines or line_index(record.text)
        start, end = record.body_offset + link.start, record.body_offset + link.end
        yield Finding(
            f"link address '{_shown(link.destination)}' {problem}",
            lines.span(start, end),
            fix=_space_fix(link, start, end),
        )


def _space_fix(link: Link, start: int, end: int) -> Fix | None:
    """`%20` for the spaces of an address whose only fault they are (in `<...>`, where spaces are allowed)."""
    if not (link.raw.startswith("<") and link.raw.endswith(">")) or "\n" in link.raw:
        return None
    repaired = link.destination.replace(" ", "%20")
    if url_problem(repaired) is not None:
        return None
    return Fix("write the spaces as %20", (Edit(start, end, f"<{repaired}>"),))


# --- image credits -----------------------------------------------------------------------------------

_CREDIT_LINE = re.compile(
    r"^[^\S\n]*(?:photo|image|picture)[^\S\n]+(?:source|credit)s?[^\S\n]*:[^\S\n]*(?P<credit>\S[^\n]*)$", re.I | re.M
)


def _names_licence(credit: str, words: list[str]) -> bool:
    folded = " ".join(credit.casefold().split())
    return any(" ".join(word.casefold().split()) in folded for word in words if word.strip())


@record_check(CREDIT_LICENCE)
def check_credit_licence(record: Record, ctx: Context) -> Iterator[Finding]:
    settings = ctx.config.links
    if not settings.image_credit_licence:
        return
    images = record.data.get("images")
    for i, image in enumerate(images if isinstance(images, list) else []):
        credit = image.get("credit") if isinstance(image, dict) else None
        if isinstance(credit, str) and credit.strip() and not _names_licence(credit, settings.licence_words):
            yield Finding(
                f"image credit '{_shown(credit.strip())}' names no licence or permission",
                record.span(("images", i, "credit")),
            )
    body = record.body
    if not body:
        return
    from hipcheck.citations import prose_mask

    lines = line_index(record.text)
    for match in _CREDIT_LINE.finditer(prose_mask(body)):
        credit = body[match.start("credit") : match.end("credit")].strip()
        if credit and not _names_licence(credit, settings.licence_words):
            start, end = record.body_offset + match.start("credit"), record.body_offset + match.end("credit")
            yield Finding(f"image credit '{_shown(credit)}' names no licence or permission", lines.span(start, end))


# --- relative links, anchors and images ----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Target:
    """Where a relative link leads: a path relative to the root, or why it was not looked up."""

    path: str | None  # root-relative, forward slashes ("" is the root itself)
    problem: str | None = None  # why it does not resolve (None: it does)
    article: Record | None = None  # the article it names, for its anchors


class Resolver:
    """Looks relative links up in the content root: listing folders (for exact case), never leaving it."""

    def __init__(self, root: Path, articles: list[Record]) -> None:
        self.root = str(root)
        self.real_root = os.path.realpath(self.root)
        self._listings: dict[str, dict[str, os.DirEntry[str]] | None] = {}
        self._inside: dict[str, bool] = {}
        self.articles: dict[str, Record] = {}
        self.slugs: dict[str, Record] = {}
        for article in articles:
            relative = self.relative(article)
            if relative is not None:
                self.articles[relative] = article
                self.slugs.setdefault(posixpath.splitext(posixpath.basename(relative))[0], article)

    def relative(self, record: Record) -> str | None:
        """The record's path relative to the root, when its file is under the root."""
        prefix = self.root.rstrip("/\\") + os.sep
        source = record.source
        if not source.startswith(prefix) and not source.startswith(self.root.rstrip("/\\") + "/"):
            return None
        return source[len(prefix) :].replace(os.sep, "/")

    def _listing(self, folder: str) -> dict[str, os.DirEntry[str]] | None:
        if folder not in self._listings:
            entries: dict[str, os.DirEntry[str]] | None = {}
            try:
                with os.scandir(os.path.join(self.root, *folder.split("/")) if folder else self.root) as found:
                    for count, entry in enumerate(found):
                        if count >= MAX_LISTING:
                            entries = None
                            break
                        assert entries is not None
                        entries[entry.name] = entry
            except OSError:
                entries = {}
            self._listings[folder] = entries
        return self._listings[folder]

    def _within(self, entry: os.DirEntry[str]) -> bool:
        if entry.path not in self._inside:
            real = os.path.realpath(entry.path)
            self._inside[entry.path] = real == self.real_root or real.startswith(self.real_root.rstrip(os.sep) + os.sep)
        return self._inside[entry.path]

    def lookup(self, path: str) -> tuple[bool, str | None]:
        """(found, problem): whether root-relative `path` exists with this exact case, inside the root."""
        folder = ""
        parts = [p for p in path.split("/") if p]
        for i, part in enumerate(parts):
            listing = self._listing(folder)
            if listing is None:
                return True, None  # too large a folder to list: not checked
            entry = listing.get(part)
            if entry is None:
                close = next((name for name in listing if name.casefold() == part.casefold()), None)
                if close is not None:
                    return False, f"differs in letter case from '{_shown(close)}' on disk"
                return False, None
            if entry.is_symlink() and not self._within(entry):
                return False, "leads out of the content root through a symbolic link: not followed"
            if i < len(parts) - 1 and not entry.is_dir():
                return False, None
            folder = f"{folder}/{part}" if folder else part
        return True, None

    def suggestion(self, path: str) -> str | None:
        folder, name = posixpath.split(path)
        listing = self._listing(folder) if self.lookup(folder)[0] else None
        if not listing:
            return None
        close = difflib.get_close_matches(name, list(listing), n=1, cutoff=0.75)
        return close[0] if close else None

    def resolve(self, base: str, destination: str) -> Target:
        path = destination.split("#", 1)[0].split("?", 1)[0]
        decoded = unquote(path)
        if "\x00" in decoded or "\\" in decoded:
            return Target(None, "is not a path a web server serves (a NUL or a backslash)")
        joined = posixpath.normpath(posixpath.join(base, decoded)) if decoded else base or "."
        if joined == ".":
            joined = ""
        if joined == ".." or joined.startswith("../") or posixpath.isabs(joined):
            return Target(None, "leads out of the content root: not followed")
        found, problem = self.lookup(joined)
        if found:
            article = self.articles.get(joined)
            if article is None and joined.lower().endswith(PAGE_SUFFIXES):
                article = self._page_article(joined)
            return Target(joined, None, article)
        if problem is not None:
            return Target(joined, problem)
        # Another article named by its rendered page or its slug, as site generators link them.
        stem = joined.rstrip("/")
        if stem.lower().endswith(PAGE_SUFFIXES):
            article = self._page_article(stem)
        else:
            article = next(
                (self.articles[stem + s] for s in (".md", ".qmd", ".Rmd", ".rmd") if stem + s in self.articles), None
            ) or (self.slugs.get(posixpath.basename(stem)) if "." not in posixpath.basename(stem) else None)
        if article is not None:
            return Target(joined, None, article)
        return Target(joined, "not found")

    def _page_article(self, page: str) -> Record | None:
        stem = page.rsplit(".", 1)[0]
        return next(
            (self.articles[stem + s] for s in (".md", ".qmd", ".Rmd", ".rmd") if stem + s in self.articles), None
        )


def _is_relative(destination: str) -> bool:
    if not destination or destination.startswith(("/", "#", "?")) or scheme_of(destination) is not None:
        return False
    return _MISSING_SCHEME.match(destination) is None  # `www.x.org`: malformed-url's


def _front_matter_images(record: Record) -> Iterator[tuple[tuple[Any, ...], str]]:
    images = record.data.get("images")
    for i, image in enumerate(images if isinstance(images, list) else []):
        src = image.get("src") if isinstance(image, dict) else None
        if isinstance(src, str) and src.strip():
            yield ("images", i, "src"), src.strip()
    image = record.data.get("image")
    if isinstance(image, str) and image.strip():
        yield ("image",), image.strip()


@index_check(BROKEN_LINK, MISSING_ANCHOR, IMAGE_NOT_FOUND)
def check_relative_links(index: ContentIndex, ctx: Context) -> Iterator[Finding]:
    if ctx.root is None:
        return
    articles = [r for r in index.of_kind("article") if r.source]
    resolver = Resolver(ctx.root, articles)
    style = ctx.config.links.heading_ids
    ids: dict[str, set[str]] = {}

    def ids_of(article: Record) -> set[str]:
        if article.path not in ids:
            ids[article.path] = anchors(article.body, style)
        return ids[article.path]

    for article in articles:
        relative = resolver.relative(article)
        if relative is None:
            continue
        base = posixpath.dirname(relative)
        for path, src in _front_matter_images(article):
            if scheme_of(src) is not None or src.startswith("/") or "{{" in src:
                continue
            found = resolver.resolve(base, src)
            if found.problem is not None:
                message = _missing("image", src, found, resolver)
                yield Finding(message, article.span(path), path=article.path, code=IMAGE_NOT_FOUND.code)
        body = article.body
        if not body:
            continue
        lines: LineIndex | None = None
        for link in find_links(body):
            destination = link.destination.strip()
            if link.is_template or link.kind == "autolink":
                continue
            image = link.kind in ("image", "html-image")
            fragment = destination.split("#", 1)[1] if "#" in destination else None
            target: Target | None = None
            if destination.startswith("#"):
                target = Target(relative, None, article)
            elif _is_relative(destination):
                target = resolver.resolve(base, destination)
                if target.problem is not None:
                    lines = lines or line_index(article.text)
                    span = lines.span(article.body_offset + link.start, article.body_offset + link.end)
                    code = IMAGE_NOT_FOUND.code if image else BROKEN_LINK.code
                    message = _missing("image" if image else "link target", destination, target, resolver)
                    yield Finding(message, span, path=article.path, code=code)
                    continue
            if target is None or image or not fragment or target.article is None:
                continue
            anchor = unquote(fragment)
            if is_generated(anchor):
                continue
            known = ids_of(target.article)
            if anchor in known:
                continue
            lines = lines or line_index(article.text)
            span = lines.span(article.body_offset + link.start, article.body_offset + link.end)
            where = "this article" if target.article is article else target.article.path
            close = difflib.get_close_matches(anchor, sorted(known), n=1, cutoff=0.6)
            hint = f"; did you mean '#{_shown(close[0])}'?" if close else ""
            message = f"anchor '#{_shown(anchor)}' is no heading or id in {where} ({style} heading ids){hint}"
            yield Finding(message, span, path=article.path, code=MISSING_ANCHOR.code)


reads_outside(check_relative_links, listing=True)


def _missing(what: str, destination: str, target: Target, resolver: Resolver) -> str:
    shown = f"{what} '{_shown(destination)}'"
    if target.problem != "not found":
        return f"{shown} {target.problem}"
    close = resolver.suggestion(target.path) if target.path else None
    hint = f"; did you mean '{_shown(close)}'?" if close else ""
    return f"{shown} not found (looked for {_shown(target.path or '')} in the content root){hint}"
