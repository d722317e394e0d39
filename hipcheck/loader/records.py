"""Read one content file into a Record: kind, values, positions, and the loader's own issues.

Nothing here raises for bad input: unreadable, binary, non-UTF-8 and empty files, YAML syntax
errors and unclosed front matter all become one located LoaderIssue each.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path as FsPath
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from hipcheck.diagnostics import Span
from hipcheck.file_reading import MAX_FILE_BYTES, TOO_LARGE, read_bytes
from hipcheck.kinds import BIBLIOGRAPHY_SUFFIXES, KIND_FOLDERS, KIND_SUFFIXES
from hipcheck.loader.yaml_tree import (
    LoaderIssue,
    Path,
    YamlDocument,
    file_format,
    find_node,
    parse_yaml,
)

_FRONT_MATTER_FENCE = re.compile(r"^(?:---|\.\.\.)[ \t]*$")

BIBTEX_ENTRY = "@bibtex"  # first part of a .bib entry's `prefix` (no CSL-JSON or YAML path starts so)
# Characters that make a text file something else: NUL (binary data), a byte order mark after the start
# (files joined together), and a carriage return without a line feed (CR-only line breaks, which YAML
# counts as lines and hipcheck, editors' "line:column" and git do not).
_SUSPECT = re.compile("[\0\ufeff]|\r(?!\n)")
_SUSPECT_MESSAGES = {
    "\0": "binary file: a NUL byte; a content record must be UTF-8 text",
    "\ufeff": "a byte order mark (U+FEFF) in the middle of the file, usually from joining two files; delete it",
    "\r": "a carriage return without a line feed (old Mac line breaks); save the file with LF or CRLF line breaks",
}


@dataclass(slots=True)
class Record:
    kind: str
    path: str  # display path: relative to the working directory, forward slashes, no leading ./
    stem: str
    _text: str | None = ""  # None: dropped by the cache, read again from `source` on use
    # The YAML file, or an article's front matter. Dropped after the per-file rules (release) to save
    # memory, and composed again from `text` on the rare later need (a cross-record finding's position).
    _doc: YamlDocument | None = None
    data: dict[str, Any] = field(default_factory=dict)
    body_offset: int = 0  # character offset where an article's body starts
    front: tuple[int, int] | None = None  # character range of an article's front matter text
    issues: list[LoaderIssue] = field(default_factory=list)
    # Where this record sits in the file: () or, in a file of many items, its path; (BIBTEX_ENTRY, i) for
    # the i-th entry of a .bib, whose `front` is then the range of its `@type{key,` head.
    prefix: Path = ()
    loaded: bool = False  # True when there is a mapping of fields to check
    source: str = ""  # the file's absolute path

    @property
    def id(self) -> str | None:
        if self.kind == "article":
            value = self.data.get("slug", self.stem)
        elif self.kind == "reference":
            value = self.data.get("citation-key", self.data.get("id"))  # pandoc cites by citation-key
            value = str(value) if isinstance(value, (int, str)) and not isinstance(value, bool) else None
        else:
            value = self.data.get("id")
        return value if isinstance(value, str) else None

    @property
    def text(self) -> str:
        if self._text is None:  # the cache keeps no text: the file's bytes are unchanged (same digest)
            self._text = read_bytes(self.source).decode("utf-8-sig")
        return self._text

    @text.setter
    def text(self, value: str) -> None:
        self._text = value

    def drop_text(self) -> None:
        if self.source:
            self._text = None

    @property
    def is_bibtex(self) -> bool:
        """An entry of a .bib bibliography: it has no YAML nodes, only its head's position."""
        return bool(self.prefix) and self.prefix[0] == BIBTEX_ENTRY

    @property
    def doc(self) -> YamlDocument | None:
        if self.is_bibtex:
            return None
        if self._doc is None and self.loaded:
            if self.front is not None:
                start, end = self.front
                self._doc = parse_yaml(self.text[start:end], line_offset=1, char_offset=start)
            else:
                self._doc = parse_yaml(self.text)
        return self._doc

    @doc.setter
    def doc(self, value: YamlDocument | None) -> None:
        self._doc = value

    @property
    def body(self) -> str:
        """An article's Markdown body ("" for YAML records)."""
        return self.text[self.body_offset :] if self.kind == "article" else ""

    def release(self) -> None:
        """Forget the node tree; `doc` composes it again if a position is needed later."""
        self._doc = None

    @property
    def in_collection(self) -> bool:
        """True for one item of a file holding many (a CSL-JSON array, a `references:` list)."""
        return bool(self.prefix)

    # --- positions ---------------------------------------------------------------------------

    def nodes(self, path: Path) -> tuple[Node | None, Node] | None:
        return find_node(self.doc.root, self.prefix + path) if self.doc is not None else None

    def span(self, path: Path = ()) -> Span:
        """Span of the value at `path`; where its parent is reported when the value is missing."""
        found = self.nodes(path)
        if found is None or self.doc is None:
            return self.anchor(path)
        return self.doc.span(found[1])

    def scalar_text(self, path: Path, value: str, *, key: bool = False) -> str:
        """`value` written as the scalar (or key) at `path` is written: quoted where it was quoted,
        JSON in a .json file, plain only where YAML reads it back as the same text."""
        found = self.nodes(path)
        node = (found[0] if key else found[1]) if found else None
        style = node.style if isinstance(node, ScalarNode) else None
        return scalar_text(value, style, json_file=self.path.endswith(".json"))

    def key_span(self, path: Path) -> Span:
        """Span of the key that holds `path` (where unknown or duplicate fields are reported)."""
        found = self.nodes(path)
        if found is not None and found[0] is not None and self.doc is not None:
            return self.doc.span(found[0])
        return self.span(path)

    def anchor(self, path: Path) -> Span:
        """Where to report something missing at `path`: the key of its nearest existing parent."""
        for depth in range(len(path) - 1, 0, -1):
            found = self.nodes(path[:depth])
            if found is not None and self.doc is not None:
                key, node = found
                return self.doc.span(key) if key is not None else _first_line(self.doc.span(node), self.text)
        return self.top_span()

    def top_span(self) -> Span:
        """The record's first line: a YAML file's first field, an article's opening `---`, a BibTeX entry's head."""
        if self.is_bibtex and self.front is not None:
            return _first_line(_char_span(self.text, self.front[0]), self.text)
        found = self.nodes(())
        if self.kind != "article" and self.doc is not None and found is not None:
            return _first_line(self.doc.span(found[1]), self.text)
        return _first_line(Span.start_of_file(), self.text)


