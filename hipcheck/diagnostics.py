"""The one diagnostic type every stage produces, and the spans and fixes it carries."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


@dataclass(frozen=True, slots=True)
class Span:
    """A 1-based, end-exclusive source range; offsets are character offsets into the file text."""

    line: int
    column: int
    end_line: int
    end_column: int
    offset: int = 0
    end_offset: int = 0

    @classmethod
    def start_of_file(cls) -> Span:
        return cls(1, 1, 1, 1, 0, 0)


@dataclass(frozen=True, slots=True)
class Edit:
    """Replace text[start:end] with `replacement` (character offsets into the file text)."""

    start: int
    end: int
    replacement: str


@dataclass(frozen=True, slots=True)
class Fix:
    description: str
    edits: tuple[Edit, ...]
    safe: bool = True


@dataclass(frozen=True, slots=True)
class Finding:
    """What a rule reports; the engine turns it into a Diagnostic with the rule's code and severity."""

    message: str
    span: Span
    path: str | None = None  # defaults to the record being checked
    fix: Fix | None = None
    related: tuple[str, ...] = ()  # "kind:id" keys this finding depends on (reporting on changed files)
    code: str | None = None  # which of its check's rules, when a check serves several
    # Display paths of other files whose text (a line number) the message cites: a cross-record finding
    # is replayed from the cache only while those files, and its own, are unchanged.
    cites: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Diagnostic:
    path: str
    span: Span
    code: str
    name: str
    severity: Severity
    message: str
    fix: Fix | None = None
    related: tuple[str, ...] = field(default=(), compare=False)
    cites: tuple[str, ...] = field(default=(), compare=False)

    @property
    def sort_key(self) -> tuple[str, int, int, str, str]:
        return (self.path, self.span.line, self.span.column, self.code, self.message)

    def to_json(self) -> dict[str, object]:
        data: dict[str, object] = {
            "path": self.path,
            "line": self.span.line,
            "column": self.span.column,
            "end_line": self.span.end_line,
            "end_column": self.span.end_column,
            "code": self.code,
            "name": self.name,
            "severity": self.severity.value,
            "message": self.message,
        }
        if self.fix is not None:
            data["fix"] = {
                "description": self.fix.description,
                "safe": self.fix.safe,
                "edits": [{"start": e.start, "end": e.end, "replacement": e.replacement} for e in self.fix.edits],
            }
        return data
