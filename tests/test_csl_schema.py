"""Every reference record hipcheck accepts is a valid CSL item by the official CSL-JSON schema."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import yaml

from hipcheck.engine import check_paths
from hipcheck.loader.records import Record, kind_of, read_records

from helpers import REPO, TODAY, data_file, write_tree

# What makes hipcheck reject a reference record: any error on it.
FIXTURES = REPO / "tests" / "fixtures" / "rules"


def _csl_validator() -> jsonschema.protocols.Validator:
    schema = json.loads(data_file("csl/csl-data.json").read_text("utf-8"))
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


def _roots(tmp: Path) -> list[Path]:
    roots = [REPO / "content", REPO / "examples" / "drafts"]
    for number, fixture in enumerate(sorted(FIXTURES.glob("HC*.yaml"))):
        for case_number, case in enumerate(yaml.safe_load(fixture.read_text("utf-8"))["cases"]):
            files = case.get("files", {})
            if any(name.startswith("references/") for name in files):
                root = tmp / f"{number}-{case_number}"
                write_tree(root, files)
                roots.append(root)
    return roots


def _references(root: Path) -> list[Record]:
    found = []
    for path in sorted((root / "references").rglob("*")) if (root / "references").is_dir() else []:
        if path.is_file() and kind_of(path, root) == "reference":
            found.extend(read_records(path, "reference", path.relative_to(root).as_posix()))
    return found


def test_every_accepted_reference_is_valid_csl(tmp_path: Path) -> None:
    validator = _csl_validator()
    accepted = rejected = 0
    for root in _roots(tmp_path):
        result = check_paths([str(root)], cwd=root, today=TODAY, cache=False, jobs=1)
        erroneous = {(d.path, d.span.line) for d in result.diagnostics if d.severity.value == "error"}
        erroneous_files = {path for path, _ in erroneous}
        for record in _references(root):
            if not record.loaded:
                continue
            if record.path in erroneous_files and not record.in_collection:
                rejected += 1
                continue
            if record.in_collection:
                lines = range(record.top_span().line, record.span().end_line + 1)
                if any(path == record.path and line in lines for path, line in erroneous):
                    rejected += 1
                    continue
            problems = [e.message for e in validator.iter_errors([record.data])]
            assert problems == [], (root, record.path, record.data)
            accepted += 1
    assert accepted >= 10 and rejected >= 100  # both verdicts are exercised (13 and 177 when written)


def test_iso_dates_are_reported_with_date_parts_as_the_fix(tmp_path: Path) -> None:
    validator = _csl_validator()
    write_tree(
        tmp_path,
        {
            "references/example2021.yaml": "id: example2021\ntype: report\ntitle: Example report\n"
            "publisher: Example Press\nissued: 2021-08-11\n",
        },
    )
    record = _references(tmp_path)[0]
    assert not validator.is_valid([record.data])  # a string date is not CSL ...
    result = check_paths([str(tmp_path)], cwd=tmp_path, today=TODAY, cache=False)
    finding = next(d for d in result.diagnostics if d.code == "HC510")
    assert finding.severity.value == "error" and finding.fix is not None  # ... so it is an error, with a fix
    edit = finding.fix.edits[0]
    text = record.text[: edit.start] + edit.replacement + record.text[edit.end :]
    fixed = yaml.safe_load(text)
    assert fixed["issued"] == {"date-parts": [[2021, 8, 11]]}
    assert validator.is_valid([fixed])
