"""Configuration: `[tool.hipcheck]` in pyproject.toml, or a `hipcheck.toml`, found upward from a path."""

from __future__ import annotations

import difflib
import math
import posixpath
import re
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path, PureWindowsPath
from typing import Any, Literal, NoReturn
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError

from hipcheck.csl import CSL_TYPES
from hipcheck.errors import ConfigError, UsageError
from hipcheck.link_settings import LinkSettings
from hipcheck.muscle_vocabulary import MuscleOptions
from hipcheck.online.settings import OnlineSettings
from hipcheck.prose_options import ProseOptions

# Limits on what a configuration file can make hipcheck do (it may come from anyone's pull request).
# 1 MiB for a configuration file and every file it extends, together: real ones are a few KiB, and parsing
# and checking a MiB already takes seconds.
MAX_CONFIG_BYTES = 1 << 20
MAX_EXTEND_DEPTH = 32  # `extend` steps from the file found to its last base; real layering uses two or three

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


# 3 years: the NHS digital service manual's review-date pattern ("Page last reviewed: 15 March 2021, Next
# review due: 15 March 2024") and the HSE (Ireland) service manual ("we aim to review health content every
# 3 years"). PIF TICK asks for regular review and up-to-date evidence but, as far as we could verify, names
# no interval.
DEFAULT_REVIEW_INTERVAL = 36

# Only what a programme documents: Amazon Associates links carry the Associate's tracking ID in `tag`
# (Amazon's API documentation: "Optional URL Parameter for Amazon Associates: ?tag={your_associates_tag}").
DEFAULT_AFFILIATE_LINKS = ["amazon.*?tag"]

# Per CSL type, the fields a reference needs; "A|B" means one of them. "*" applies to every type.
DEFAULT_REQUIRED_REFERENCE_FIELDS: dict[str, list[str]] = {
    "*": ["title"],
    "article-journal": ["author", "container-title", "issued", "DOI|PMID|URL"],
    "webpage": ["URL", "accessed"],
    "book": ["publisher", "issued"],
    "report": ["publisher|author"],
}


