"""Every rule module; importing this package registers them all."""

from importlib import import_module

from hipcheck.rules.registry import CHECKS, RULES, Rule, find_rule

_MODULES = (
    "acronyms",
    "advertising",
    "article",
    "authorship",
    "citekeys",
    "claims",
    "cross_references",
    "currency",
    "exercise",
    "external_links",
    "file_format",
    "links",
    "muscles",
    "online",
    "prescription_cert",
    "prescription_dosage",
    "prescription_links",
    "programs",
    "prose",
    "readability",
    "reference_dates",
    "reference_identifiers",
    "reference_text",
    "references",
    "structure",
    "suppression",
)
RULE_MODULES = tuple(import_module(f"hipcheck.rules.{name}") for name in _MODULES)

__all__ = ["CHECKS", "RULES", "RULE_MODULES", "Rule", "find_rule"]
