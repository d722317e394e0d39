"""Compose YAML with libyaml and turn the node tree into JSON-like values, keeping every position.

We compose (not load) so each value keeps its node, and so we see what YAML 1.1 did to a plain
scalar: `no` became a boolean, `1:30` a base-60 integer, `2024-01-01` a timestamp. Timestamps stay
the text the author wrote (JSON has no dates); every implicit non-string scalar is remembered so
the structure stage can tell the author when YAML read a string as something else.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import yaml
from yaml.constructor import ConstructorError, SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from hipcheck.diagnostics import Span

try:
    from yaml import CSafeLoader as _BaseLoader
except ImportError:  # pragma: no cover - PyYAML built without libyaml
    from yaml import SafeLoader as _BaseLoader  # type: ignore[assignment]


class _Loader(_BaseLoader):  # type: ignore[valid-type,misc]
    """libyaml's loader, with tag resolution memoized.

    libyaml calls the Python-level `resolve` for every node; with no path resolvers registered its
    answer depends only on its arguments, and keys, enum values and numbers repeat across records.
    """

    resolve = staticmethod(functools.lru_cache(maxsize=65536)(functools.partial(_BaseLoader.resolve, _BaseLoader(""))))
    # The composer calls these two for every node; they serve only path resolvers, which this loader
    # never has. Built-in callables that ignore their arguments cost less than the Python no-ops.
    descend_resolver = {}.get  # (parent, index) -> ignored
    ascend_resolver = tuple  # () -> ignored


TAG = "tag:yaml.org,2002:"
CORE_TAGS = frozenset(TAG + t for t in ("str", "int", "float", "bool", "null", "timestamp", "seq", "map"))
MERGE_TAG = TAG + "merge"
STR_TAG = TAG + "str"
_SCALAR_TAGS = CORE_TAGS - {TAG + "seq", TAG + "map"}
_TAGS_THAT_FIT: dict[type, frozenset[str]] = {
    ScalarNode: _SCALAR_TAGS,
    SequenceNode: frozenset({TAG + "seq"}),
    MappingNode: frozenset({TAG + "map"}),
}
_KIND_OF_VALUE = {ScalarNode: "a single value", SequenceNode: "a list", MappingNode: "a mapping"}

MAX_DEPTH = 100
MAX_NODES = 200_000  # a content record has hundreds; this stops alias bombs ("billion laughs")

PathPart = str | int
Path = tuple[PathPart, ...]
_constructor = SafeConstructor()


@dataclass(slots=True)
class LoaderIssue:
    """A problem found while loading; `code` is a loader rule's code."""

    code: str
    message: str
    span: Span


@dataclass(slots=True)
class ImplicitScalar:
    """A plain scalar that YAML 1.1 resolved to something other than a string."""

    path: Path
    node: ScalarNode
    resolved: str  # bool | int | float | null | timestamp
    value: Any


@dataclass(slots=True)
class YamlDocument:
    root: Node | None
    value: Any
    issues: list[LoaderIssue] = field(default_factory=list)
    implicit: list[ImplicitScalar] = field(default_factory=list)
    line_offset: int = 0  # lines before the YAML text (front matter starts after `---`)
    char_offset: int = 0
    text: str = ""  # the YAML text itself

    def span(self, node: Node) -> Span:
        """The node's span, without its `&anchor` and `!tag`: edits replace the value, keep the anchor."""
        span = node_span(node, self.line_offset, self.char_offset)
        start = span.offset - self.char_offset
        if start >= len(self.text) or self.text[start] not in "&!":
            return span
        value_start = _after_properties(self.text, start)
        if value_start >= span.end_offset - self.char_offset:
            return span  # an empty value after the anchor: keep pointing at the anchor
        skipped = self.text[start:value_start]
        lines = skipped.count("\n")
        column = len(skipped) - skipped.rfind("\n") if lines else span.column + len(skipped)
        return Span(
            span.line + lines, column, span.end_line, span.end_column, value_start + self.char_offset, span.end_offset
        )


_PROPERTY = re.compile(r"(?:[&!][^\s,\[\]{}]*[ \t\r\n]+)+")


def _after_properties(text: str, start: int) -> int:
    match = _PROPERTY.match(text, start)
    return match.end() if match else start


