"""The ids a renderer gives an article's headings, and the other anchors an article defines.

Each style follows its renderer's documented algorithm (read in its source; the code here is ours):

- `pandoc` (Pandoc's `auto_identifiers`, also Quarto and R Markdown; Text.Pandoc.Shared
  `inlineListToIdentifier`): the heading's text, lowercased; only letters, digits, spaces and `_-.`
  kept; words joined by `-`; everything before the first letter dropped; `section` when nothing is
  left; a repeated id gets `-1`, `-2`, ...
- `gfm` (GitHub, and Pandoc's `gfm_auto_identifiers`): lowercased, each space a `-`, punctuation
  other than `-` and `_` removed; leading digits kept; repeats get `-1`, `-2`, ...
- `markdown-it` (markdown-it-py's `mdit_py_plugins.anchors` default `slugify`, as MyST uses it): the
  text and inline code of the heading, stripped, lowercased, each space a `-`, then every character
  but word characters, CJK ideographs, `-` and space removed; repeats get `-1`, `-2`, ...
- `mkdocs` (Python-Markdown's `toc` extension, MkDocs' default): NFKD, non-ASCII dropped, every
  character but word characters, whitespace and `-` removed, stripped, lowercased, runs of `-` and
  whitespace one `-`; repeats (and an empty id) get `_1`, `_2`, ...

An explicit id (`# Heading {#id}`, Pandoc's `header_attributes`, markdown-it's and Python-Markdown's
attribute lists) replaces the generated one, except with `gfm`, which has no attributes. Anchors that
are not headings count too: `{#id}` on spans, divs, images and code blocks, and HTML `id`/`name`.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Callable, Iterator

from hipcheck.link_settings import SlugStyle
from hipcheck.markdown_links import masked_body

SLUG_STYLES: tuple[SlugStyle, ...] = ("pandoc", "gfm", "markdown-it", "mkdocs")

MAX_HEADINGS = 10_000  # of one article; later headings get no generated id (their anchors are not checked)

_ATX = re.compile(r"^(?:[ ]{0,3}>[ ]?)*[ ]{0,3}(#{1,6})(?:[ \t]+(?P<text>[^\n]*?))?(?:[ \t]+#+)?[ \t]*$", re.M)
_SETEXT_UNDERLINE = re.compile(r"^[ ]{0,3}(?:=+|-+)[ \t]*$")
_ATTRIBUTES = re.compile(r"[ \t]*\{(?P<inner>[^{}\n]*)\}[ \t]*$")
_ID_IN_ATTRIBUTES = re.compile(r"(?:^|\s)#(?P<id>[^\s}]+)")
_EXPLICIT_ID = re.compile(r"\{[^{}\n]*?(?:^|(?<=[{\s]))#(?P<id>[^\s{}]+)[^{}\n]*\}")
_HTML_ID = re.compile(
    r"<[A-Za-z][^<>]{0,2000}?\s(?:id|name)[ \t]*=[ \t]*(?:\"(?P<d>[^\"<>]*)\"|'(?P<s>[^'<>]*)')", re.I
)
_FENCED_DIV_ID = re.compile(r"^[ ]{0,3}:{3,}[ \t]*#(?P<id>[^\s{}:]+)", re.M)

# Ids renderers generate besides headings: Pandoc's bibliography (`refs`, `ref-<key>` with
# link-citations), footnotes (`fn1`, `fnref1`; markdown-it's `fn1`, `fnref1`; GitHub's `fn-1`), a table
# of contents (`TOC`). A link to one of these is not checked against the article's text.
_GENERATED = re.compile(r"^(?:refs|ref-.+|fn-?\d+|fnref-?\d+(?::\d+)?|toc|TOC|title-block-header)$")

# Inline Markdown reduced to its text, in this order.
_IMAGE = re.compile(r"!\[([^\[\]]*)\]\([^()]*\)")
_LINK = re.compile(r"\[([^\[\]]*)\](?:\([^()]*\)|\[[^\[\]]*\])")
_CODE = re.compile(r"(`+)(.+?)\1")
_FOOTNOTE = re.compile(r"\[\^[^\[\]]*\]")
_TAG = re.compile(r"</?[A-Za-z][^<>]*>")
_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")
_EMPHASIS = re.compile(r"\*+|~~|(?<!\w)_+|_+(?!\w)")


def is_generated(anchor: str) -> bool:
    return bool(_GENERATED.match(anchor))


def heading_text(markdown: str, *, image_alt: bool) -> str:
    """The plain text of a heading's inline Markdown: formatting removed, link text and code kept."""
    text = _FOOTNOTE.sub("", markdown)
    text = _IMAGE.sub(lambda m: m.group(1) if image_alt else "", text)
    text = _LINK.sub(r"\1", text)
    parts: list[str] = []
    last = 0
    for match in _CODE.finditer(text):  # code keeps its characters: no emphasis or escapes inside
        parts.append(_plain(text[last : match.start()]))
        parts.append(match.group(2).strip() if match.group(2).strip() else match.group(2))
        last = match.end()
    parts.append(_plain(text[last:]))
    return "".join(parts)


