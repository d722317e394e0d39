"""Every accepted synonym in content/muscles/ is backed by Uberon (issue #16), checked without ../shared.

A record's `synonyms` are names prose may use instead of the canonical one, so none may be invented: each
must be the name, or an EXACT or RELATED synonym, of the record's own Uberon term. The terms are the ones
tests/data/uberon/extract.py extracted from the Uberon release (tests/data/SOURCES.md); a record whose
synonyms come from elsewhere would have to say so in its `notes` and be listed in NOT_FROM_UBERON here.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from hipcheck.muscle_vocabulary import normalize

REPO = Path(__file__).resolve().parents[1]
EXTRACT = REPO / "tests" / "data" / "uberon" / "muscles.json"
UBERON: dict[str, Any] = json.loads(EXTRACT.read_text("utf-8"))
BUILTIN: dict[str, Any] = json.loads((REPO / "hipcheck" / "data" / "muscles.json").read_text("utf-8"))
RECORDS = {p.name: yaml.safe_load(p.read_text("utf-8")) for p in sorted((REPO / "content" / "muscles").glob("*.yaml"))}
WITH_SYNONYMS = sorted(name for name, data in RECORDS.items() if data.get("synonyms"))
NOT_FROM_UBERON: dict[str, set[str]] = {}  # record file -> synonyms a seed text gives (none so far)


def _labels(term: dict[str, Any]) -> set[str]:
    return {normalize(term["name"]), *(normalize(s) for s in (*term["exact"], *term["related"]))}


def test_the_extract_holds_every_uberon_id_of_content_and_names_its_release() -> None:
    assert UBERON["data-version"].startswith("uberon/releases/")
    ids = {(data.get("ids") or {}).get("uberon") for data in RECORDS.values()} - {None}
    builtin = {record["ids"]["uberon"] for record in BUILTIN["records"] if "uberon" in record["ids"]}
    assert ids <= builtin and builtin == set(UBERON["terms"])  # the built-in vocabulary's terms, content's among them
    assert "quadriceps" in UBERON["terms"]["UBERON:0001377"]["exact"]


def test_quadriceps_and_hamstrings_are_accepted_synonyms() -> None:
    assert "quadriceps" in RECORDS["quadriceps.yaml"]["synonyms"]
    assert "quadriceps" not in RECORDS["quadriceps.yaml"].get("aliases", [])
    assert {"hamstring", "hamstring muscle"} <= set(RECORDS["hamstrings.yaml"]["synonyms"])


@pytest.mark.parametrize("filename", WITH_SYNONYMS)
def test_synonyms_are_uberon_synonyms_of_the_records_own_term(filename: str) -> None:
    record = RECORDS[filename]
    uberon_id = (record.get("ids") or {}).get("uberon")
    allowed = NOT_FROM_UBERON.get(filename, set())
    if uberon_id is None:
        assert set(record["synonyms"]) <= allowed, f"{filename}: synonyms without an Uberon id to back them"
        return
    term = UBERON["terms"][uberon_id]
    assert not term["obsolete"], f"{filename}: {uberon_id} is obsolete"
    labels = _labels(term)
    for synonym in record["synonyms"]:
        assert normalize(synonym) in labels or synonym in allowed, (
            f"{filename}: synonym '{synonym}' is not a name or EXACT/RELATED synonym of {uberon_id} "
            f"({term['name']}); its labels are {sorted(labels)}"
        )
    assert "Uberon" in (record.get("notes") or ""), f"{filename}: the notes must say where the synonyms come from"


def _extract_module() -> Any:
    import importlib.util

    spec = importlib.util.spec_from_file_location("extract_uberon", EXTRACT.parent / "extract.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# The shape of a release's stanzas (tests/data/uberon/extract.py --check re-derives muscles.json from the
# release itself; it is not needed here, so a fresh clone runs this test).
OBO = """format-version: 1.2
data-version: uberon/releases/2024-09-03/uberon-basic.owl

[Term]
id: UBERON:0000370
name: adductor magnus
alt_id: UBERON:9990370
synonym: "adductor magnus muscle" EXACT []
synonym: "musculus adductor magnus" RELATED OMO:0003011 [Wikipedia:Adductor_magnus_muscle]
synonym: "the \\"big\\" adductor" BROAD []
xref: BTO:0001312
xref: FMA:22443
is_a: UBERON:0004252 ! hindlimb stylopod muscle
is_a: UBERON:0011144 {source="Wikipedia"} ! adductor muscle of hip
relationship: present_in_taxon NCBITaxon:9606

[Term]
id: UBERON:0000392
name: longissimus muscle
synonym: "longissimus" EXACT [FMA:77178]
xref: FMA:77178
xref: FMA:77178
is_a: UBERON:0004518 {source="FMA"} ! muscle of vertebral column
relationship: part_of UBERON:0002462 {source="BTO"} ! erector spinae muscle group

[Term]
id: UBERON:0000368
name: adductor brevis
is_obsolete: true

[Typedef]
id: UBERON:0000369
name: not a term
"""


def test_the_extract_script_keeps_the_facts_the_tests_check() -> None:
    wanted = {"UBERON:0000370", "UBERON:0000368", "UBERON:0000369", "UBERON:0000392", "UBERON:9990370"}
    made = _extract_module().extract(OBO, wanted)
    assert made == {
        "data-version": "uberon/releases/2024-09-03/uberon-basic.owl",
        "terms": {
            "UBERON:0000368": {
                "name": "adductor brevis",
                "exact": [],
                "related": [],
                "other": [],
                "fma": [],
                "is_a": [],
                "part_of": [],
                "obsolete": True,
            },
            "UBERON:0000392": {
                "name": "longissimus muscle",
                "exact": ["longissimus"],
                "related": [],
                "other": [],
                "fma": ["FMA:77178"],  # once, though given twice
                "is_a": ["UBERON:0004518"],
                "part_of": ["UBERON:0002462"],
                "obsolete": False,
            },
            "UBERON:0000370": {
                "name": "adductor magnus",
                "exact": ["adductor magnus muscle"],
                "related": ["musculus adductor magnus"],
                "other": ['the "big" adductor'],
                "fma": ["FMA:22443"],
                "is_a": ["UBERON:0004252", "UBERON:0011144"],
                "part_of": [],
                "obsolete": False,
            },
        },
        "alt_ids": {"UBERON:9990370": "UBERON:0000370"},
    }
    assert set(UBERON) == set(made)  # the kept extract has the script's shape
    assert all(set(term) == set(made["terms"]["UBERON:0000370"]) for term in UBERON["terms"].values())