# Citation-key prefixes that make a key a cross-reference to a figure, table, equation, section, listing
# or theorem, not a citation: pandoc-crossref / Manubot (`@fig:x`) and Quarto (`@fig-x`).
DEFAULT_CROSSREF_PREFIXES = [
    *(f"{kind}:" for kind in ("fig", "tbl", "eq", "sec", "lst")),
    *(
        f"{kind}-"
        for kind in ("fig", "tbl", "sec", "eq", "thm", "lem", "cor", "prp", "cnj", "def", "exm", "exr", "lst")
    ),
]
_IDENTIFIER_PREFIX = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")  # identifiers.org namespaces: geo, 4dn, ncbigene
_CROSSREF_PREFIX = re.compile(r"^\w[\w.]*[:-]$")


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

    # Editorial standards (issue 13): currency, authorship and transparency, advertising.
    review_interval: int = Field(
        DEFAULT_REVIEW_INTERVAL,
        ge=0,
        alias="review-interval",
        description=(
            "Months after `last_reviewed` when an article's review is overdue (review-overdue); 0 turns it off. "
            "Default 36: NHS and HSE health content is reviewed every 3 years."
        ),
    )
    require_reviewer_credentials: bool = Field(
        False,
        alias="require-reviewer-credentials",
        description="Require a reviewer in `reviewed_by` with `credentials` (a medical reviewer).",
    )
    require_disclaimer: bool = Field(
        False, alias="require-disclaimer", description="Require a `disclaimer` on every article."
    )
    require_contact: bool = Field(
        False, alias="require-contact", description="Require a `contact` (or feedback route) on every article."
    )
    require_conflicts: bool = Field(
        False,
        alias="require-conflicts",
        description="Require every author and reviewer to declare `conflicts` (write 'none' when there are none).",
    )
    affiliate_links: list[str] = Field(
        default_factory=lambda: list(DEFAULT_AFFILIATE_LINKS),
        alias="affiliate-links",
        description=(
            "Affiliate link patterns: 'host?parameter' (a link to the host, or a subdomain of it, carrying the "
            "parameter) or 'host' (every link to it). '*' as the last label matches any: 'amazon.*?tag'."
        ),
    )
    product_names: list[str] = Field(
        default_factory=list,
        alias="product-names",
        description="Product names whose mention in an article needs a `disclosure` (as commercial-terms do).",
    )
    sponsored_label: str = Field(
        "Sponsored",
        alias="sponsored-label",
        description="The words a `sponsored: true` article must show in its title, summary, disclosure or opening.",
    )

    article_extra_keys: list[str] = Field(
        default_factory=list,
        alias="article-extra-keys",
        description=(
            "Article front-matter keys to accept unchecked, besides the renderer keys hipcheck knows "
            "(Pandoc, Quarto, R Markdown, Manubot, JOSS), e.g. a site generator's own keys."
        ),
    )
    default_lang: str = Field(
        default="en",
        alias="default-lang",
        description=(
            "The language of an article whose front matter has no `lang`; the muscle-name prose rules "
            "run only on English articles."
        ),
    )
    crossref_prefixes: list[str] = Field(
        default_factory=lambda: list(DEFAULT_CROSSREF_PREFIXES),
        alias="crossref-prefixes",
        description="Citation-key prefixes that mark a cross-reference (`@fig:x`, `@fig-x`), not a citation.",
    )
    identifier_prefixes: list[str] = Field(
        default_factory=list,
        alias="identifier-prefixes",
        description=(
            "Further prefixes of citation by identifier, besides Manubot's own (doi, pmid, arxiv, ...): "
            "identifiers.org namespaces such as `bioproject` or `geo`, which Manubot resolves when it builds. "
            "`@prefix:accession` then resolves to a reference record with that id, else unresolved-identifier-"
            "citation reports it (not unknown-citation)."
        ),
    )

    prescription_profile: Literal["basic", "cert"] = Field(
        "basic",
        alias="prescription-profile",
        description=(
            'How much of an exercise prescription is required: "basic" (a consumer site: a dose, intensity for '
            'loaded exercises, consistent links) or "cert" (also every CERT item an exercise record can answer: '
            "frequency, intensity, rest, programme length, progression, supervision, setting, equipment details)."
        ),
    )

    suppression_requires_reason: bool = Field(
        False,
        alias="suppression-requires-reason",
        description="Require ' -- reason' after every inline suppression.",
    )

    muscles: MuscleOptions = Field(
        default_factory=lambda: MuscleOptions.model_validate({}), description="Muscle vocabulary options."
    )
    prose: ProseOptions = Field(
        default_factory=lambda: ProseOptions.model_validate({}),
        description="Readability, claims and acronym options (the prose rules).",
    )
    online: OnlineSettings = Field(
        default_factory=OnlineSettings, description="Online verification of DOIs and PMIDs (hipcheck check --online)."
    )
    links: LinkSettings = Field(default_factory=LinkSettings, description="Links and media (heading ids, credits).")

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
        if pyproject.is_file() and _mentions_hipcheck(pyproject):
            return pyproject
    return None


def _mentions_hipcheck(pyproject: Path) -> bool:
    """Whether a pyproject.toml has a [tool.hipcheck] table (a quick look; reading it judges the rest).
    One that cannot be read counts: reading it then reports why, rather than its settings going unseen."""
    try:
        with pyproject.open("rb") as stream:
            head = stream.read(MAX_CONFIG_BYTES).decode("utf-8", errors="replace")
    except OSError:
        return True
    return _HIPCHECK_HEADER.search(head) is not None


def load_config(start: Path) -> Config:
    path = find_config_file(start.resolve())
    if path is None:
        return Config()
    return read_config(path)


# Tables whose entries merge with an extended configuration's entries instead of replacing them.
_MERGED_TABLES = ("severity", "per-file-ignores", "reference-required-fields", "online", "muscles")


