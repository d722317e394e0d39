"""What a run produced, independent of how it was computed (light: the CLI's fast path uses it)."""

from __future__ import annotations

from dataclasses import dataclass, field

from hipcheck.diagnostics import Diagnostic, Severity


@dataclass
class RunResult:
    diagnostics: list[Diagnostic] = field(default_factory=list)
    checked: list[str] = field(default_factory=list)  # display paths of the files reported on
    internal_errors: list[str] = field(default_factory=list)

    @property
    def files(self) -> int:
        return len(self.checked)

    def count(self, severity: Severity) -> int:
        return sum(1 for d in self.diagnostics if d.severity is severity)

    def summary(self) -> dict[str, int]:
        return {
            "files": self.files,
            "errors": self.count(Severity.ERROR),
            "warnings": self.count(Severity.WARNING),
            "infos": self.count(Severity.INFO),
        }
