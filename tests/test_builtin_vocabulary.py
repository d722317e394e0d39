"""The built-in whole-body muscle vocabulary (hipcheck/data/muscles.json, hipcheck/data/SOURCES.md).

- The shipped file is what tools/build_muscle_vocabulary.py builds from the vendored Uberon extract
  (tests/data/uberon/muscles.json, release 2024-09-03), so the next release is a re-run.
- Every record's Uberon id, name, synonyms, FMA id and structural members are the ontology's, checked
  against the extract (no ../shared needed); the records without a term are content/muscles' own.
- content/muscles/ overrides the built-in hip and thigh records on purpose and agrees with them.
- A root with no muscles/ uses it; records in muscles/ extend and override it; `vocabulary = "content"`
  turns it off; `hipcheck muscles` lists what is in force.
"""

from __future__ import annotations

import importlib.util
import json
from collections import Counter
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import yaml

from hipcheck.cli import main
from hipcheck.engine import check_paths
from hipcheck.index import ContentIndex
from hipcheck.loader.records import read_records
from hipcheck.muscle_vocabulary import (
    REGIONS,
    Vocabulary,
    builtin_entries,
    builtin_vocabulary,
    configure_vocabulary,
    normalize,
    resolve_muscle_name,
    vocabulary_for,
)
from hipcheck.muscle_vocabulary.options import MuscleOptions

from helpers import REPO, TODAY, data_file, write_tree

SHIPPED = REPO / "hipcheck" / "data" / "muscles.json"
BUILTIN: dict[str, Any] = json.loads(SHIPPED.read_text("utf-8"))
EXTRACT: dict[str, Any] = json.loads(data_file("uberon/muscles.json").read_text("utf-8"))  # tests/data/SOURCES.md
RECORDS = {record["id"]: record for record in BUILTIN["records"]}
WITH_TERM = [record for record in BUILTIN["records"] if "uberon" in record["ids"]]
CONTENT = {p.stem: yaml.safe_load(p.read_text("utf-8")) for p in sorted((REPO / "content" / "muscles").glob("*.yaml"))}
CONTENT_ONLY = '[muscles]\nvocabulary = "content"\n'


