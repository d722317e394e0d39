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
from types import ModuleType
from typing import Any

import yaml
from yaml.constructor import ConstructorError, SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from yaml.reader import Reader, ReaderError
from yaml.resolver import Resolver

from hipcheck.diagnostics import Span
from hipcheck.textpos import LineIndex

try:
    from yaml import CSafeLoader as _BaseLoader
except ImportError:  # pragma: no cover - PyYAML built without libyaml
    from yaml import SafeLoader as _BaseLoader  # type: ignore[assignment]


_uncached_resolve = functools.partial(_BaseLoader.resolve, _BaseLoader(""))
_cached_resolve = functools.lru_cache(maxsize=65536)(_uncached_resolve)
# The longest value whose resolution is memoized: the cache keeps its keys, and 65,536 values of a few
# MiB each (one per hostile file) would be gigabytes. Repeated values (keys, enums, numbers) are short.
MAX_CACHED_VALUE = 64


def _resolve(kind: Any, value: Any, implicit: Any) -> Any:
    if value is not None and len(value) > MAX_CACHED_VALUE:
        return _uncached_resolve(kind, value, implicit)
    return _cached_resolve(kind, value, implicit)


class _Loader(_BaseLoader):
    """libyaml's loader, with tag resolution memoized.

    libyaml calls the Python-level `resolve` for every node; with no path resolvers registered its
    answer depends only on its arguments, and keys, enum values and numbers repeat across records.
    """

    resolve = staticmethod(_resolve)
    # The composer calls these two for every node; they serve only path resolvers, which this loader
    # never has. Built-in callables that ignore their arguments cost less than the Python no-ops.
    descend_resolver: Any = {}.get  # (parent, index) -> ignored
    ascend_resolver: Any = tuple  # () -> ignored


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

# Limits on what one YAML document may cost; a breach is one located HC001. libyaml itself stops at
# 1,000 levels of nesting ("exceeded maximum nesting depth"), also reported as HC001.
MAX_DEPTH = 100  # levels of nesting the converter follows; content records use four or five
MAX_NODES = 200_000  # values materialised, aliases counted each time: stops alias bombs ("billion laughs")
# A plain number longer than this stays text: base-60 integers (`1:2:3`) cost quadratic big-integer
# arithmetic in their length, and no content field holds a number of more than a few digits.
MAX_NUMBER_CHARS = 100


def _implicit_patterns() -> dict[str, re.Pattern[str]]:
    """The pattern YAML 1.1 resolves a plain scalar to each core tag with: what a value so tagged must match."""
    patterns: dict[str, re.Pattern[str]] = {}
    for resolvers in Resolver.yaml_implicit_resolvers.values():
        for tag, pattern in resolvers:
            patterns.setdefault(tag, pattern)
    return patterns


_FITS = _implicit_patterns()

PathPart = str | int
Path = tuple[PathPart, ...]
_constructor = SafeConstructor()


def file_format() -> ModuleType:
    """The rules the loader reports through (`hipcheck.rules.file_format`, HC001-HC008). Imported on first
    use, not with this module: the rule modules import the loader."""
    from hipcheck.rules import file_format as rules

    return rules


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
    _lines: LineIndex | None = None

    def span(self, node: Node) -> Span:
        """The node's span, without its `&anchor` and `!tag`: edits replace the value, keep the anchor."""
        start, end = node_range(node)
        if start < len(self.text) and self.text[start] in "&!":
            value_start = _after_properties(self.text, start)
            if value_start < end:  # an empty value after the anchor: keep pointing at the anchor
                start = value_start
        return self.range_span(start, end)

    def node_span(self, node: Node) -> Span:
        """The node's span with its `&anchor` and `!tag` (where a tag is reported)."""
        return self.range_span(*node_range(node))

    def range_span(self, start: int, end: int) -> Span:
        """Character offsets into the YAML text as a span in the file. Lines and columns come from the
        offsets, not from libyaml's marks: libyaml also breaks lines at CR, NEL, LS and PS, and its marks
        at the end of the stream lie past the last line. A span starting at the end of a whole file
        points at its last character instead."""
        if self._lines is None:
            self._lines = LineIndex(self.text)
        if self.char_offset == 0 and self.text and start >= len(self.text):
            start = max(len(self.text.rstrip()), 1) - 1
            end = start + 1
        end = min(max(end, start), len(self.text))
        line, column = self._lines.position(start)
        end_line, end_column = self._lines.position(end)
        return Span(
            line + self.line_offset,
            column,
            end_line + self.line_offset,
            end_column,
            start + self.char_offset,
            end + self.char_offset,
        )

    def mark_span(self, index: int) -> Span:
        """One character at `index` (where a syntax error was found)."""
        return self.range_span(index, index + 1)