def node_span(node: Node, line_offset: int = 0, char_offset: int = 0) -> Span:
    start = node.start_mark
    end_node = node
    seen: set[int] = set()
    # libyaml ends a block collection where the next token starts; end it with its last child.
    # (`seen` stops at a recursive alias, whose last child is the collection itself.)
    while (
        isinstance(end_node, (MappingNode, SequenceNode))
        and not end_node.flow_style
        and end_node.value
        and id(end_node) not in seen
    ):
        seen.add(id(end_node))
        last = end_node.value[-1]
        end_node = last[1] if isinstance(last, tuple) else last
    end = end_node.end_mark
    return Span(
        start.line + 1 + line_offset,
        start.column + 1,
        end.line + 1 + line_offset,
        end.column + 1,
        start.index + char_offset,
        end.index + char_offset,
    )


def mark_span(mark: Any, line_offset: int = 0, char_offset: int = 0) -> Span:
    line, column, index = (
        mark.line + 1 + line_offset,
        mark.column + 1,
        mark.index + char_offset,
    )
    return Span(line, column, line, column + 1, index, index + 1)


def parse_yaml(text: str, line_offset: int = 0, char_offset: int = 0) -> YamlDocument:
    """Compose one YAML document; syntax errors become a located issue and a `None` value."""
    doc = YamlDocument(root=None, value=None, line_offset=line_offset, char_offset=char_offset, text=text)
    try:
        root = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        span = mark_span(mark, line_offset, char_offset) if mark else Span.start_of_file()
        problem = error.problem or "invalid YAML"
        if error.context and error.context_mark and error.context_mark is not mark:
            problem += f" ({error.context} at line {error.context_mark.line + 1 + line_offset})"
        if problem.startswith("but found another document"):
            problem = "found a second YAML document ('---'); a record file holds exactly one"
        doc.issues.append(LoaderIssue("HC001", f"YAML syntax error: {problem}", span))
        return doc
    except (yaml.YAMLError, RecursionError) as error:
        doc.issues.append(LoaderIssue("HC001", f"YAML syntax error: {error}", Span.start_of_file()))
        return doc
    doc.root = root
    if root is not None:
        _Converter(doc).run(root)
    return doc


