"""Inline suppression comments, parsed: `# hipcheck: ignore[CODE]` in YAML, `<!-- hipcheck: ignore[CODE] -->`
in Markdown. Applying them, and the rules about them, is `hipcheck.rules.suppression`.

Directives:
  ignore[CODES]       the finding on this line (trailing comment) or on the next line (own line)
  disable[CODES] ... enable[CODES]
                      every finding in between (to the end of the file without an enable)
  ignore-file[CODES]  every finding in the file
CODES are rule codes, names or code prefixes, comma-separated; without them, every rule. `=CODES`
works as well as `[CODES]`. ` -- reason` after the directive says why (configurable as required).
A finding inside a multi-line YAML value counts as being on the line where the value starts.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, field

from hipcheck.bounds import Lines
from hipcheck.citations import code_mask
from hipcheck.diagnostics import Diagnostic, Edit, Fix, Span
from hipcheck.loader.records import Record
from hipcheck.loader.yaml_tree import YamlDocument, unique_scalars
from hipcheck.rules import registry
from hipcheck.rules.registry import Rule

_DIRECTIVE = (
    r"hipcheck:[ \t]*(?P<directive>ignore-file|ignore|disable|enable)"
    r"(?:\[(?P<bracket>[^\]\r\n\x85\u2028\u2029]*)\]|=(?P<equals>[\w,\t -]*?))?"
    r"(?:[ \t]+--[ \t]*(?P<reason>[^\r\n\x85\u2028\u2029]*?))?[ \t]*"
)
# A comment runs to the end of its line, whichever break ends it (CR-only and mixed files included).
_YAML_COMMENT = re.compile(rf"(?:^|(?<=[ \t\r\n\x85\u2028\u2029]))#[ \t]*{_DIRECTIVE}(?=[\r\n\x85\u2028\u2029]|\Z)")
_HTML_COMMENT = re.compile(rf"<!--[ \t]*{_DIRECTIVE}-->")


@dataclass
class Suppression:
    path: str
    directive: str
    selectors: tuple[str, ...]  # empty: every rule
    line: int  # the comment's line
    span: Span
    removal: Edit  # deleting the comment (and its line, when it stands alone)
    reason: str | None
    covers: int | None = None  # `ignore`: the line it applies to
    until: int | None = None  # `disable`: the last line of its range
    used: bool = False

    def matches(self, rule: Rule) -> bool:
        return not self.selectors or any(registry.selects(s, rule) for s in self.selectors)


def known_selector(selector: str) -> bool:
    return registry.selector_problem(selector) is None


@dataclass
class FileSuppressions:
    items: list[Suppression] = field(default_factory=list)
    logical_line: dict[int, int] = field(default_factory=dict)  # a line inside a multi-line value -> its start
    # `ignore` items by the lines they apply to, the others apart (few): a file with thousands of
    # suppressions and findings is checked in linear time.
    _index: tuple[int, dict[int, list[Suppression]], list[Suppression]] | None = field(default=None, repr=False)

    def suppresses(self, diagnostic: Diagnostic, rule: Rule) -> bool:
        line = self.logical_line.get(diagnostic.span.line, diagnostic.span.line)
        by_line, others = self._candidates()
        candidates = {id(i): i for i in (*by_line.get(line, ()), *by_line.get(diagnostic.span.line, ()), *others)}
        hit = False
        for item in candidates.values():
            if not item.matches(rule):
                continue
            if (
                item.directive == "ignore-file"
                or (item.directive == "ignore" and line in (item.covers, diagnostic.span.line))
                or (item.directive == "disable" and item.line < line <= (item.until or line))
            ):
                item.used = True
                hit = True
        return hit

    def _candidates(self) -> tuple[dict[int, list[Suppression]], list[Suppression]]:
        if self._index is None or self._index[0] != len(self.items):
            by_line: dict[int, list[Suppression]] = {}
            others = []
            for item in self.items:
                if item.directive == "ignore":
                    for line in {item.covers, item.line} - {None}:
                        by_line.setdefault(line, []).append(item)  # type: ignore[arg-type]
                else:
                    others.append(item)
            self._index = (len(self.items), by_line, others)
        return self._index[1], self._index[2]


def collect(record: Record) -> FileSuppressions:
    """The suppressions written in one file (called once per file, for its first record)."""
    result = FileSuppressions()
    if "hipcheck:" not in record.text:
        return result
    lines = Lines(record.text).split()
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line))
    if record.kind == "article":
        front_end = record.body_offset if record.doc is not None else 0
        _scan(record, _YAML_COMMENT, record.text[:front_end], 0, lines, starts, result)
        masked = code_mask(record.body)
        _scan(record, _HTML_COMMENT, masked, record.body_offset, lines, starts, result)
        # A suppression right after the opening `---` also covers findings reported on that line.
        for item in result.items:
            if item.directive == "ignore" and item.line == 2 and record.doc is not None:
                item.covers = 1 if _own_line(lines, item) else item.covers
    else:
        _scan(record, _YAML_COMMENT, record.text, 0, lines, starts, result)
    if record.doc is not None:
        result.logical_line = logical_lines(record.doc)
        inside = sorted(
            (span.offset, span.end_offset) for span in map(record.doc.span, unique_scalars(record.doc.root))
        )
        result.items = [i for i in result.items if not _within_value(i.span.offset, inside)]
    _close_ranges(result.items, len(lines))
    return result


def _scan(
    record: Record,
    pattern: re.Pattern[str],
    text: str,
    base: int,
    lines: list[str],
    starts: list[int],
    result: FileSuppressions,
) -> None:
    for match in pattern.finditer(text):
        start, end = base + match.start(), base + match.end()
        line = _line_at(starts, start)
        raw = match.group("bracket") if match.group("bracket") is not None else match.group("equals") or ""
        selectors = tuple(s.strip() for s in raw.split(",") if s.strip())
        line_text = lines[line - 1]
        column = start - starts[line - 1] + 1
        alone = not line_text[: column - 1].strip()
        if alone:
            removal = Edit(starts[line - 1], starts[line], "")
        else:
            trimmed = len(line_text[: column - 1].rstrip(" \t"))
            removal = Edit(starts[line - 1] + trimmed, end, "")
        span = Span(line, column, line, column + (end - start), start, end)
        item = Suppression(
            record.path, match.group("directive"), selectors, line, span, removal, match.group("reason") or None
        )
        if item.directive == "ignore":
            item.covers = _next_content_line(lines, line) if alone else line
        result.items.append(item)


def _line_at(starts: list[int], offset: int) -> int:
    low, high = 0, len(starts) - 1
    while low < high:
        middle = (low + high + 1) // 2
        if starts[middle] <= offset:
            low = middle
        else:
            high = middle - 1
    return low + 1


def _own_line(lines: list[str], item: Suppression) -> bool:
    return not lines[item.line - 1][: item.span.column - 1].strip()


def _next_content_line(lines: list[str], line: int) -> int:
    for number in range(line + 1, len(lines) + 1):
        stripped = lines[number - 1].strip()
        if stripped and not stripped.startswith("#"):
            return number
    return line + 1


def _close_ranges(items: list[Suppression], last_line: int) -> None:
    for i, item in enumerate(items):
        if item.directive != "disable":
            continue
        item.until = last_line
        for later in items[i + 1 :]:
            if later.directive == "enable" and (not later.selectors or set(later.selectors) & set(item.selectors)):
                item.until = later.line
                later.used = True  # an enable that closes a range does its job
                break


def logical_lines(doc: YamlDocument) -> dict[int, int]:
    mapping: dict[int, int] = {}
    for node in unique_scalars(doc.root):
        if node.end_mark.line > node.start_mark.line:
            span = doc.span(node)
            for line in range(span.line + 1, span.end_line + 1):
                mapping.setdefault(line, span.line)
    return mapping


def _within_value(offset: int, ranges: list[tuple[int, int]]) -> bool:
    """A `#` inside a quoted or block value is text, not a comment. `ranges`: sorted, not nested (values)."""
    at = bisect_right(ranges, (offset, float("inf"))) - 1
    return at >= 0 and ranges[at][0] <= offset < ranges[at][1]


def removal_fix(item: Suppression) -> Fix:
    return Fix("remove the unused suppression", (item.removal,))
