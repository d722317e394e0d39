"""Inline suppressions applied, and the rules about suppressions themselves (HC901-HC903).

The per-file stage collects each file's suppression comments (`hipcheck.suppression_comments`); the
suppress stage of the pipeline calls `apply_suppressions` once every finding is in, which drops the
suppressed ones and reports the suppressions that are unused, unknown or lack a reason.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from hipcheck import suppression_comments as suppressions
from hipcheck.diagnostics import Diagnostic, Finding, Severity
from hipcheck.rules.registry import RULES, Rule, did_you_mean, rule

if TYPE_CHECKING:
    from hipcheck.stages import Emitter

UNUSED = rule(
    "HC901",
    "unused-suppression",
    Severity.WARNING,
    """
    A suppression comment suppresses nothing.

    ## What it does
    Reports `# hipcheck: ignore[...]`, `disable` and `ignore-file` comments (and their Markdown
    `<!-- hipcheck: ... -->` forms) that matched no finding in this run, with a safe fix that
    removes the comment. Suppressions naming only rules that are switched off are left alone.

    ## Why it matters
    Stale suppressions hide the next real problem on that line; removing them keeps every
    exception deliberate.

    ## Example
    ```yaml
    dosage:  # hipcheck: ignore[HC203]
      sets: 2
      reps: 10
    ```

    ## Fix
    Delete the comment (the fix does).
    """,
    fixable=True,
)

UNKNOWN_RULE = rule(
    "HC902",
    "suppression-unknown-rule",
    Severity.ERROR,
    """
    A suppression names a rule that does not exist.

    ## What it does
    Reports suppression comments whose codes or names match no rule (`ignore[HC2O3]` with the
    letter O, `ignore[missing-dosage]`), naming the closest rule. The same typo in `--select`,
    `--ignore` or the configuration is a usage error (exit 2); in a content file it is a finding
    at the comment, so the rest of the file is still checked.

    ## Why it matters
    A typo in a suppression silently suppresses nothing; the author believes the finding is
    handled.

    ## Example
    ```yaml
    # hipcheck: ignore[exercise-dosage]
    ```

    ## Fix
    Use a code or name from `hipcheck rules` (`exercise-missing-dosage`).
    """,
)

NO_REASON = rule(
    "HC903",
    "suppression-without-reason",
    Severity.WARNING,
    """
    A suppression gives no reason, and the configuration requires one.

    ## What it does
    With `suppression-requires-reason = true`, reports suppressions without ` -- reason` after
    the directive.

    ## Why it matters
    A reason tells the next editor (and the reviewer) why the rule does not apply here, and when
    the suppression can go.

    ## Example
    ```yaml
    # hipcheck: ignore[HC206]
    ```

    ## Fix
    `# hipcheck: ignore[HC206] -- bodyweight variant; safety notes live in the article`
    """,
)


def apply_suppressions(emit: Emitter, by_file: dict[str, suppressions.FileSuppressions]) -> list[Diagnostic]:
    """Drop suppressed findings from `emit.diagnostics`; report suppressions that are unused, unknown or
    lack a reason (through `emit`). Returns what is left."""
    for found in by_file.values():
        for item in found.items:
            item.used = item.directive == "enable" and item.used  # cached objects: count afresh
    kept = [d for d in emit.diagnostics if d.path not in by_file or not by_file[d.path].suppresses(d, RULES[d.code])]
    emit.diagnostics = kept
    for found in by_file.values():
        for item in found.items:
            unknown = [s for s in item.selectors if not suppressions.known_selector(s)]
            if unknown:
                hints = (f"{s}{did_you_mean(s, prefixes=True)}" for s in unknown)
                message = f"suppression names no rule: {'; '.join(hints)}"
                emit(Finding(message, item.span, code=UNKNOWN_RULE.code), item.path)
            elif not item.used and _all_enabled(item, emit.enabled):
                message = f"'hipcheck: {item.directive}' suppresses nothing here"
                emit(Finding(message, item.span, fix=suppressions.removal_fix(item), code=UNUSED.code), item.path)
            if emit.config.suppression_requires_reason and not item.reason and item.directive != "enable":
                message = f"'hipcheck: {item.directive}' needs a reason: add ' -- why' after it"
                emit(Finding(message, item.span, code=NO_REASON.code), item.path)
    return emit.diagnostics


def _all_enabled(item: suppressions.Suppression, enabled: dict[str, Rule]) -> bool:
    """Judge a suppression unused only if every rule it names ran (else it may be needed elsewhere)."""
    return all(rule.code in enabled for rule in RULES.values() if item.matches(rule))