class _Converter:
    def __init__(self, doc: YamlDocument) -> None:
        self.doc = doc
        self.visited = 0
        self.active: set[int] = set()
        self.aborted = False
        self.reported: set[tuple[str, int, str]] = set()  # an aliased node is visited again: report it once

    def run(self, root: Node) -> None:
        self.doc.value = self.convert(root, ())

    def issue(self, code: str, message: str, node: Node, *, at_properties: bool = False) -> None:
        if (code, id(node), message) in self.reported:
            return
        self.reported.add((code, id(node), message))
        # A tag is reported where it is written; everything else at the value itself.
        span = node_span(node, self.doc.line_offset, self.doc.char_offset) if at_properties else self.doc.span(node)
        self.doc.issues.append(LoaderIssue(code, message, span))

    def convert(self, node: Node, path: Path) -> Any:
        if self.aborted:
            return None
        self.visited += 1
        if node.tag == STR_TAG and type(node) is ScalarNode:  # most values: plain text, nothing to check
            return node.value
        if self.visited > MAX_NODES or len(path) > MAX_DEPTH:
            what = "nested too deeply" if len(path) > MAX_DEPTH else "expands to too many values (alias bomb?)"
            self.issue(
                "HC001",
                f"YAML structure {what}; a content record is small and flat",
                node,
            )
            self.aborted = True
            return None
        if id(node) in self.active:
            self.issue("HC001", "recursive alias: this node contains itself", node)
            return None
        self.check_tag(node)
        if isinstance(node, ScalarNode):
            return self.scalar(node, path)
        self.active.add(id(node))
        try:
            if isinstance(node, SequenceNode):
                return self.sequence(node, path)
            return self.mapping(node, path)
        finally:
            self.active.discard(id(node))

    @staticmethod
    def _last_key_before(node: MappingNode, key: str, before: Node) -> Node:
        """The previous occurrence of a repeated key (only looked up when a key repeats)."""
        previous = before
        for key_node, _ in node.value:
            if key_node is before:
                break
            if isinstance(key_node, ScalarNode) and key_node.value == key:
                previous = key_node
        return previous

    def check_tag(self, node: Node) -> None:
        """A tag outside the core set, or a core tag on a value of another kind (`!!str [a, b]`), which
        a YAML loader refuses; hipcheck reports it and reads the value as plain data."""
        tag = node.tag
        if tag in _TAGS_THAT_FIT[type(node)]:
            return
        written = tag.replace(TAG, "!!")
        if tag in CORE_TAGS:
            message = f"tag '{written}' cannot tag {_KIND_OF_VALUE[type(node)]}, and YAML loaders refuse it"
        else:
            message = f"tag '{written}' is not in YAML's safe core set"
        message += "; hipcheck reads the value as plain data. Remove the tag"
        self.issue("HC004", message, node, at_properties=True)

    def scalar(self, node: ScalarNode, path: Path) -> Any:
        tag = node.tag
        if tag == STR_TAG or tag not in _SCALAR_TAGS or node.style:
            return node.value
        if tag == TAG + "null":
            return None  # null in YAML 1.1 and 1.2 alike: no trap, the schema judges it
        try:
            if tag == TAG + "bool":
                value: Any = _constructor.construct_yaml_bool(node)
            elif tag == TAG + "int":
                text = node.value  # most are plain decimals: read them as PyYAML would, without its parser
                plain = text.isascii() and text.isdigit() and (text[0] != "0" or text == "0")
                value = int(text) if plain else _constructor.construct_yaml_int(node)
            elif tag == TAG + "float":
                value = _constructor.construct_yaml_float(node)
                if value != value or value in (float("inf"), float("-inf")):
                    return node.value  # .nan and .inf are not JSON numbers: keep the text
            else:  # timestamp: keep the text, JSON has no dates
                value = node.value
        except (ConstructorError, ValueError):
            return node.value
        self.doc.implicit.append(ImplicitScalar(path, node, tag.removeprefix(TAG), value))
        return value

    def sequence(self, node: SequenceNode, path: Path) -> list[Any]:
        items = []
        for i, item in enumerate(node.value):
            if item.tag == STR_TAG and type(item) is ScalarNode and not self.aborted:
                self.visited += 1  # `convert`'s first case, inline: most items are text
                items.append(item.value)
            else:
                items.append(self.convert(item, (*path, i)))
        return items

    def mapping(self, node: MappingNode, path: Path) -> dict[str, Any]:
        result: dict[str, Any] = {}
        merges: list[Any] = []
        for key_node, value_node in node.value:
            if key_node.tag == MERGE_TAG:
                merges.append(self.convert(value_node, path))
                continue
            if key_node.tag != STR_TAG or type(key_node) is not ScalarNode:  # most keys are plain text
                if not isinstance(key_node, ScalarNode):
                    self.issue("HC001", "a mapping key must be a plain string, not a collection", key_node)
                    continue
                self.check_tag(key_node)
            key = key_node.value  # keys stay the text written: `no:` is the key "no", not False
            if key in result:
                first = self._last_key_before(node, key, key_node)
                first_line = first.start_mark.line + 1 + self.doc.line_offset
                this_line = key_node.start_mark.line + 1 + self.doc.line_offset
                self.issue(
                    "HC002",
                    f"duplicate key '{key}' (first at line {first_line}); the later value wins",
                    key_node,
                )
                self.issue(
                    "HC002",
                    f"key '{key}' is repeated at line {this_line}, whose value replaces this one",
                    first,
                )
            if value_node.tag == STR_TAG and type(value_node) is ScalarNode and not self.aborted:
                self.visited += 1  # `convert`'s first case, inline: most values are text
                result[key] = value_node.value
            else:
                result[key] = self.convert(value_node, (*path, key))
        for merged in merges:  # `<<: *base` fills only keys not set here, as YAML specifies
            for item in merged if isinstance(merged, list) else [merged]:
                if isinstance(item, dict):
                    for key, value in item.items():
                        result.setdefault(key, value)
        return result


def find_node(root: Node | None, path: Path) -> tuple[Node | None, Node] | None:
    """Return (key node, value node) at `path`, or None when the path does not exist in the tree."""
    key: Node | None = None
    node = root
    for part in path:
        child = _child(node, part)
        if child is None:
            return None
        key, node = child
    return (key, node) if node is not None else None


def _child(node: Node | None, part: PathPart) -> tuple[Node | None, Node] | None:
    if isinstance(node, MappingNode) and isinstance(part, str):
        for key_node, value_node in reversed(node.value):  # the last duplicate is the value in effect
            if isinstance(key_node, ScalarNode) and key_node.value == part:
                return key_node, value_node
    if isinstance(node, SequenceNode) and isinstance(part, int) and 0 <= part < len(node.value):
        return None, node.value[part]
    return None


def walk_scalars(node: Node | None, path: Path = ()) -> Iterator[tuple[Path, ScalarNode]]:
    """Every scalar value with its path (used by prose rules that scan text fields)."""
    if isinstance(node, ScalarNode):
        yield path, node
    elif isinstance(node, SequenceNode):
        for i, item in enumerate(node.value):
            yield from walk_scalars(item, (*path, i))
    elif isinstance(node, MappingNode):
        for key_node, value_node in node.value:
            if isinstance(key_node, ScalarNode):
                yield from walk_scalars(value_node, (*path, key_node.value))
