"""The published schemas: in sync with the models, valid 2020-12 schemas, and in agreement with hipcheck."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from hipcheck.loader.records import Record, kind_of, read_records
from hipcheck.models import MODELS
from hipcheck.schemas import SCHEMA_FILES, render, schema_for

from helpers import REPO, write_tree

VALIDATOR = jsonschema.Draft202012Validator


@pytest.mark.parametrize("kind", sorted(SCHEMA_FILES))
def test_committed_schema_matches_models(kind: str) -> None:
    committed = (REPO / "schemas" / SCHEMA_FILES[kind]).read_text("utf-8")
    assert committed == render(kind), "schemas/ is out of date: run 'hipcheck schema'"


@pytest.mark.parametrize("kind", sorted(SCHEMA_FILES))
def test_schema_passes_its_metaschema(kind: str) -> None:
    schema = json.loads((REPO / "schemas" / SCHEMA_FILES[kind]).read_text("utf-8"))
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    VALIDATOR.check_schema(schema)


def _records_under(root: Path) -> Iterator[Record]:
    for path in sorted(root.rglob("*")):
        kind = kind_of(path, root) if path.is_file() else None
        if kind:
            yield from read_records(path, kind, path.relative_to(root).as_posix())


def _fixture_records(tmp: Path) -> Iterator[Record]:
    for number, fixture in enumerate(sorted((REPO / "tests" / "fixtures" / "rules").glob("*.yaml"))):
        for case_number, case in enumerate(yaml.safe_load(fixture.read_text("utf-8"))["cases"]):
            root = tmp / f"{number}-{case_number}"
            write_tree(root, case.get("files", {}))
            yield from _records_under(root)


def hipcheck_accepts(kind: str, data: Any) -> bool:
    try:
        MODELS[kind].__pydantic_validator__.validate_python(data, strict=True)
    except Exception:
        return False
    return True


def jsonschema_accepts(kind: str, data: Any) -> bool:
    schema = json.loads((REPO / "schemas" / SCHEMA_FILES[kind]).read_text("utf-8"))
    return VALIDATOR(schema, format_checker=VALIDATOR.FORMAT_CHECKER).is_valid(data)


def _mutations(data: Any) -> Iterator[Any]:
    """Every leaf and every container replaced, in turn, by values of each JSON type."""
    replacements = [None, True, 0, 1, 2.0, 2.5, -1, "", "x", "2024-02-30", "UBERON:0001", [], ["x"], {}, {"x": 1}]
    paths: list[tuple[Any, ...]] = []

    def collect(value: Any, path: tuple[Any, ...]) -> None:
        paths.append(path)
        if isinstance(value, dict):
            for key, child in value.items():
                collect(child, (*path, key))
        elif isinstance(value, list):
            for i, child in enumerate(value):
                collect(child, (*path, i))

    collect(data, ())
    for path in paths[1:]:
        for replacement in replacements:
            mutated = copy.deepcopy(data)
            target = mutated
            for part in path[:-1]:
                target = target[part]
            target[path[-1]] = replacement
            yield mutated
    if isinstance(data, dict):
        yield {**data, "unexpected-field": 1}


def _all_records(tmp: Path) -> list[Record]:
    records = [*_records_under(REPO / "content"), *_records_under(REPO / "examples" / "drafts")]
    records.extend(_fixture_records(tmp))
    return [r for r in records if r.loaded]


def test_verdicts_equal_jsonschema_on_every_record(tmp_path: Path) -> None:
    records = _all_records(tmp_path)
    assert len(records) > 50
    disagreements = [
        (r.path, r.data) for r in records if hipcheck_accepts(r.kind, r.data) != jsonschema_accepts(r.kind, r.data)
    ]
    assert disagreements == []
    verdicts = {hipcheck_accepts(r.kind, r.data) for r in records}
    assert verdicts == {True, False}, "the corpus must hold valid and invalid records"


def test_verdicts_equal_jsonschema_on_mutated_records() -> None:
    compared = 0
    for record in _records_under(REPO / "content"):
        schema = json.loads((REPO / "schemas" / SCHEMA_FILES[record.kind]).read_text("utf-8"))
        validator = VALIDATOR(schema, format_checker=VALIDATOR.FORMAT_CHECKER)
        for mutated in _mutations(record.data):
            assert hipcheck_accepts(record.kind, mutated) == validator.is_valid(mutated), (record.path, mutated)
            compared += 1
    assert compared > 1000


def test_published_schemas_are_what_hipcheck_generates() -> None:
    for kind, name in SCHEMA_FILES.items():
        assert json.loads((REPO / "schemas" / name).read_text("utf-8")) == schema_for(kind)
