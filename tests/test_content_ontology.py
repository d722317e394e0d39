"""Every ontology id in content/muscles/ must be real, current and about the muscle that claims it.

Checked against the Uberon release in ../shared/data/uberon-basic.obo (2024-09-03, CC BY 3.0):

- `ids.uberon`: the term exists under that exact id (not an alt_id), is not obsolete, and its name or one of
  its synonyms equals the record's `name`, one of its `synonyms` or one of its `aliases` (case-insensitive);
- `ids.fma`: only next to an Uberon id, and listed as an `xref` of that Uberon term.

The test is skipped, naming the missing file, when ../shared is absent. The records' `synonyms` are checked
without ../shared, against the terms extracted into tests/data/uberon/muscles.json (test_muscle_synonyms.py).
"""

from __future__ import annotations

import re
import warnings
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
OBO = ROOT.parent / "shared" / "data" / "uberon-basic.obo"
MUSCLES = ROOT / "content" / "muscles"

# fastobo (pronto's parser) rejects a handful of URL xrefs in this release that contain backslash
# escapes, e.g. `xref: http://neurolex.org/wiki/Category\:Adult_organism`. URL xrefs play no part in
# these checks, so those lines are dropped from a scratch copy before parsing.
_BAD_URL_XREF = re.compile(r"^xref: https?://\S*\\.*$", re.MULTILINE)
_MAX_REPAIRS = 50


def _muscle_records() -> list[tuple[str, dict[str, Any]]]:
    records = []
    for path in sorted(MUSCLES.glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        records.append((path.name, data if isinstance(data, dict) else {}))
    return records


RECORDS = _muscle_records()
WITH_IDS = [(name, data) for name, data in RECORDS if data.get("ids")]


def _parse_obo(text: str, scratch: Path) -> Any:
    pronto = pytest.importorskip("pronto")
    text = _BAD_URL_XREF.sub("", text)
    lines = text.split("\n")
    for _ in range(_MAX_REPAIRS):
        scratch.write_text("\n".join(lines), encoding="utf-8")
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                return pronto.Ontology(str(scratch))
        except SyntaxError as err:
            # Only ever drop another unparseable URL xref; anything else is a real failure.
            lineno = err.lineno
            if not lineno or not lines[lineno - 1].startswith(("xref: http://", "xref: https://")):
                raise
            del lines[lineno - 1]
    raise AssertionError(f"{OBO} still does not parse after {_MAX_REPAIRS} URL xref repairs")


@pytest.fixture(scope="module")
def uberon(tmp_path_factory: pytest.TempPathFactory) -> Any:
    if not OBO.is_file():
        pytest.skip(f"ontology file not found: {OBO}")
    scratch = tmp_path_factory.mktemp("uberon") / "uberon-basic.obo"
    return _parse_obo(OBO.read_text(encoding="utf-8"), scratch)


def _term(uberon: Any, filename: str, uberon_id: str) -> Any:
    try:
        return uberon.get_term(uberon_id)
    except KeyError:
        pass
    pytest.fail(f"{filename}: {uberon_id} is not a term in {OBO.name}")


def _labels(term: Any) -> set[str]:
    return {term.name.casefold()} | {syn.description.casefold() for syn in term.synonyms}


def _claims(record: dict[str, Any]) -> set[str]:
    forms = [*(record.get("synonyms") or []), *(record.get("aliases") or [])]
    return {str(record.get("name", "")).casefold()} | {str(a).casefold() for a in forms}


def test_muscle_records_exist() -> None:
    assert RECORDS, f"no muscle records in {MUSCLES}"
    assert WITH_IDS, f"no muscle record in {MUSCLES} carries ontology ids"


@pytest.mark.parametrize(("filename", "record"), WITH_IDS, ids=[name for name, _ in WITH_IDS])
def test_uberon_id(uberon: Any, filename: str, record: dict[str, Any]) -> None:
    ids = record["ids"]
    uberon_id = ids.get("uberon")
    if uberon_id is None:
        assert ids.get("fma") is None, f"{filename}: an FMA id needs the Uberon term that cross-references it"
        return
    term = _term(uberon, filename, uberon_id)
    assert term.id == uberon_id, f"{filename}: {uberon_id} is an alternative id of {term.id}; use the primary id"
    assert not term.obsolete, f"{filename}: {uberon_id} ({term.name}) is obsolete"
    labels = _labels(term)
    claims = _claims(record)
    assert labels & claims, (
        f"{filename}: none of {sorted(claims)} is the name or a synonym of {uberon_id} ({term.name}); "
        f"the term's labels are {sorted(labels)}"
    )


@pytest.mark.parametrize(("filename", "record"), WITH_IDS, ids=[name for name, _ in WITH_IDS])
def test_fma_id(uberon: Any, filename: str, record: dict[str, Any]) -> None:
    ids = record["ids"]
    fma_id = ids.get("fma")
    if fma_id is None:
        return
    uberon_id = ids.get("uberon")
    assert uberon_id, f"{filename}: {fma_id} given without an Uberon id to verify it against"
    term = _term(uberon, filename, uberon_id)
    xrefs = {xref.id for xref in term.xrefs}
    assert fma_id in xrefs, (
        f"{filename}: {fma_id} is not an xref of {uberon_id} ({term.name}); "
        f"its FMA xrefs are {sorted(x for x in xrefs if x.startswith('FMA:'))}"
    )