def scalar_text(value: str, style: str | None, *, json_file: bool = False) -> str:
    if json_file or style == '"':
        return json.dumps(value, ensure_ascii=False)
    if style == "'":
        return "'" + value.replace("'", "''") + "'"
    if _reads_back_plain(value):
        return value
    return json.dumps(value, ensure_ascii=False)


def _reads_back_plain(value: str) -> bool:
    try:
        node = yaml.compose(value, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.YAMLError:
        return False
    return isinstance(node, ScalarNode) and node.tag == "tag:yaml.org,2002:str" and node.value == value


def _first_line(span: Span, text: str) -> Span:
    end = text.find("\n", span.offset)
    end = len(text) if end == -1 else end
    if end > span.offset and text[end - 1] == "\r":
        end -= 1
    return Span(
        span.line,
        span.column,
        span.line,
        span.column + (end - span.offset),
        span.offset,
        end,
    )


def kind_of(path: FsPath, root: FsPath) -> str | None:
    """The record kind of `path`, decided by its top folder under the content root."""
    try:
        parts = path.relative_to(root).parts
    except ValueError:
        return None
    if len(parts) < 2:
        return None
    kind = KIND_FOLDERS.get(parts[0])
    if kind == "article" and path.name.lower().endswith(BIBLIOGRAPHY_SUFFIXES) and not path.name.startswith("."):
        return "reference"  # a bibliography beside the articles, read in place (hipcheck.bibliography)
    if kind is None or not path.name.endswith(KIND_SUFFIXES[kind]) or path.name.startswith("."):
        return None
    return kind


def read_records(path: FsPath | str, kind: str, display: str, raw: bytes | None = None) -> list[Record]:
    """The records in one file: one, or for a reference collection file, one per item. `raw`: the
    file's bytes when the caller has read them already."""
    if kind == "reference" and str(path).lower().endswith(".bib"):
        return _read_bibtex(path, display, raw)
    record = read_record(path, kind, display, raw)
    if kind != "reference" or record.doc is None:
        return [record]
    items = _collection_items(record.doc)
    if items is None:
        if _beside_articles(path) and not record.issues:
            # Not a bibliography (Manubot's metadata.yaml, a _quarto.yml): not a record either.
            record.data, record.loaded = {}, False
        return [record]
    if not items:
        record.issues.append(
            LoaderIssue(file_format().EMPTY.code, "empty reference collection: no items", record.top_span())
        )
        return [record]
    records = []
    for prefix, item in items:
        records.append(
            Record(
                kind=kind,
                path=display,
                stem=record.stem,
                _text=record.text,
                _doc=record.doc,
                prefix=prefix,
                source=record.source,
            )
        )
        records[-1].data, records[-1].loaded = (item, True) if isinstance(item, dict) else ({}, False)
        if not isinstance(item, dict):
            records[-1].issues.append(
                LoaderIssue(
                    file_format().NOT_A_MAPPING.code,
                    "a reference item must be a mapping of CSL fields",
                    records[-1].span(),
                )
            )
    records[0].issues[:0] = [i for i in record.issues if i.code != file_format().NOT_A_MAPPING.code]
    return records


def _beside_articles(path: FsPath | str) -> bool:
    """Whether a file's nearest kind folder is articles/ (where bibliographies sit beside articles)."""
    for part in reversed(FsPath(path).parts[:-1]):
        if part in KIND_FOLDERS:
            return part == "articles"
    return False


def _read_bibtex(path: FsPath | str, display: str, raw: bytes | None) -> list[Record]:
    """A .bib bibliography: one reference record per entry, placed at its `@type{key,` head."""
    from hipcheck.bibliography import read_bibtex  # the BibTeX parser loads only when a .bib is read

    stem = os.path.basename(path).removesuffix(".bib").removesuffix(".BIB")
    record = Record(kind="reference", path=display, stem=stem, source=str(path))
    text = _read_text(path, record, raw)
    if text is None:
        return [record]
    record.text = text
    entries, problems = read_bibtex(text)
    issues = [
        LoaderIssue(file_format().SYNTAX.code, p.message, _first_line(_char_span(text, p.offset), text))
        for p in problems
    ]
    if not entries:
        what = "no BibTeX entries" if text.strip() else "empty file"
        record.issues[:0] = [
            *issues,
            LoaderIssue(file_format().EMPTY.code, f"empty bibliography: {what}", Span.start_of_file()),
        ]
        return [record]
    records = []
    for i, entry in enumerate(entries):
        records.append(
            Record(
                kind="reference",
                path=display,
                stem=stem,
                _text=text,
                data=entry.item,
                front=(entry.start, entry.end),
                prefix=(BIBTEX_ENTRY, i),
                loaded=True,
                source=record.source,
            )
        )
    records[0].issues[:0] = issues
    return records


def _collection_items(doc: YamlDocument) -> list[tuple[Path, Any]] | None:
    """Items of a CSL-JSON array or a CSL-YAML `references:` list (pandoc, Zotero); None otherwise."""
    value = doc.value
    if isinstance(value, list):
        return [((i,), item) for i, item in enumerate(value)]
    if isinstance(value, dict) and set(value) == {"references"} and isinstance(value["references"], list):
        return [(("references", i), item) for i, item in enumerate(value["references"])]
    return None


def read_record(path: FsPath | str, kind: str, display: str, raw: bytes | None = None) -> Record:
    stem = os.path.basename(path)
    for suffix in KIND_SUFFIXES[kind]:
        stem = stem.removesuffix(suffix)
    record = Record(kind=kind, path=display, stem=stem, source=str(path))
    text = _read_text(path, record, raw)
    if text is None:
        return record
    record.text = text
    if not text.strip():
        record.issues.append(
            LoaderIssue(
                file_format().EMPTY.code,
                f"empty file: {_a(kind)} record needs its fields",
                Span.start_of_file(),
            )
        )
        return record
    if kind == "article":
        _load_article(record)
    else:
        record.doc = parse_yaml(text)
        _take_mapping(record, record.doc, f"{_a(kind)} record")
    return record


def _read_text(path: FsPath | str, record: Record, raw: bytes | None = None) -> str | None:
    try:
        if raw is None:
            raw = read_bytes(path)
    except OSError as error:
        record.issues.append(
            LoaderIssue(
                file_format().UNREADABLE.code,
                f"cannot read file: {error.strerror or error}",
                Span.start_of_file(),
            )
        )
        return None
    if len(raw) > MAX_FILE_BYTES:  # bytes read by a caller other than `read_bytes`
        record.issues.append(
            LoaderIssue(file_format().UNREADABLE.code, f"cannot read file: {TOO_LARGE}", Span.start_of_file())
        )
        return None
    if b"\x00" in raw[:8192]:
        record.issues.append(
            LoaderIssue(
                file_format().UNREADABLE.code,
                "binary file: a content record must be UTF-8 text",
                Span.start_of_file(),
            )
        )
        return None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        # The error's position is in the bytes after a byte order mark; the span's offset and column count
        # characters of the text as shown with U+FFFD for bad bytes, as everywhere else.
        after_bom = raw.removeprefix(b"\xef\xbb\xbf")
        before = after_bom[: error.start].decode("utf-8")
        span = _char_span(before + "\ufffd", len(before))
        message = f"not UTF-8: byte 0x{after_bom[error.start]:02x} cannot be decoded; save the file as UTF-8"
        record.issues.append(LoaderIssue(file_format().UNREADABLE.code, message, span))
        return None
    # Substring tests first: they cost far less than the pattern, and almost every file has none of these.
    suspect = _SUSPECT.search(text) if "\0" in text or "\ufeff" in text or "\r" in text else None
    if suspect is not None:
        record.text = text
        start = suspect.start()
        record.issues.append(
            LoaderIssue(file_format().UNREADABLE.code, _SUSPECT_MESSAGES[suspect.group()], _char_span(text, start))
        )
        return None
    return text


def _char_span(text: str, offset: int) -> Span:
    """The one character at `offset`, with lines counted at "\n" only."""
    line = text.count("\n", 0, offset) + 1
    column = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return Span(line, column, line, column + 1, offset, offset + 1)


def _split_lines(text: str) -> list[str]:
    """Lines ending at "\n", kept. `str.splitlines` also breaks at VT, FF, FS-US, NEL, LS and PS, which
    are not line breaks to git, editors' line numbers or hipcheck's spans."""
    lines = [line + "\n" for line in text.split("\n")]
    lines[-1] = lines[-1][:-1]
    return lines if lines[-1] else lines[:-1]


def _load_article(record: Record) -> None:
    text = record.text
    lines = _split_lines(text)
    if not lines or lines[0].rstrip("\r\n").rstrip() != "---":
        record.issues.append(
            LoaderIssue(
                file_format().FRONT_MATTER.code,
                "article has no YAML front matter: start the file with a '---' line, the fields, and a closing '---'",
                _first_line(Span.start_of_file(), text),
            )
        )
        record.body_offset = 0  # no front matter: all of it is body
        return
    offset = len(lines[0])
    for line in lines[1:]:
        if _FRONT_MATTER_FENCE.match(line.rstrip("\r\n")):
            front = text[len(lines[0]) : offset]
            record.front = (len(lines[0]), offset)
            record.doc = parse_yaml(front, line_offset=1, char_offset=len(lines[0]))
            if record.doc.root is None and not record.doc.issues:
                record.doc.value = {}  # `---` directly followed by `---`, or only comments
                record.issues.append(
                    LoaderIssue(
                        file_format().EMPTY.code,
                        "empty front matter: no fields",
                        _first_line(Span.start_of_file(), text),
                    )
                )
            record.body_offset = offset + len(line)
            _take_mapping(record, record.doc, "front matter")
            return
        offset += len(line)
    record.issues.append(
        LoaderIssue(
            file_format().FRONT_MATTER.code,
            "front matter never closes: add a '---' line after the last field",
            _first_line(Span.start_of_file(), text),
        )
    )
    record.body_offset = len(text)  # no body can be told apart from the unclosed front matter


def _take_mapping(record: Record, doc: YamlDocument, what: str) -> None:
    record.issues.extend(doc.issues)
    if doc.root is None and doc.value is None:
        if not doc.issues:
            message = f"{_a(record.kind)} record with no fields (only comments or blank lines)"
            record.issues.append(LoaderIssue(file_format().EMPTY.code, message, Span.start_of_file()))
        return
    if isinstance(doc.value, dict):
        record.data = doc.value
        record.loaded = True
        return
    names: dict[type, str] = {list: "a list", str: "a single value"}
    found = names.get(type(doc.value), f"a {type(doc.value).__name__} value")
    if isinstance(doc.root, SequenceNode):
        found = "a list"
    elif not isinstance(doc.root, MappingNode):
        found = "a single value"
    span = doc.span(doc.root) if doc.root is not None else Span.start_of_file()
    record.issues.append(
        LoaderIssue(file_format().NOT_A_MAPPING.code, f"{what} must be a mapping of fields, found {found}", span)
    )


def _a(word: str) -> str:
    return ("an " if word[0] in "aeiou" else "a ") + word
