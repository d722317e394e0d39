"""JSON Schemas generated from the models, and what a schema expects at a given path."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path as FsPath
from typing import Any

from pydantic.json_schema import GenerateJsonSchema

from hipcheck.kinds import KINDS
from hipcheck.loader.yaml_tree import Path

DIALECT = "https://json-schema.org/draft/2020-12/schema"
SCHEMA_FILES = {kind: f"{kind}.schema.json" for kind in KINDS}


class _Generator(GenerateJsonSchema):
    def generate(self, schema: Any, mode: Any = "validation") -> dict[str, Any]:
        result = super().generate(schema, mode=mode)
        return {"$schema": DIALECT, **result}


@cache
def schema_for(kind: str) -> dict[str, Any]:
    from hipcheck.models import MODELS  # building the models costs time; runs from the cache skip it

    schema = MODELS[kind].model_json_schema(by_alias=True, schema_generator=_Generator)
    schema["$id"] = f"urn:hipcheck:schema:{kind}"
    return schema


CONFIG_SCHEMA_FILE = "config.schema.json"


@cache
def config_schema() -> dict[str, Any]:
    """The schema of hipcheck.toml / [tool.hipcheck], so editors (Even Better TOML, Taplo) complete it."""
    from hipcheck.config import Config

    schema = Config.model_json_schema(by_alias=True, schema_generator=_Generator)
    schema["$id"] = "urn:hipcheck:schema:config"
    return schema


def render(kind: str) -> str:
    schema = config_schema() if kind == "config" else schema_for(kind)
    return json.dumps(schema, indent=2, ensure_ascii=False) + "\n"


def published() -> dict[str, str]:
    """File name -> what it is generated from ("config" or a record kind)."""
    return {**{name: kind for kind, name in SCHEMA_FILES.items()}, CONFIG_SCHEMA_FILE: "config"}


def write_schemas(directory: FsPath) -> list[FsPath]:
    """Write one schema per kind, and the configuration's; returns the files that changed."""
    directory.mkdir(parents=True, exist_ok=True)
    changed = []
    for name, kind in published().items():
        target = directory / name
        text = render(kind)
        if not target.exists() or target.read_text(encoding="utf-8") != text:
            target.write_text(text, encoding="utf-8")
            changed.append(target)
    return changed


# --- what the schema expects at a path --------------------------------------------------------


def expected_at(kind: str, path: Path) -> list[dict[str, Any]]:
    """The leaf subschemas (no $ref / anyOf) that may apply to the value at `path`."""
    # Every item of a list has the same schema: index 0 stands for all, so the cache stays small.
    return _expected_at(kind, tuple(0 if isinstance(part, int) else part for part in path))


@cache
def _expected_at(kind: str, path: Path) -> list[dict[str, Any]]:
    root = schema_for(kind)
    current = _leaves(root, root)
    for part in path:
        following: list[dict[str, Any]] = []
        for schema in current:
            child = _child_schema(schema, part)
            if child is not None:
                following.extend(_leaves(child, root))
        current = following
    return current


def expected_types(kind: str, path: Path) -> frozenset[str]:
    """JSON types accepted at `path`; 'date' stands for a string with format date."""
    return _expected_types(kind, tuple(0 if isinstance(part, int) else part for part in path))


@cache
def _expected_types(kind: str, path: Path) -> frozenset[str]:
    types: set[str] = set()
    for schema in expected_at(kind, path):
        kind_of = schema.get("type")
        if kind_of is None and ("enum" in schema or "const" in schema):
            values = schema.get("enum", [schema.get("const")])
            kind_of = sorted({_json_type(v) for v in values})
        for name in [kind_of] if isinstance(kind_of, str) else kind_of or []:
            types.add("date" if name == "string" and schema.get("format") == "date" else name)
    return frozenset(types)


def describe_expected(kind: str, path: Path) -> str:
    words = {
        "string": "text",
        "date": "a date (YYYY-MM-DD)",
        "integer": "a whole number",
        "number": "a number",
        "boolean": "true or false",
        "array": "a list",
        "object": "a mapping of fields",
        "null": "nothing",
    }
    found = set(expected_types(kind, path))
    if "integer" in found and "number" in found:
        found.discard("integer")
    enum_values = [v for s in expected_at(kind, path) for v in s.get("enum", [])]
    if enum_values and found <= {"string", "null"}:
        return "one of: " + ", ".join(str(v) for v in enum_values)
    names = [words[t] for t in ("string", "date", "integer", "number", "boolean", "array", "object") if t in found]
    return " or ".join(names) if names else "nothing here"


def _json_type(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if value is None:
        return "null"
    return "string"


def _leaves(schema: dict[str, Any], root: dict[str, Any]) -> list[dict[str, Any]]:
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        return _leaves(root["$defs"][name], root)
    for combinator in ("anyOf", "oneOf", "allOf"):
        if combinator in schema:
            return [leaf for option in schema[combinator] for leaf in _leaves(option, root)]
    return [schema]


def _child_schema(schema: dict[str, Any], part: str | int) -> dict[str, Any] | None:
    if isinstance(part, int):
        items = schema.get("items")
        return items if isinstance(items, dict) else None
    properties = schema.get("properties", {})
    if part in properties:
        found = properties[part]
        return found if isinstance(found, dict) else None
    extra = schema.get("additionalProperties")
    return extra if isinstance(extra, dict) else None