@dataclass(frozen=True)
class _Source:
    """One configuration file of an `extend` chain, kept to point errors at their line."""

    path: Path
    text: str

    @property
    def pyproject(self) -> bool:
        return self.path.name == "pyproject.toml"

    @cached_property
    def lines(self) -> dict[tuple[str, ...], int]:
        return _key_lines(self.text)

    def where(self, loc: tuple[str | int, ...]) -> str:
        """`file:line: key:` for an error at `loc` (a key path, list positions included)."""
        keys = tuple(str(part) for part in loc if isinstance(part, str))
        line = _line_of(self.lines, keys, self.pyproject)
        dotted = ".".join(str(part) for part in loc)
        prefix = "tool.hipcheck." if self.pyproject else ""
        return f"{self.path}{f':{line}' if line else ''}: {prefix}{dotted}"


def read_config(path: Path) -> Config:
    table, owners = _read_chain(path.resolve())

    def fail(loc: tuple[str | int, ...], message: str) -> NoReturn:
        # The file that set the innermost enclosing key (tables merge across an `extend` chain).
        keys = tuple(str(p) for p in loc if isinstance(p, str))
        owner = next((owners[keys[:n]] for n in range(len(keys), 0, -1) if keys[:n] in owners), owners[()])
        raise ConfigError(f"{owner.where(loc)}: {' '.join(message.split())}")

    _check_numbers(table, (), fail)
    try:
        config = Config.model_validate(table, strict=True)  # strict: "yes" is not a bool, "10" not a number
    except ValidationError as error:
        first = error.errors()[0]
        loc = tuple(first["loc"])
        fail(loc, f"unknown key{_closest_key(loc)}" if first["type"] == "extra_forbidden" else first["msg"])
    _check_values(config, fail)
    config._source = path
    config._origins = {
        keys[0]: f"{source.path}:{_line_of(source.lines, keys, source.pyproject) or 1}"
        for keys, source in owners.items()
        if len(keys) == 1
    }
    return config


def _closest_key(loc: tuple[str | int, ...]) -> str:
    """' (did you mean X?)' for an unknown key close to a key of its table."""
    model: type[BaseModel] = Config
    for part in loc[:-1]:
        field = next((f for name, f in model.model_fields.items() if (f.alias or name) == part), None)
        if field is None or not (isinstance(field.annotation, type) and issubclass(field.annotation, BaseModel)):
            return ""
        model = field.annotation
    keys = [field.alias or name for name, field in model.model_fields.items()]
    close = difflib.get_close_matches(str(loc[-1]), keys, n=1)
    return f" (did you mean {close[0]}?)" if close else ""


Fail = Callable[[tuple[str | int, ...], str], NoReturn]


def _check_numbers(value: object, loc: tuple[str | int, ...], fail: Fail) -> None:
    """TOML allows inf and nan; no option means them (an infinite deadline, a NaN threshold)."""
    if isinstance(value, float) and not math.isfinite(value):
        fail(loc, "must be a finite number")
    items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    for key, item in items:
        _check_numbers(item, (*loc, key), fail)


