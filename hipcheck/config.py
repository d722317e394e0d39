"""Configuration: `[tool.hipcheck]` in pyproject.toml, or a `hipcheck.toml`, found upward from a path."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError

from hipcheck.online.settings import OnlineSettings
from hipcheck.result import ConfigError
from hipcheck.vocabulary import MuscleOptions

DEFAULT_COMMERCIAL_TERMS = [
    "products",
    "buy now",
    "shop now",
    "our shop",
    "our store",
    "discount",
    "coupon",
    "promo code",
    "use code",
    "affiliate",
    "sponsored",
    "free shipping",
]


# Per CSL type, the fields a reference needs; "A|B" means one of them. "*" applies to every type.
DEFAULT_REQUIRED_REFERENCE_FIELDS: dict[str, list[str]] = {
    "*": ["title"],
    "article-journal": ["author", "container-title", "issued", "DOI|PMID|URL"],
    "webpage": ["URL", "accessed"],
    "book": ["publisher", "issued"],
    "report": ["publisher|author"],
}


class Config(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True, title="hipcheck configuration")

    extend: str | None = Field(None, description="Another configuration file to inherit; this one's keys win.")
    content_root: str | None = Field(None, alias="content-root", description="Folder holding the content kinds.")
    select: list[str] = Field(default_factory=list, description="Rule codes, names or code prefixes to run.")
    ignore: list[str] = Field(default_factory=list, description="Rule codes, names or code prefixes to skip.")
    severity: dict[str, Literal["error", "warning", "info"]] = Field(
        default_factory=dict, description="Per-rule severity overrides, by code or name."
    )
    exclude: list[str] = Field(default_factory=list, description="Glob patterns, relative to the content root.")
    per_file_ignores: dict[str, list[str]] = Field(
        default_factory=dict,
        alias="per-file-ignores",
        description="Glob (relative to this file's folder or to the content root) -> rules to skip there.",
    )
    commercial_terms: list[str] = Field(
        default_factory=lambda: list(DEFAULT_COMMERCIAL_TERMS),
        alias="commercial-terms",
        description="Words that mark an article as promoting products (it then needs a disclosure).",
    )

    reference_required_fields: dict[str, list[str]] = Field(
        default_factory=lambda: {k: list(v) for k, v in DEFAULT_REQUIRED_REFERENCE_FIELDS.items()},
        alias="reference-required-fields",
        description='Per CSL type (or "*" for all), the fields a reference needs; "A|B" means one of them.',
    )
    source_max_age: int = Field(
        25,
        ge=0,
        alias="source-max-age",
        description="Report (as info) cited sources older than this many years; 0 turns it off.",
    )

    suppression_requires_reason: bool = Field(
        False,
        alias="suppression-requires-reason",
        description="Require ' -- reason' after every inline suppression.",
    )

    muscles: MuscleOptions = Field(
        default_factory=lambda: MuscleOptions.model_validate({}), description="Muscle vocabulary options."
    )
    online: OnlineSettings = Field(
        default_factory=OnlineSettings, description="Online verification of DOIs and PMIDs (hipcheck check --online)."
    )

    # Where this configuration was read from, and where each key came from (not configuration keys).
    _source: Path | None = PrivateAttr(None)
    _origins: dict[str, str] = PrivateAttr(default_factory=dict)

    @property
    def source(self) -> Path | None:
        return self._source

    @property
    def origins(self) -> dict[str, str]:
        """Key -> "file:line" for every key set in a configuration file."""
        return self._origins

    @property
    def base(self) -> Path | None:
        return self.source.parent if self.source else None

    @property
    def root_dir(self) -> Path | None:
        if self.content_root is None or self.base is None:
            return None
        return (self.base / self.content_root).resolve()


def find_config_file(start: Path) -> Path | None:
    """The nearest hipcheck.toml, or pyproject.toml with a [tool.hipcheck] table, from `start` up."""
    directory = start if start.is_dir() else start.parent
    for folder in (directory, *directory.parents):
        candidate = folder / "hipcheck.toml"
        if candidate.is_file():
            return candidate
        pyproject = folder / "pyproject.toml"
        if pyproject.is_file() and re.search(r"^\[tool\.hipcheck[\].]", pyproject.read_text("utf-8"), re.M):
            return pyproject
    return None


def load_config(start: Path) -> Config:
    path = find_config_file(start.resolve())
    if path is None:
        return Config()
    return read_config(path)


# Tables whose entries merge with an extended configuration's entries instead of replacing them.
_MERGED_TABLES = ("severity", "per-file-ignores", "reference-required-fields", "online", "muscles")


def read_config(path: Path) -> Config:
    table, origins = _read_chain(path.resolve(), ())
    try:
        config = Config.model_validate(table)
    except ValidationError as error:
        first = error.errors()[0]
        key = ".".join(str(p) for p in first["loc"])
        where = origins.get(str(first["loc"][0]), str(path))
        message = "unknown key" if first["type"] == "extra_forbidden" else first["msg"]
        raise ConfigError(f"{where}: {_prefix(Path(where.split(':')[0]))}{key}: {message}") from None
    config._source = path
    config._origins = origins
    return config


def _prefix(path: Path) -> str:
    return "tool.hipcheck." if path.name == "pyproject.toml" else ""


def _read_chain(path: Path, seen: tuple[Path, ...]) -> tuple[dict[str, Any], dict[str, str]]:
    """The table of `path` merged over the tables it extends, and where each key came from."""
    if path in seen:
        chain = " -> ".join(str(p) for p in (*seen, path))
        raise ConfigError(f"{path}: 'extend' goes in a circle: {chain}")
    table, text = _read_table(path)
    origins = {key: f"{path}:{_line_of(text, key) or 1}" for key in table}
    base = table.pop("extend", None)
    origins.pop("extend", None)
    if base is None:
        return table, origins
    if not isinstance(base, str):
        raise ConfigError(f"{path}:{_line_of(text, 'extend')}: {_prefix(path)}extend: must be a path")
    target = (path.parent / base).resolve()
    if not target.is_file():
        raise ConfigError(f"{path}:{_line_of(text, 'extend')}: {_prefix(path)}extend: no file {target}")
    merged, merged_origins = _read_chain(target, (*seen, path))
    for key, value in table.items():
        if key in _MERGED_TABLES and isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = {**merged[key], **value}
        else:
            merged[key] = value
    merged_origins.update(origins)
    return merged, merged_origins


def _read_table(path: Path) -> tuple[dict[str, Any], str]:
    try:
        text = path.read_text(encoding="utf-8")
        data: dict[str, Any] = tomllib.loads(text)
    except OSError as error:
        raise ConfigError(f"{path}: cannot read: {error.strerror}") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise ConfigError(f"{path}: invalid TOML: {error}") from None
    if path.name == "pyproject.toml":
        table = data.get("tool", {}).get("hipcheck", {})
        return (table if isinstance(table, dict) else {}), text
    return data, text


def _line_of(text: str, key: str) -> int | None:
    pattern = re.compile(rf"^\s*[\"']?{re.escape(key)}[\"']?\s*=|^\s*\[(?:tool\.hipcheck\.)?{re.escape(key)}\]", re.M)
    match = pattern.search(text)
    return text.count("\n", 0, match.start()) + 1 if match else None
