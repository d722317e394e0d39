"""Every ontology id in content/muscles/ must be real, current and about the muscle that claims it.

Checked against the Uberon release 2024-09-03 (CC BY 3.0), through the facts tests/data/uberon/extract.py
took from it into tests/data/uberon/muscles.json (tests/data/SOURCES.md; `extract.py --check RELEASE`
re-derives them), so the test runs on a fresh clone without ../shared:

- `ids.uberon`: the term exists under that exact id (not an alt_id), is not obsolete, and its name or one of
  its synonyms equals the record's `name`, one of its `synonyms` or one of its `aliases` (case-insensitive);
- `ids.fma`: only next to an Uberon id, and listed as an `xref` of that Uberon term.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
EXTRACT = ROOT / "tests" / "data" / "uberon" / "muscles.json"
MUSCLES = ROOT / "content" / "muscles"


def _muscle_records() -> list[tuple[str, dict[str, Any]]]:
    records = []
    for path in sorted(MUSCLES.glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        records.append((path.name, data if isinstance(data, dict) else {}))
    return records


RECORDS = _muscle_records()
WITH_IDS = [(name, data) for name, data in RECORDS if data.get("ids")]


@pytest.fixture(scope="module")
def uberon() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(EXTRACT.read_text("utf-8"))
    assert data["data-version"] == "uberon/releases/2024-09-03/uberon-basic.owl"
    return data


def _term(uberon: dict[str, Any], filename: str, uberon_id: str) -> dict[str, Any]:
    primary = uberon["alt_ids"].get(uberon_id)
    assert primary is None, f"{filename}: {uberon_id} is an alternative id of {primary}; use the primary id"
    if uberon_id not in uberon["terms"]:
        pytest.fail(f"{filename}: {uberon_id} is not a term of the release (re-run tests/data/uberon/extract.py)")
    term: dict[str, Any] = uberon["terms"][uberon_id]
    return term


def _labels(term: dict[str, Any]) -> set[str]:
    return {label.casefold() for label in (term["name"], *term["exact"], *term["related"], *term["other"])}


def _claims(record: dict[str, Any]) -> set[str]:
    forms = [*(record.get("synonyms") or []), *(record.get("aliases") or [])]
    return {str(record.get("name", "")).casefold()} | {str(a).casefold() for a in forms}


def test_muscle_records_exist() -> None:
    assert RECORDS, f"no muscle records in {MUSCLES}"
    assert WITH_IDS, f"no muscle record in {MUSCLES} carries ontology ids"


@pytest.mark.parametrize(("filename", "record"), WITH_IDS, ids=[name for name, _ in WITH_IDS])
def test_uberon_id(uberon: dict[str, Any], filename: str, record: dict[str, Any]) -> None:
    ids = record["ids"]
    uberon_id = ids.get("uberon")
    if uberon_id is None:
        assert ids.get("fma") is None, f"{filename}: an FMA id needs the Uberon term that cross-references it"
        return
    term = _term(uberon, filename, uberon_id)
    assert not term["obsolete"], f"{filename}: {uberon_id} ({term['name']}) is obsolete"
    labels = _labels(term)
    claims = _claims(record)
    assert labels & claims, (
        f"{filename}: none of {sorted(claims)} is the name or a synonym of {uberon_id} ({term['name']}); "
        f"the term's labels are {sorted(labels)}"
    )


@pytest.mark.parametrize(("filename", "record"), WITH_IDS, ids=[name for name, _ in WITH_IDS])
def test_fma_id(uberon: dict[str, Any], filename: str, record: dict[str, Any]) -> None:
    ids = record["ids"]
    fma_id = ids.get("fma")
    if fma_id is None:
        return
    uberon_id = ids.get("uberon")
    assert uberon_id, f"{filename}: {fma_id} given without an Uberon id to verify it against"
    term = _term(uberon, filename, uberon_id)
    assert fma_id in term["fma"], (
        f"{filename}: {fma_id} is not an xref of {uberon_id} ({term['name']}); its FMA xrefs are {term['fma']}"
    )