def _builder() -> ModuleType:
    spec = importlib.util.spec_from_file_location("build_muscle_vocabulary", REPO / "tools/build_muscle_vocabulary.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _labels(term: dict[str, Any]) -> set[str]:
    return {normalize(n) for n in (term["name"], *term["exact"], *term["related"])}


# --- the data is the ontology's --------------------------------------------------------------------------


def test_the_shipped_file_is_a_rebuild_from_the_vendored_extract() -> None:
    builder = _builder()
    version, terms = builder.terms_from_extract(builder.EXTRACT)
    assert builder.render(builder.build(builder.curated_records(), version, terms)) == SHIPPED.read_text("utf-8")
    assert BUILTIN["data-version"] == EXTRACT["data-version"] == "uberon/releases/2024-09-03/uberon-basic.owl"


def test_the_build_refuses_what_the_ontology_does_not_say() -> None:
    builder = _builder()
    version, terms = builder.terms_from_extract(builder.EXTRACT)
    good = {"id": "biceps-brachii", "uberon": "UBERON:0001507", "region": "arm"}
    for bad, why in [
        ({"name": "biceps"}, "not the label or a synonym"),
        ({"synonyms": ["biceps femoris"]}, "are not synonyms"),
        ({"fma": "FMA:22356"}, "not an FMA xref"),
        ({"uberon": "UBERON:9999999"}, "not a current term"),
        ({"region": "elbow"}, "region must be one of"),
        ({"exclude_synonyms": ["gluteus medius"]}, "not synonyms"),
    ]:
        with pytest.raises(builder.BuildError, match=why):
            builder.build([{**good, **bad}], version, terms)


@pytest.mark.parametrize("record", WITH_TERM, ids=[r["id"] for r in WITH_TERM])
def test_every_uberon_id_label_synonym_and_fma_id_is_the_ontologys(record: dict[str, Any]) -> None:
    term = EXTRACT["terms"][record["ids"]["uberon"]]
    assert not term["obsolete"]
    labels = _labels(term)
    name = normalize(record["name"])
    assert name in labels or name.removesuffix("s") in labels  # "hamstrings": the term's "hamstring"
    assert {normalize(s) for s in record["synonyms"]} <= labels
    if "fma" in record["ids"]:
        assert record["ids"]["fma"] in term["fma"]
    else:
        assert len(term["fma"]) != 1  # left out only where the term has none or several
    for member in record.get("members", ()):
        member_term = EXTRACT["terms"].get(RECORDS[member]["ids"].get("uberon", ""), {})
        by_ontology = record["ids"]["uberon"] in (*member_term.get("is_a", ()), *member_term.get("part_of", ()))
        by_hand = record.get("source", "").startswith("content/muscles/")
        assert by_ontology or by_hand, member


def test_records_without_a_term_are_content_records() -> None:
    """Functional groups and adductor minimus: the facts of content/muscles (seeds, Uberon definitions)."""
    without = [record for record in BUILTIN["records"] if "uberon" not in record["ids"]]
    assert without and all(record["source"] == f"content/muscles/{record['id']}.yaml" for record in without)


def test_members_and_part_of_agree_and_regions_cover_the_body() -> None:
    for record in BUILTIN["records"]:
        for member in record.get("members", ()):
            assert record["id"] in RECORDS[member]["part_of"]
        for group in record.get("part_of", ()):
            assert record["id"] in RECORDS[group]["members"]
    regions = Counter(record["region"] for record in BUILTIN["records"])
    assert set(regions) == set(REGIONS)
    assert len(BUILTIN["records"]) == 141


def test_no_form_names_two_built_in_records() -> None:
    vocabulary = builtin_vocabulary()
    assert all(len(by_id) == 1 for by_id in vocabulary.claims.values())
    assert all(len(by_id) == 1 for by_id in vocabulary.abbreviation_claims.values())


def test_content_muscles_override_the_built_in_records_and_agree_with_them() -> None:
    """content/muscles/ keeps its records on purpose (its notes cite the seeds for each fact); each says
    what the built-in record of its id says."""
    for record_id, data in CONTENT.items():
        built = RECORDS[record_id]
        assert built["name"] == data["name"]
        assert built["ids"] == (data.get("ids") or {})
        for key in ("synonyms", "aliases", "abbreviations", "members", "part_of", "actions", "crosses"):
            assert set(built.get(key, ())) == set(data.get(key) or ()), (record_id, key)


# --- a content root uses it --------------------------------------------------------------------------------

EXERCISE = "id: curl\nname: Curl\nmuscles:\n  primary: [biceps-brachii, gluteus-medius]\n  secondary: [hamstrings]\n"


def test_a_root_with_no_muscles_folder_uses_the_built_in_vocabulary(tmp_path: Path) -> None:
    write_tree(tmp_path, {"exercises/curl.yaml": EXERCISE})
    assert check_paths([str(tmp_path)], cwd=tmp_path, today=TODAY, select=["HC401", "HC6"]).diagnostics == []
    (tmp_path / "hipcheck.toml").write_text(CONTENT_ONLY, "utf-8")
    report = check_paths([str(tmp_path)], cwd=tmp_path, today=TODAY, select=["HC401"]).diagnostics
    assert [d.message for d in report] == [
        "unknown muscle id 'biceps-brachii'",
        "unknown muscle id 'gluteus-medius'",
        "unknown muscle id 'hamstrings'",
    ]


def test_records_extend_and_override_the_built_in_vocabulary(tmp_path: Path) -> None:
    files = {
        # a house id for a built-in muscle: it takes over the name, with no duplicate-name finding
        "muscles/medius.yaml": "id: medius\nkind: muscle\nname: gluteus medius\naliases: [glute med]\n",
        # the built-in record, replaced to add a house alias
        "muscles/latissimus-dorsi.yaml": "id: latissimus-dorsi\nkind: muscle\nname: latissimus dorsi\n"
        "aliases: [lats]\n",
        # a muscle the built-in vocabulary lacks
        "muscles/rhomboid-major.yaml": "id: rhomboid-major\nkind: muscle\nname: rhomboid major\n",
        "exercises/row.yaml": "id: row\nname: Row\nmuscles:\n  primary: [lats, rhomboid-major]\n"
        "  secondary: [medius]\n",
        "hipcheck.toml": '[muscles]\nallowed-informal = ["lats"]\n',
        "articles/row.md": "---\ntitle: Rows\n---\nRows work the lats and the glute med.\n",
    }
    write_tree(tmp_path, files)
    report = check_paths([str(tmp_path)], cwd=tmp_path, today=TODAY, select=["HC401", "HC6"]).diagnostics
    assert [(d.code, d.message) for d in report] == [
        ("HC607", "'glute med' is not the canonical name of this muscle: write 'gluteus medius'"),
        ("HC601", "'lats' is a name of the muscle whose id is 'latissimus-dorsi': use the id"),
    ]
    records = [r for p in sorted((tmp_path / "muscles").glob("*.yaml")) for r in read_records(p, "muscle", p.name)]
    index = ContentIndex(records)
    vocabulary = vocabulary_for(index)
    assert vocabulary.resolve("gluteus-medius") == "medius"  # the built-in id, through its name
    assert "gluteus-medius" not in vocabulary.entries
    assert vocabulary.entries["latissimus-dorsi"].aliases == ("lats",)
    assert {"biceps-brachii", "rhomboid-major"} <= set(vocabulary.entries)
    off = ContentIndex(records)
    configure_vocabulary(off, MuscleOptions.model_validate({"vocabulary": "content"}))
    assert sorted(vocabulary_for(off).entries) == ["latissimus-dorsi", "medius", "rhomboid-major"]


def test_the_configuration_shows_the_vocabulary_in_force(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["config", str(REPO / "content")]) == 0
    assert '"vocabulary": "built-in"' in capsys.readouterr().out


def test_resolve_muscle_name_maps_free_text_onto_the_vocabulary() -> None:
    assert resolve_muscle_name("Biceps Brachii") == "biceps-brachii"
    assert resolve_muscle_name("hamstring") == "hamstrings"  # either number
    assert resolve_muscle_name("peroneus longus") == "fibularis-longus"  # an Uberon synonym
    assert resolve_muscle_name("TFL") == "tensor-fasciae-latae"
    assert resolve_muscle_name("glute-medius") == "gluteus-medius"  # a name written as an id
    assert resolve_muscle_name("lats") is None  # no verifiable source maps it (SOURCES.md)
    house = Vocabulary.from_data([{"id": "lats", "name": "latissimus dorsi", "aliases": ["lats"]}])
    assert resolve_muscle_name("Lats", house) == "lats"


# --- hipcheck muscles ------------------------------------------------------------------------------------


def test_muscles_lists_by_region_and_group(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    write_tree(tmp_path, {"exercises/curl.yaml": EXERCISE})
    assert main(["muscles", str(tmp_path), "--region", "arm"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("# vocabulary: built-in (Uberon 2024-09-03, 141 records), with 0 records of muscles/")
    assert [line.split()[0] for line in out.splitlines()[1:-1]] == [
        "anconeus",
        "biceps-brachii",
        "brachialis",
        "coracobrachialis",
        "triceps-brachii",
    ]
    assert main(["muscles", str(tmp_path), "--group", "rotator-cuff", "--format", "json"]) == 0
    listed = json.loads(capsys.readouterr().out)["muscles"]
    assert [m["id"] for m in listed] == [
        "infraspinatus",
        "rotator-cuff",
        "subscapularis",
        "supraspinatus",
        "teres-minor",
    ]
    assert {m["from"] for m in listed} == {"built-in"} and {m["region"] for m in listed} == {"shoulder-girdle"}
    assert main(["muscles", str(REPO / "content"), "--group", "hamstrings", "--format", "json"]) == 0
    listed = json.loads(capsys.readouterr().out)["muscles"]
    assert {m["from"] for m in listed} == {f"muscles/{m['id']}.yaml" for m in listed}  # content's own records
    assert main(["muscles", str(tmp_path), "--region", "elbow"]) == 2
    assert "no body region 'elbow'" in capsys.readouterr().err
    assert len(builtin_entries()) == 141
