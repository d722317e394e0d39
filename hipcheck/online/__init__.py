"""Online verification of references (`hipcheck check --online`): DOIs, Crossref metadata and
update relations (retractions, expressions of concern), PMIDs; results cached in the content repository.

The Verifier (and httpx) load only for online runs: the rules and offline runs import this package too.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from hipcheck.online.results import Aspect, Metadata, Result, Update, doi_cache_key, pmid_cache_key
from hipcheck.online.settings import OnlineSettings
from hipcheck.online.verify import verify_references

if TYPE_CHECKING:
    from hipcheck.online.verifier import Verifier

__all__ = [
    "Aspect",
    "Metadata",
    "OnlineSettings",
    "Result",
    "Update",
    "Verifier",
    "doi_cache_key",
    "pmid_cache_key",
    "verify_references",
]


def __getattr__(name: str) -> Any:
    if name == "Verifier":  # with httpx, which only online runs need
        from hipcheck.online.verifier import Verifier

        return Verifier
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
