"""Online verification of references (`hipcheck check --online`): DOIs, Crossref metadata and
update relations (retractions, expressions of concern), PMIDs; results cached in the content repository.

Everything loads on first use: the configuration imports the settings on every run, the verifier (and
httpx) only online runs need, and the answers cache (hipcheck.caching.answers) only runs that have one.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

_HOMES = {
    "Aspect": "results",
    "Metadata": "results",
    "Result": "results",
    "Update": "results",
    "doi_cache_key": "results",
    "pmid_cache_key": "results",
    "OnlineSettings": "settings",
    "verify_references": "verification",
    "Verifier": "verifier",
}

__all__ = sorted(_HOMES)


def __getattr__(name: str) -> Any:
    if name in _HOMES:
        return getattr(import_module(f"hipcheck.online.{_HOMES[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