_NOT_PRINTABLE = Reader.NON_PRINTABLE  # what YAML 1.1 refuses in a stream

_PROPERTY = re.compile(r"(?:[&!][^\s,\[\]{}]*[ \t\r\n]+)+")


def _after_properties(text: str, start: int) -> int:
    match = _PROPERTY.match(text, start)
    return match.end() if match else start


def node_range(node: Node) -> tuple[int, int]:
    """Character offsets of a node's start and end in its YAML text."""
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
    return node.start_mark.index, end_node.end_mark.index


def parse_yaml(text: str, line_offset: int = 0, char_offset: int = 0) -> YamlDocument:
    """Compose one YAML document; syntax errors become a located issue and a `None` value."""
    doc = YamlDocument(root=None, value=None, line_offset=line_offset, char_offset=char_offset, text=text)
    try:
        root = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        span = doc.mark_span(mark.index) if mark else doc.mark_span(0)
        problem = error.problem or "invalid YAML"
        if error.context and error.context_mark and error.context_mark is not mark:
            problem += f" ({error.context} at line {doc.mark_span(error.context_mark.index).line})"
        if problem.startswith("but found another document"):
            problem = "found a second YAML document ('---'); a record file holds exactly one"
        doc.issues.append(LoaderIssue(file_format().SYNTAX.code, f"YAML syntax error: {problem}", span))
        return doc
    except ReaderError:  # libyaml's position here is neither in characters nor in bytes: find it
        bad = _NOT_PRINTABLE.search(text)
        index = bad.start() if bad else 0
        what = f"U+{ord(bad.group()):04X}" if bad else "a character"
        message = f"YAML syntax error: {what} is a control character, which YAML does not allow; delete it"
        doc.issues.append(LoaderIssue(file_format().SYNTAX.code, message, doc.mark_span(index)))
        return doc
    except (yaml.YAMLError, RecursionError) as error:
        doc.issues.append(LoaderIssue(file_format().SYNTAX.code, f"YAML syntax error: {error}", doc.mark_span(0)))
        return doc
    doc.root = root
    if root is not None:
        _Converter(doc).run(root)
    return doc