def _check_values(config: Config, fail: Fail) -> None:
    """What the types cannot say: selectors that name rules, no blank entries, paths that stay put."""
    from hipcheck.rules.registry import selector_problem, severity_key_problem  # the rules load on demand

    for key, selectors in (("select", config.select), ("ignore", config.ignore)):
        for selector in selectors:
            if problem := selector_problem(selector, allow_all=True):
                fail((key,), problem)
    for name in config.severity:
        if problem := severity_key_problem(name):
            fail(("severity", name), problem)
    for pattern, selectors in config.per_file_ignores.items():
        if not pattern.strip():
            fail(("per-file-ignores",), "a pattern must not be empty")
        _check_relative(pattern, ("per-file-ignores", pattern), "the configuration's folder", fail)
        if not selectors:
            fail(("per-file-ignores", pattern), "names no rules, so it skips nothing: give codes, names or prefixes")
        for selector in selectors:
            if problem := selector_problem(selector):
                fail(("per-file-ignores", pattern), problem)
    for kind in config.reference_required_fields:
        if kind != "*" and kind not in CSL_TYPES:
            close = difflib.get_close_matches(kind, CSL_TYPES, n=1)
            hint = f" (did you mean {close[0]}?)" if close else ' (a CSL type, or "*" for every type)'
            fail(("reference-required-fields", kind), f"not a CSL type{hint}")
    lists: dict[tuple[str, ...], list[str]] = {
        ("commercial-terms",): config.commercial_terms,
        ("exclude",): config.exclude,
        ("article-extra-keys",): config.article_extra_keys,
        ("crossref-prefixes",): config.crossref_prefixes,
        ("identifier-prefixes",): config.identifier_prefixes,
        ("muscles", "allowed-informal"): config.muscles.allowed_informal,
        ("affiliate-links",): config.affiliate_links,
        ("product-names",): config.product_names,
        **{("reference-required-fields", kind): fields for kind, fields in config.reference_required_fields.items()},
    }
    for loc, entries in lists.items():
        for entry in entries:
            # In reference-required-fields, "A|B" is a choice of fields: each must be named.
            parts = entry.split("|") if loc[0] == "reference-required-fields" else [entry]
            if any(not part.strip() for part in parts):
                fail(loc, "an empty or blank entry matches everything or nothing; remove it")
    for key in config.article_extra_keys:
        if key in _article_fields():
            fail(("article-extra-keys",), f"'{key}' is a field hipcheck checks; it cannot be accepted unchecked")
    for pattern in config.affiliate_links:
        if pattern.strip() and not _AFFILIATE_LINK.fullmatch(pattern):
            fail(("affiliate-links",), f"'{pattern}' is not 'host' or 'host?parameter' (amazon.*?tag)")
    if not config.sponsored_label.strip():
        fail(("sponsored-label",), "must not be empty")
    if not _LANGUAGE_TAG.fullmatch(config.default_lang):
        fail(("default-lang",), f"'{config.default_lang}' is not a language tag such as en, en-GB or de")
    for pattern in config.exclude:
        _check_relative(pattern, ("exclude",), "the content root", fail)
    for prefix in config.crossref_prefixes:
        if prefix.strip() and not _CROSSREF_PREFIX.match(prefix):
            fail(("crossref-prefixes",), f"'{prefix}' is not a label prefix: a word ending in ':' or '-' (fig:, fig-)")
    for prefix in config.identifier_prefixes:
        if prefix.strip() and not _IDENTIFIER_PREFIX.fullmatch(prefix):
            fail(("identifier-prefixes",), f"'{prefix}' is not an identifier prefix: letters and digits, no ':' (geo)")
    if config.content_root is not None:
        _check_relative(config.content_root, ("content-root",), "the configuration's folder", fail)
    online = config.online
    _check_relative(online.cache, ("online", "cache"), "the content root", fail)
    if online.mailto is not None and not online.mailto.strip():
        fail(("online", "mailto"), "must not be empty")
    # The variable's value is sent to ncbi-api: a pull request must not be able to send GITHUB_TOKEN there.
    if not _NCBI_KEY_VARIABLE.match(online.ncbi_api_key_env):
        fail(("online", "ncbi-api-key-env"), "must be an environment variable name containing NCBI, e.g. NCBI_API_KEY")
    for field in ("doi-api", "crossref-api", "ncbi-api"):
        if not _web_address(getattr(online, field.replace("-", "_"))):
            fail(("online", field), "must be an https:// address (http:// only to this machine, for tests)")


# A host name (its last label may be `*`), optionally `?` and a query parameter name.
_AFFILIATE_LINK = re.compile(r"[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*(?:\.\*)?(?:\?[A-Za-z0-9_.-]+)?")
# BCP 47 as Pandoc's `lang` takes it: a 2-3 letter language, then subtags (en, en-GB, pt-BR, zh-Hant-TW).
_LANGUAGE_TAG = re.compile(r"[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8})*")


def _article_fields() -> frozenset[str]:
    from hipcheck.models import ARTICLE_FIELDS  # the models load on demand

    return ARTICLE_FIELDS


_NCBI_KEY_VARIABLE = re.compile(r"^[A-Z0-9_]*NCBI[A-Z0-9_]*$")
_LOOPBACK = re.compile(r"^(?:localhost|127(?:\.\d{1,3}){3}|::1)$")


def _web_address(text: str) -> bool:
    """An https:// address, or http:// to this machine (test servers): never plain http to another host,
    such as a cloud metadata service a pull request could point the online checks at."""
    try:
        address = urlsplit(text)
        host, _port = address.hostname or "", address.port  # .port raises on a port that is not a number
    except ValueError:  # a malformed address, such as an IPv6 bracket left open
        return False
    return bool(host) and (address.scheme == "https" or (address.scheme == "http" and bool(_LOOPBACK.match(host))))


