"""Every rule module; importing this package registers them all."""

from hipcheck.rules import (
    article,
    crossref,
    exercise,
    identifiers,
    loader,
    muscles,
    online,
    prose,
    references,
    structure,
    suppression,
)
from hipcheck.rules.registry import CHECKS, RULES, Rule, find_rule

RULE_MODULES = (
    article,
    crossref,
    exercise,
    identifiers,
    loader,
    muscles,
    online,
    prose,
    references,
    structure,
    suppression,
)

__all__ = ["CHECKS", "RULES", "RULE_MODULES", "Rule", "find_rule"]
