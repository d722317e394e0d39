"""`hipcheck refs import`: nothing in a .bib or CSL-JSON file is lost or changed silently (issue #16)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from hipcheck.cli import main
from hipcheck.refkeys import key_to_stem, stem_to_key
from hipcheck.refs_import import ImportReport, bibtex_to_csl, import_references

DATA = Path(__file__).parent / "data" / "bibtex"


def _one(text: str) -> dict[str, Any]:
    items = bibtex_to_csl(text)
    assert len(items) == 1
    return items[0]


def test_field_names_are_case_insensitive() -> None:
    item = _one("@article{k, AUTHOR = {Doe, Jane}, Title = {T}, Month = mar, Year = {2020}}")
    assert item["author"] == [{"family": "Doe", "given": "Jane"}]
    assert item["title"] == "T"
    assert item["issued"] == {"date-parts": [[2020, 3]]}


def test_ampersands_and_html_entities_are_kept() -> None:
    item = _one(
        "@article{k, journal = {Placeholder & Example \\& Studies}, title = {50% of placeholders},"
        " url = {https://example.org/?a=1&amp;b=2}, doi = {10.5555/x&lt;1&gt;}}"
    )
    assert item["container-title"] == "Placeholder & Example & Studies"
    assert item["title"] == "50% of placeholders"
    assert item["URL"] == "https://example.org/?a=1&amp;b=2"
    assert item["DOI"] == "10.5555/x&lt;1&gt;"


def test_arxiv_eprint_becomes_a_url() -> None:
    for prefix in ("eprinttype = {arxiv}", "archivePrefix = {arXiv}"):
        item = _one(f"@misc{{k, title = {{T}}, eprint = {{0000.00000}}, {prefix}}}")
        assert item["URL"] == "https://arxiv.org/abs/0000.00000"


def test_incollection_without_booktitle_keeps_its_title() -> None:
    item = _one("@incollection{k, title = {Chapter}, publisher = {P}}")
    assert item["title"] == "Chapter" and "container-title" not in item


def test_unknown_entry_type_is_reported_at_its_line() -> None:
    report = ImportReport()
    items = bibtex_to_csl("\n\n@Atricle{doe2018, title = {T}, url = {https://example.org}}", report)
    assert items[0]["id"] == "doe2018" and items[0]["type"] == "document"  # never a guessed webpage
    assert report.problems == ["line 3: unknown entry type @Atricle ('doe2018')"]


def test_empty_fields_are_kept_for_hc503() -> None:
    assert _one("@article{k, title = {T}, pages = {}}")["page"] == ""


def test_keys_are_kept_and_file_names_encoded(tmp_path: Path) -> None:
    report = import_references(DATA / "defects.bib", tmp_path)
    ids = {yaml.safe_load(p.read_text("utf-8"))["id"]: p.name for p in report.written}
    assert ids == {
        "placeholder:2020": "placeholder%3A2020.yaml",
        "doe/2021": "doe%2F2021.yaml",
        "roe2019": "roe2019.yaml",
        "doe2018": "doe2018.yaml",
        "hammarström2017": "hammarstr%C3%B6m2017.yaml",
        "roe2019a": "roe2019a.yaml",
    }
    assert report.renamed == [("roe2019", "roe2019a")]
    assert "line 40: duplicate key 'roe2019' (first at line 20)" in report.problems


KEYS = ["doi:10.1101/502484", "hammarström2020", "con", "nul.x", ".x", "a.", "a%b", "a b", "x"]


@pytest.mark.parametrize("key", KEYS)
def test_file_name_encoding_is_reversible_and_portable(key: str) -> None:
    stem = key_to_stem(key)
    assert stem_to_key(stem) == key
    assert not set(stem) & set('<>:"/\\|?* ') and stem.isascii()
    assert stem.split(".")[0].lower() not in {"con", "prn", "aux", "nul"} and not stem.endswith(".")


def test_case_only_collisions_are_renamed_and_reported(tmp_path: Path) -> None:
    source = tmp_path / "a.bib"
    source.write_text("@misc{Doe2020, title={A}}\n@misc{doe2020, title={B}}\n", "utf-8")
    report = import_references(source, tmp_path / "out")
    assert report.renamed == [("doe2020", "doe2020a")]  # one file system folds case on macOS and Windows


def test_cli_summary_and_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["refs", "import", str(DATA / "defects.bib"), "--to", str(tmp_path / "a")]) == 0
    out = capsys.readouterr()
    assert "imported 6, renamed 1: roe2019 -> roe2019a" in out.out
    assert "line 27: unknown entry type @Atricle ('doe2018')" in out.err
    assert main(["refs", "import", str(DATA / "defects.bib"), "--to", str(tmp_path / "b"), "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["imported"] == 6 and data["renamed"] == [{"from": "roe2019", "to": "roe2019a"}]
    assert data["fields_not_mapped"] == {} and len(data["problems"]) == 2


def test_unmapped_fields_are_counted() -> None:
    report = ImportReport()
    bibtex_to_csl("@article{a, title={T}, keywords={x}, file={a.pdf}}\n@article{b, Keywords={y}}", report)
    assert report.unmapped == {"keywords": 2, "file": 1}
    assert report.summary().endswith("fields not mapped: file (1), keywords (2)")


def test_csl_json_duplicate_keys_are_reported(tmp_path: Path) -> None:
    source = tmp_path / "lib.json"
    source.write_text(
        '[\n{"id": "url:https://example.org/x",\n "type": "article-journal",\n "type": "webpage"}]', "utf-8"
    )
    report = import_references(source, tmp_path / "out")
    assert report.problems == [
        'line 4: url:https://example.org/x: key \'type\' is repeated ("article-journal", "webpage"); the last was kept'
    ]
    assert yaml.safe_load(report.written[0].read_text("utf-8"))["id"] == "url:https://example.org/x"


def test_imported_records_pass_hc103_and_show_empty_fields_to_hc503(tmp_path: Path) -> None:
    from hipcheck.engine import check_paths

    import_references(DATA / "defects.bib", tmp_path / "references")
    result = check_paths([str(tmp_path)], cwd=tmp_path, select=["HC103", "HC503"])
    found = [(d.code, Path(d.path).name) for d in result.diagnostics]
    assert found == [("HC503", "placeholder%3A2020.yaml")]  # encoded file names match their ids