def _check_relative(value: str, loc: tuple[str | int, ...], inside: str, fail: Fail) -> None:
    """A path (or glob) option must be relative, with forward slashes, and stay inside `inside`: it
    comes from a file anyone can change in a pull request, and hipcheck may write there."""
    if not value.strip():
        fail(loc, "must not be empty (use '.' for the folder itself)")
    windows = PureWindowsPath(value)
    if value.startswith("/") or "\\" in value or windows.drive or windows.is_absolute():
        fail(loc, f"must be a relative path with forward slashes, not {value!r}")
    normal = posixpath.normpath(value)
    if normal == ".." or normal.startswith("../"):
        fail(loc, f"must stay inside {inside}: {value!r} leads out of it")


def check_selection_options(select: list[str] | None, ignore: list[str] | None) -> None:
    """`--select`/`--ignore` name rules as the configuration does; naming none is an error, not a run
    that silently checks nothing (or everything)."""
    from hipcheck.rules.registry import selector_problem

    for option, selectors in (("--select", select), ("--ignore", ignore)):
        if selectors is not None and not selectors:
            raise UsageError(f"{option}: no rule selectors given")
        for selector in selectors or ():
            if problem := selector_problem(selector, allow_all=True):
                raise UsageError(f"{option}: {problem}")


def verification_cache(config: Config, root: Path) -> Path:
    """Where the verification cache of `root` is, refusing a location that symbolic links lead out of
    the content root (hipcheck writes it with --online)."""
    path = root / config.online.cache
    resolved, inside = path.resolve(), root.resolve()
    if resolved != inside and inside not in resolved.parents:
        where = f"{config.origins['online']}: " if "online" in config.origins else ""
        raise ConfigError(f"{where}online.cache: {path} resolves outside the content root, to {resolved}")
    return path


def _read_chain(path: Path) -> tuple[dict[str, Any], dict[tuple[str, ...], _Source]]:
    """The table of `path` merged over the tables it extends, and which file set each key (top-level
    keys, and the entries of merged tables; `()` is `path`'s own file). Iterative, and bounded."""
    layers: list[tuple[_Source, dict[str, Any]]] = []
    used = 0  # bytes read so far, against MAX_CONFIG_BYTES
    current = path
    while True:
        chain = [source.path for source, _ in layers]
        if current in chain:
            raise ConfigError(f"{current}: 'extend' goes in a circle: {' -> '.join(map(str, (*chain, current)))}")
        if len(chain) > MAX_EXTEND_DEPTH:
            shown = [*map(str, chain[:3]), "...", str(current)]
            raise ConfigError(f"{path}: 'extend' chain deeper than {MAX_EXTEND_DEPTH} levels: {' -> '.join(shown)}")
        table, text = _read_table(current, MAX_CONFIG_BYTES - used)
        used += len(text.encode())
        source = _Source(current, text)
        layers.append((source, table))
        base = table.pop("extend", None)
        if base is None:
            break
        current = _extend_target(source, base)
    merged: dict[str, Any] = {}
    owners: dict[tuple[str, ...], _Source] = {(): layers[0][0]}
    for source, table in reversed(layers):
        for key, value in table.items():
            if key in _MERGED_TABLES and isinstance(value, dict) and isinstance(merged.get(key), dict):
                merged[key] = {**merged[key], **value}
            else:
                merged[key] = value
                owners = {k: v for k, v in owners.items() if k[:1] != (key,)}
            owners[(key,)] = source
            if key in _MERGED_TABLES and isinstance(value, dict):
                owners.update({(key, str(entry)): source for entry in value})
    return merged, owners


def _extend_target(source: _Source, base: object) -> Path:
    if not isinstance(base, str) or not base.strip():
        raise ConfigError(f"{source.where(('extend',))}: must be a path")
    windows = PureWindowsPath(base)
    if base.startswith("/") or windows.drive or windows.is_absolute():
        raise ConfigError(f"{source.where(('extend',))}: must be a relative path, not {base!r}")
    # `..` is allowed: a shared base configuration in a parent folder is what `extend` is for (it is only read).
    target = (source.path.parent / base).resolve()
    if not target.is_file():
        raise ConfigError(f"{source.where(('extend',))}: no file {target}")
    return target


