"""Rules about inline suppressions themselves; the engine reports them after applying suppressions."""

from hipcheck.diagnostics import Severity
from hipcheck.rules.registry import rule

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
    letter O, `ignore[missing-dosage]`).

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