class _Converter:
    def __init__(self, doc: YamlDocument) -> None:
        self.doc = doc
        self.visited = 0
        self.depth = 0  # collections being converted: the path's length, plus merges (`<<: *a`) followed
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
        span = self.doc.node_span(node) if at_properties else self.doc.span(node)
        self.doc.issues.append(LoaderIssue(code, message, span))

    def convert(self, node: Node, path: Path) -> Any:
        if self.aborted:
            return None
        self.visited += 1
        if node.tag == STR_TAG and type(node) is ScalarNode:  # most values: plain text, nothing to check
            return node.value
        if self.visited > MAX_NODES or self.depth > MAX_DEPTH:
            what = "nested too deeply" if self.depth > MAX_DEPTH else "expands to too many values (alias bomb?)"
            self.issue(
                file_format().SYNTAX.code,
                f"YAML structure {what}; a content record is small and flat",
                node,
            )
            self.aborted = True
            return None
        if id(node) in self.active:
            self.issue(file_format().SYNTAX.code, "recursive alias: this node contains itself", node)
            return None
        self.check_tag(node)
        if isinstance(node, ScalarNode):
            return self.scalar(node, path)
        self.active.add(id(node))
        self.depth += 1
        try:
            if isinstance(node, SequenceNode):
                return self.sequence(node, path)
            assert isinstance(node, MappingNode)
            return self.mapping(node, path)
        finally:
            self.depth -= 1
            self.active.discard(id(node))

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
        self.issue(file_format().UNSAFE_TAG.code, message, node, at_properties=True)

    def scalar(self, node: ScalarNode, path: Path) -> Any:
        tag = node.tag
        if tag == STR_TAG or tag not in _SCALAR_TAGS:
            return node.value
        if not _FITS[tag].match(node.value):  # only an explicit tag can be wrong: `!!bool maybe`, `!!float`
            written = tag.replace(TAG, "!!")
            message = f"'{node.value[:40]}' is not a valid '{written}' value, and YAML loaders refuse it"
            message += "; hipcheck reads it as text. Remove the tag or fix the value"
            self.issue(file_format().UNSAFE_TAG.code, message, node, at_properties=True)
            return node.value
        if tag == TAG + "null":
            return None  # null in YAML 1.1 and 1.2 alike: no trap, the schema judges it
        if len(node.value) > MAX_NUMBER_CHARS and tag != TAG + "bool":
            return node.value
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
        except (ConstructorError, ValueError, KeyError, IndexError, OverflowError):
            return node.value  # a value the pattern admits but the constructor refuses (`._`): keep the text
        if not node.style:  # a quoted value has this tag only when written: the author asked for the type
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
        # Where each key was last written, kept as the keys are read: a search back from every repeat
        # would be quadratic in a file of thousands of copies of one key.
        last_written: dict[str, Node] = {}
        for key_node, value_node in node.value:
            if key_node.tag == MERGE_TAG:
                merges.append(self.convert(value_node, path))
                continue
            if key_node.tag != STR_TAG or type(key_node) is not ScalarNode:  # most keys are plain text
                if not isinstance(key_node, ScalarNode):
                    self.issue(
                        file_format().SYNTAX.code, "a mapping key must be a plain string, not a collection", key_node
                    )
                    continue
                self.check_tag(key_node)
            key = key_node.value  # keys stay the text written: `no:` is the key "no", not False
            if key in result:
                first = last_written[key]
                first_line = self.doc.span(first).line
                this_line = self.doc.span(key_node).line
                self.issue(
                    file_format().DUPLICATE_KEY.code,
                    f"duplicate key '{key}' (first at line {first_line}); the later value wins",
                    key_node,
                )
                self.issue(
                    file_format().DUPLICATE_KEY.code,
                    f"key '{key}' is repeated at line {this_line}, whose value replaces this one",
                    first,
                )
            last_written[key] = key_node
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


def unique_scalars(root: Node | None) -> Iterator[ScalarNode]:
    """The scalars under a node in document order, each node once: aliases repeat nodes (exponentially,
    in an alias bomb) and a recursive one (`steps: &s [*s]`) never ends. Iterative: nesting is input."""
    seen: set[int] = set()
    stack = [root] if root is not None else []
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, ScalarNode):
            yield node
        elif isinstance(node, SequenceNode):
            stack.extend(reversed(node.value))
        elif isinstance(node, MappingNode):
            stack.extend(value for _, value in reversed(node.value))


def walk_scalars(node: Node | None, path: Path = ()) -> Iterator[tuple[Path, ScalarNode]]:
    """Every scalar value with its path, in document order; each node once (at its first path), so an
    alias is not followed again and a recursive one (`&a [*a]`) ends. Iterative: nesting is input."""
    seen: set[int] = set()
    stack: list[tuple[Path, Node | None]] = [(path, node)]
    while stack:
        path, node = stack.pop()
        if node is None or id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, ScalarNode):
            yield path, node
        elif isinstance(node, SequenceNode):
            stack.extend(((*path, i), item) for i, item in reversed(list(enumerate(node.value))))
        elif isinstance(node, MappingNode):
            stack.extend(
                ((*path, key_node.value), value_node)
                for key_node, value_node in reversed(node.value)
                if isinstance(key_node, ScalarNode)
            )
