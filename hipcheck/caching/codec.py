"""The caches' data format: plain JSON values, decoded by strict readers that trust nothing.

A cache file is input like any other: someone else may have written it, a crash may have torn it, an
older hipcheck may have laid it out differently. Nothing here can run code or build an object of a
type the file names (JSON has no such thing, unlike pickle); every value is checked for type and
shape on the way in, and any doubt raises `Invalid`, upon which the caller discards the whole file.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, TypeVar

from hipcheck.diagnostics import Diagnostic, Edit, Fix, Severity, Span
from hipcheck.run_result import RunResult

T = TypeVar("T")
MAX_DEPTH = 200  # deeper than any record hipcheck accepts; json itself would recurse without bound


class Invalid(Exception):
    """The value is not what this version of hipcheck writes: discard the file it came from."""


def dumps(value: Any) -> str:
    """Compact JSON; `allow_nan=False`: NaN is not JSON, and records never hold one."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)


def strict_json(text: str | bytes) -> Any:
    """JSON and nothing else: ValueError for NaN and Infinity (Python's json accepts them), and for
    anything that is not JSON; RecursionError for nesting deep enough to exhaust the stack."""
    return json.loads(text, parse_constant=_no_constant)


def loads(text: str | bytes) -> Any:
    """A cache file's JSON value, or Invalid."""
    try:
        return strict_json(text)
    except (ValueError, RecursionError, MemoryError) as error:  # not JSON, or nested to exhaust the stack
        raise Invalid(type(error).__name__) from None


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


# --- strict readers ----------------------------------------------------------------------------


def need(condition: bool) -> None:
    if not condition:
        raise Invalid("unexpected shape")


# The readers test `type(value) is ...` (exact JSON types, no subclasses) and return the value as it is:
# a summary holds tens of thousands of them, so each is one call.


def integer(value: Any) -> int:
    if type(value) is int:
        return value
    raise Invalid("unexpected shape")


def text(value: Any) -> str:
    if type(value) is str:
        return value
    raise Invalid("unexpected shape")


def flag(value: Any) -> bool:
    if type(value) is bool:
        return value
    raise Invalid("unexpected shape")


def items(value: Any, size: int | None = None) -> list[Any]:
    if type(value) is list and (size is None or len(value) == size):
        return value
    raise Invalid("unexpected shape")


def mapping(value: Any) -> dict[str, Any]:
    if type(value) is dict:
        return value
    raise Invalid("unexpected shape")


def text_mapping(value: Any) -> dict[str, str]:
    """A JSON object of strings (keys are strings in JSON; the values are checked in one pass)."""
    found = mapping(value)
    need(all(type(v) is str for v in found.values()))
    return found


def optional(read: Callable[[Any], T], value: Any) -> T | None:
    return None if value is None else read(value)


def list_of(read: Callable[[Any], T], value: Any) -> list[T]:
    return [read(item) for item in items(value)]


def texts(value: Any) -> tuple[str, ...]:
    return tuple(list_of(text, value))


def plain_data(value: Any, depth: int = 0) -> Any:
    """A record's values: JSON scalars, lists and string-keyed mappings, nothing else, bounded depth."""
    need(depth <= MAX_DEPTH)
    kind = type(value)
    if kind in (str, int, bool, float) or value is None:
        return value
    if kind is list:
        for item in value:
            plain_data(item, depth + 1)
        return value
    if kind is dict:
        for item in value.values():
            plain_data(item, depth + 1)
        return value
    raise Invalid("not plain data")


# --- the types hipcheck caches -----------------------------------------------------------------


def span_out(span: Span) -> list[int]:
    return [span.line, span.column, span.end_line, span.end_column, span.offset, span.end_offset]


def span_in(value: Any) -> Span:
    line, column, end_line, end_column, offset, end_offset = (integer(v) for v in items(value, 6))
    need(min(line, column, end_line, end_column, offset, end_offset) >= 0)
    return Span(line, column, end_line, end_column, offset, end_offset)


def edit_out(edit: Edit) -> list[Any]:
    return [edit.start, edit.end, edit.replacement]


def edit_in(value: Any) -> Edit:
    start, end, replacement = items(value, 3)
    edit = Edit(integer(start), integer(end), text(replacement))
    need(0 <= edit.start <= edit.end)
    return edit


def diagnostic_out(d: Diagnostic) -> list[Any]:
    fix = None if d.fix is None else [d.fix.description, d.fix.safe, [edit_out(e) for e in d.fix.edits]]
    return [d.path, span_out(d.span), d.code, d.name, d.severity.value, d.message, fix, list(d.related), list(d.cites)]


def diagnostic_in(value: Any) -> Diagnostic:
    path, span, code, name, severity, message, fix, related, cites = items(value, 9)
    need(text(severity) in {s.value for s in Severity})
    read_fix = None
    if fix is not None:
        description, safe, edits = items(fix, 3)
        read_fix = Fix(text(description), tuple(list_of(edit_in, edits)), flag(safe))
    return Diagnostic(
        text(path),
        span_in(span),
        text(code),
        text(name),
        Severity(severity),
        text(message),
        read_fix,
        texts(related),
        texts(cites),
    )


def run_result_out(result: RunResult) -> dict[str, Any]:
    return {
        "diagnostics": [diagnostic_out(d) for d in result.diagnostics],
        "checked": result.checked,
        "internal_errors": result.internal_errors,
    }


def run_result_in(value: Any) -> RunResult:
    data = mapping(value)
    return RunResult(
        list_of(diagnostic_in, data.get("diagnostics")),
        list_of(text, data.get("checked")),
        list_of(text, data.get("internal_errors")),
    )
