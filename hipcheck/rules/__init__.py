"""Every rule module; importing this package registers them all."""

from hipcheck.rules import article, crossref, exercise, loader, structure
from hipcheck.rules.registry import CHECKS, RULES, Rule, find_rule

__all__ = ["CHECKS", "RULES", "Rule", "article", "crossref", "exercise", "find_rule", "loader", "structure"]