def _read_table(path: Path, budget: int = MAX_CONFIG_BYTES) -> tuple[dict[str, Any], str]:
    """The hipcheck table of one file of at most `budget` bytes, and its text; every way it can be
    unreadable is a ConfigError."""
    try:
        with path.open("rb") as stream:
            data = stream.read(budget + 1)
    except OSError as error:
        raise ConfigError(f"{path}: cannot read: {error.strerror or error}") from None
    if len(data) > budget:
        left = f" ({budget} bytes were left)" if budget < MAX_CONFIG_BYTES else ""
        raise ConfigError(
            f"{path}: larger than the {MAX_CONFIG_BYTES}-byte limit for a configuration and the files it extends{left}"
        )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise ConfigError(f"{path}: not UTF-8 text (byte {error.start})") from None
    try:
        document: dict[str, Any] = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path}: invalid TOML: {' '.join(str(error).split())}") from None
    except RecursionError:  # tomllib recurses once per nested array or inline table
        raise ConfigError(f"{path}: invalid TOML: nested too deeply") from None
    except MemoryError:
        raise ConfigError(f"{path}: invalid TOML: too large to parse") from None
    if path.name != "pyproject.toml":
        return document, text
    tool = document.get("tool", {})
    table = tool.get("hipcheck", {}) if isinstance(tool, dict) else None
    if not isinstance(table, dict):
        key = ("tool", "hipcheck") if isinstance(tool, dict) else ("tool",)
        raise ConfigError(f"{path}:{_line_of(_key_lines(text), key, False) or 1}: {'.'.join(key)}: must be a table")
    return table, text


_KEY_PART = r"""\s*(?:"(?:[^"\\]|\\.)*"|'[^']*'|[A-Za-z0-9_-]+)\s*"""
_DOTTED_KEY = rf"{_KEY_PART}(?:\.{_KEY_PART})*"
_HEADER = re.compile(rf"^\s*\[\[?({_DOTTED_KEY})\]\]?\s*(?:#.*)?$")
_ASSIGNMENT = re.compile(rf"^({_DOTTED_KEY})=")
# A [tool.hipcheck] or [tool.hipcheck.x] header, or a top-level dotted key `tool.hipcheck.x = ...`.
_HIPCHECK_HEADER = re.compile(
    r"""^\s*(?:\[\s*tool\s*\.\s*["']?hipcheck["']?\s*[\].]|tool\s*\.\s*["']?hipcheck["']?\s*\.)""", re.M
)


def _split_key(dotted: str) -> tuple[str, ...]:
    parts = re.findall(r"""\s*("(?:[^"\\]|\\.)*"|'[^']*'|[A-Za-z0-9_-]+)\s*(?:\.|$)""", dotted)
    return tuple(part[1:-1] if part[:1] in "\"'" else part for part in parts)


def _key_lines(text: str) -> dict[tuple[str, ...], int]:
    """The first line that sets each key path: a table by its header, a key by its assignment. A line
    scan, not a parser (lines inside multi-line strings could mislead it, which only costs a line number)."""
    lines: dict[tuple[str, ...], int] = {}
    table: tuple[str, ...] = ()
    for number, line in enumerate(text.splitlines(), start=1):
        if header := _HEADER.match(line):
            table = _split_key(header.group(1))
            lines.setdefault(table, number)
        elif assignment := _ASSIGNMENT.match(line):
            lines.setdefault((*table, *_split_key(assignment.group(1))), number)
    return lines


def _line_of(lines: dict[tuple[str, ...], int], keys: tuple[str, ...], pyproject: bool) -> int | None:
    """The line of `keys` (inside [tool.hipcheck] in a pyproject.toml), or of the nearest enclosing table."""
    wanted = ("tool", "hipcheck", *keys) if pyproject else keys
    return next((lines[wanted[:n]] for n in range(len(wanted), 0, -1) if wanted[:n] in lines), None)