def _plain(text: str) -> str:
    text = _TAG.sub("", text)
    text = _EMPHASIS.sub("", text)
    text = _ESCAPE.sub(r"\1", text)
    return html.unescape(text)


def pandoc_slug(text: str) -> str:
    kept = "".join(c for c in text.lower() if c.isspace() or c.isalnum() or c in "_-.")
    joined = "-".join(kept.split())
    first = next((i for i, c in enumerate(joined) if c.isalpha()), len(joined))
    return joined[first:]


_GFM_MARKS = frozenset({"Mn", "Mc", "Me", "Pc"})


def gfm_slug(text: str) -> str:
    dashed = "".join("-" if c == " " else c for c in text.lower())
    return "".join(
        c for c in dashed if c.isspace() or c.isalnum() or c in "-_" or unicodedata.category(c) in _GFM_MARKS
    )


def markdown_it_slug(text: str) -> str:
    return re.sub(r"[^\w\u4e00-\u9fff\- ]", "", text.strip().lower().replace(" ", "-"))


def mkdocs_slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    value = re.sub(r"[^\w\s-]", "", ascii_text).strip().lower()
    return re.sub(r"[-\s]+", "-", value)


_SLUGS: dict[SlugStyle, Callable[[str], str]] = {
    "pandoc": pandoc_slug,
    "gfm": gfm_slug,
    "markdown-it": markdown_it_slug,
    "mkdocs": mkdocs_slug,
}


def _unique(slug: str, used: set[str], style: SlugStyle) -> str:
    if style == "mkdocs":
        candidate = slug
        while candidate in used or not candidate:
            match = re.match(r"^(.*)_([0-9]+)$", candidate)
            candidate = f"{match.group(1)}_{int(match.group(2)) + 1}" if match else f"{candidate}_1"
        return candidate
    if style == "pandoc" and not slug:
        slug = "section"
    if slug not in used:
        return slug
    n = 1
    while f"{slug}-{n}" in used:
        n += 1
    return f"{slug}-{n}"


def _headings(masked: str, body: str) -> Iterator[str]:
    """The inline Markdown of each heading, ATX (`# x`) and setext (`x` over `===`/`---`), in order: found
    in the masked body (no heading in code), its text read from the body (inline code is heading text)."""
    lines = masked.split("\n")
    originals = body.split("\n")
    previous = ""
    for i, line in enumerate(lines):
        match = _ATX.match(line)
        if match:
            original = _ATX.match(originals[i])  # the same heading, its code spans unmasked
            yield (original.group("text") or "") if original else ""
            previous = ""
            continue
        if previous.strip() and _SETEXT_UNDERLINE.match(line) and not _ATX.match(lines[i - 1]):
            yield originals[i - 1].strip()
            previous = ""
            continue
        previous = line


def anchors(body: str, style: SlugStyle) -> set[str]:
    """Every id the body's renderer gives: headings' (explicit or generated) and explicit ones elsewhere."""
    masked = masked_body(body)
    slug = _SLUGS[style]
    used: set[str] = set()
    ids: set[str] = set()
    for count, heading in enumerate(_headings(masked, body)):
        if count >= MAX_HEADINGS:
            break
        attributes = _ATTRIBUTES.search(heading) if style != "gfm" else None
        explicit = _ID_IN_ATTRIBUTES.search(attributes.group("inner")) if attributes else None
        if explicit:
            ids.add(explicit.group("id"))
            used.add(explicit.group("id"))
            continue
        text = heading[: attributes.start()] if attributes else heading
        generated = _unique(slug(heading_text(text, image_alt=style == "pandoc")), used, style)
        used.add(generated)
        ids.add(generated)
    # Explicit ids anywhere, code blocks' attributes included (the fence's info string is code to the mask).
    ids.update(m.group("id") for m in _EXPLICIT_ID.finditer(body))
    ids.update(m.group("id") for m in _FENCED_DIV_ID.finditer(masked))
    for match in _HTML_ID.finditer(masked):
        ids.add(match.group("d") if match.group("d") is not None else match.group("s"))
    return ids
