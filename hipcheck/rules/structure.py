"""Structure: schema violations, unknown fields, YAML 1.1 traps, ids and file names, duplicate ids.

Records are validated with the pydantic models in strict mode; the models are what `schemas/`
publishes, so this verdict equals jsonschema's. Each error is mapped back to the YAML node it
concerns, and an error caused by YAML 1.1 reading a string as something else is explained as that.
"""

from __future__ import annotations

import json
import re
from collections.abc import Generator, Iterator
from typing import Any

from pydantic import ValidationError
from pydantic_core import ErrorDetails
from yaml.nodes import MappingNode, ScalarNode

from hipcheck.context import Context
from hipcheck.csl import CSL_DATE_FIELDS
from hipcheck.diagnostics import Edit, Finding, Fix, Severity
from hipcheck.index import ContentIndex
from hipcheck.kinds import REFERENCE_ID_PATTERN, SLUG_PATTERN
from hipcheck.loader.records import Record
from hipcheck.loader.yaml_tree import Path
from hipcheck.refkeys import key_to_stem
from hipcheck.rules.registry import index_check, record_check, rule
from hipcheck.schemas import describe_expected, expected_at, expected_types
from hipcheck.suggest import closest

SCHEMA = rule(
    "HC101",
    "schema-violation",
    Severity.ERROR,
    """
    A field has the wrong type or a value the schema does not allow.

    ## What it does
    Validates every record against its kind's schema (the files in `schemas/`, generated from
    hipcheck's models) and reports each violation at the offending value: wrong types, values
    outside an allowed list, ids that are not kebab-case, numbers out of range, impossible dates,
    and missing required fields.

    ## Why it matters
    The site, the editor plugins and every other tool read these records with the same schema.
    A value of the wrong shape breaks the page, or is silently dropped.

    ## Example
    ```yaml
    level: expert
    dosage:
      sets: 0
    ```

    ## Fix
    Use a value the message lists (`level: advanced`) or one in range (`sets: 1` or more).
    """,
)

UNKNOWN_FIELD = rule(
    "HC102",
    "unknown-field",
    Severity.ERROR,
    """
    A record has a field its schema does not define.

    ## What it does
    Reports keys that are not part of the record kind's schema, with the closest known field
    name when one is near (`primay` → `primary`, `doi` → `DOI`). An article's front matter may
    also hold the keys document renderers read (Pandoc, Quarto, R Markdown, Manubot, JOSS:
    `bibliography`, `csl`, `lang`, `output`, `format`, `author`, ...; the full list is in
    `schemas/article.schema.json`) and the keys listed in the `article-extra-keys` option.

    ## Why it matters
    A misspelt field is silently ignored by the site: the safety notes or the reviewer the author
    wrote never appear.

    ## Example
    ```yaml
    muscles:
      primay: [gluteus-medius]
    ```

    ## Fix
    Rename the key to the field meant (`primary`), or remove it.
    """,
    fixable=True,
)

IMPLICIT_TYPE = rule(
    "HC003",
    "yaml-implicit-type",
    Severity.ERROR,
    """
    YAML 1.1 read text as a boolean, number, null or mapping where text is expected.

    ## What it does
    Reports a value where the schema expects text but YAML's implicit typing produced something
    else: `no`, `yes`, `on` and `off` become booleans, `1:30` a base-60 number, `017` an octal
    number, an empty item null, and a list item containing `: ` (`- Step 1: keep hips level`)
    a one-entry mapping. The message says what YAML read and how to quote it.

    ## Why it matters
    The author wrote words; the site would receive `false`, `90` or `{"Step 1": "keep hips
    level"}`.

    ## Example
    ```yaml
    steps:
      - Step 1: keep hips level
      - no
    ```

    ## Fix
    Quote the value: `- "Step 1: keep hips level"`, `- "no"`. The fix quotes it for you.
    """,
    fixable=True,
)

AMBIGUOUS_SCALAR = rule(
    "HC009",
    "yaml-ambiguous-scalar",
    Severity.WARNING,
    """
    A value means one thing to YAML 1.1 tools and another to YAML 1.2 tools.

    ## What it does
    Reports unquoted values whose type depends on the YAML version reading them: `yes`/`no`/
    `on`/`off` used as booleans, base-60 numbers such as `1:30`, octal-looking `017`, and dates
    written unquoted in fields that hold plain text.

    ## Why it matters
    hipcheck, PyYAML and many pipelines read YAML 1.1; editors (yaml-language-server) and newer
    libraries read YAML 1.2. The same file then holds `true` for one and the word `yes` for the
    other, so the record changes meaning between tools.

    ## Example
    ```yaml
    dosage:
      per_side: yes
      hold_seconds: 0:30
    ```

    ## Fix
    Write the unambiguous form: `per_side: true`, `hold_seconds: 30`, or quote text.
    """,
    fixable=True,
)

ID_MISMATCH = rule(
    "HC103",
    "id-mismatch",
    Severity.ERROR,
    """
    A record's id (an article's slug) differs from its file name.

    ## What it does
    Compares `id` (for articles, `slug` when present) with the file name without its extension.
    A reference's file name may encode its id (`doi%3A10.1101%2F502484.yaml` for `doi:10.1101/502484`),
    as `hipcheck refs import` writes keys that cannot be file names on every system.

    ## Why it matters
    Other records find a record by its id, and people find it by its file name; when the two
    differ, one of them points at nothing.

    ## Example
    ```yaml
    # exercises/hip-bridges.yaml
    id: glute-bridges
    ```

    ## Fix
    Rename the file to the id, or set the id to the file name (and update what refers to it).
    """,
    fixable=True,
)

DUPLICATE_ID = rule(
    "HC104",
    "duplicate-id",
    Severity.ERROR,
    """
    Two records of the same kind share an id.

    ## What it does
    Reports every record whose id another record of the same kind also uses, naming the other
    file and line.

    ## Why it matters
    A reference to that id is ambiguous: which exercise, muscle or source is meant depends on
    file order.

    ## Example
    `exercises/hips/bridges.yaml` and `exercises/bridges.yaml` both say `id: bridges`.

    ## Fix
    Give one of the records a new id (and file name), or merge the two.
    """,
)

_PATTERN_HINTS = {
    SLUG_PATTERN: "an id is lowercase words joined by hyphens, e.g. 'banded-walks'",
    REFERENCE_ID_PATTERN: "a reference id is letters, digits and . _ : -, e.g. 'ikezoe2021'",
    r"^UBERON:\d{7}$": "an Uberon id looks like 'UBERON:0001370'",
    r"^FMA:\d+$": "an FMA id looks like 'FMA:22314'",
    r"^A\d{2}\.\d\.\d{2}\.\d{3}$": "a TA98 id looks like 'A04.7.02.006'",
    r"^\d{4}-\d{2}-\d{2}$": "a date is written YYYY-MM-DD",
    r"^[a-z]+(?:-[a-z]+)+$": "a joint action is kebab-case, e.g. 'hip-abduction'",
}
_TYPE_ERRORS = re.compile(r"_type$|^is_instance_of$|^model_attributes_type$|^union_tag")


@record_check(SCHEMA, UNKNOWN_FIELD, IMPLICIT_TYPE, AMBIGUOUS_SCALAR)
def check_schema(record: Record, ctx: Context) -> Iterator[Finding]:
    if not record.loaded:
        return
    errors = _validate(record)
    by_path: dict[Path, list[ErrorDetails]] = {}
    for error in errors:
        by_path.setdefault(_data_path(record.data, error), []).append(error)
    _drop_branch_type_errors(by_path)
    # A .bib entry was read by the BibTeX converter, not YAML: no YAML 1.1 traps to explain.
    explained: set[Path] = set() if record.is_bibtex else (yield from _yaml_traps(record, by_path))
    for path, group in by_path.items():
        if path in explained or _csl_date_text(record, path):
            continue
        if any(e["type"] == "extra_forbidden" for e in group) and not _extra_article_key(record, path, ctx):
            yield _unknown_field(record, path)
        rest = [e for e in group if e["type"] != "extra_forbidden"]
        if rest:
            yield Finding(_message(record, path, rest), _error_span(record, path, rest), code=SCHEMA.code)


def _extra_article_key(record: Record, path: Path, ctx: Context) -> bool:
    """A front-matter key the configuration accepts unchecked (`article-extra-keys`)."""
    return record.kind == "article" and len(path) == 1 and path[0] in ctx.config.article_extra_keys


def _drop_branch_type_errors(by_path: dict[Path, list[ErrorDetails]]) -> None:
    """In a union (`reps`: a count or {min, max}), keep the errors of the branch the value took.

    `reps: 0` fails the count branch's minimum and the mapping branch's type: only the first says
    something true. `reps: {min: 0}` fails inside the mapping and the count branch's type: likewise.
    """
    # Paths with errors further down, found once: comparing every pair was quadratic in the errors
    # (a list of thousands of wrong items).
    above = {other[:depth] for other in by_path for depth in range(len(other))}
    for path, errors in list(by_path.items()):
        constraint = [e for e in errors if not _TYPE_ERRORS.search(e["type"])]
        deeper = path in above
        if constraint and len(constraint) < len(errors):
            by_path[path] = constraint
        elif not constraint and deeper:
            del by_path[path]


def _csl_date_text(record: Record, path: Path) -> bool:
    """A reference date written as text or a year: csl-date-string (HC510) reports it, with a fix."""
    if record.kind != "reference" or len(path) != 1 or path[0] not in CSL_DATE_FIELDS:
        return False
    value = record.data.get(path[0])
    return isinstance(value, str | int) and not isinstance(value, bool)


def _validate(record: Record) -> list[ErrorDetails]:
    from hipcheck.models import MODELS  # built on first use: runs served from the cache never need them

    try:
        MODELS[record.kind].__pydantic_validator__.validate_python(record.data, strict=True)
    except ValidationError as error:
        return error.errors(include_url=False)
    return []


def _data_path(data: Any, error: ErrorDetails) -> Path:
    """Drop pydantic's union-branch labels ('constrained-int', 'RepRange') from an error's loc."""
    path: list[str | int] = []
    current = data
    loc = error["loc"]
    for i, part in enumerate(loc):
        found, child = _child(current, part)
        if found:
            current = child
        elif not (i == len(loc) - 1 and error["type"] == "missing"):
            continue
        path.append(part)
    return tuple(path)


def _child(data: Any, part: str | int) -> tuple[bool, Any]:
    """(True, the value at `part` of `data`), or (False, None) when `data` has no such key or item."""
    if isinstance(data, dict) and part in data:
        return True, data[part]
    if isinstance(data, list) and isinstance(part, int) and 0 <= part < len(data):
        return True, data[part]
    return False, None


def _value_at(data: Any, path: Path) -> Any:
    for part in path:
        data = data[part]
    return data


def _path_name(path: Path) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "record"


def _describe(value: Any) -> str:
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return f"the number {value}"
    if isinstance(value, str):
        return f"text '{value[:40]}…'" if len(value) > 40 else f"text '{value}'"
    if isinstance(value, list):
        return "a list"
    return "a mapping"


def _message(record: Record, path: Path, errors: list[ErrorDetails]) -> str:
    name = _path_name(path)
    if len(errors) > 1 or _TYPE_ERRORS.search(errors[0]["type"]):
        found = _describe(_value_at(record.data, path))
        return f"{name} should be {describe_expected(record.kind, path)}, found {found}"
    error = errors[0]
    kind, ctx = error["type"], error.get("ctx") or {}
    if kind == "missing":
        return f"missing required field '{path[-1]}'"
    if kind == "literal_error":
        value = _value_at(record.data, path)
        options = [v for s in expected_at(record.kind, path) for v in s.get("enum", [])]
        hint = closest(str(value), [str(o) for o in options])
        suggestion = f"; did you mean '{hint}'?" if hint else ""
        return f"{name}: '{value}' is not allowed; use one of: {', '.join(map(str, options))}{suggestion}"
    if kind == "string_pattern_mismatch":
        hint = _PATTERN_HINTS.get(str(ctx.get("pattern")), f"it must match {ctx.get('pattern')}")
        return f"{name}: '{_value_at(record.data, path)}' is not valid: {hint}"
    if kind == "value_error" and "date" in describe_expected(record.kind, path):
        return f"{name}: '{_value_at(record.data, path)}' is not a real calendar date"
    return f"{name}: {error['msg'].replace('Input should', 'should')}"


def _error_span(record: Record, path: Path, errors: list[ErrorDetails]) -> Any:
    if any(e["type"] == "missing" for e in errors):
        return record.anchor(path)
    return record.span(path)


def _unknown_field(record: Record, path: Path) -> Finding:
    key = str(path[-1])
    known = [k for s in expected_at(record.kind, path[:-1]) for k in s.get("properties", {})]
    where = f"in {_path_name(path[:-1])}" if len(path) > 1 else f"for {record.kind} records"
    hint = closest(key, known, case_sensitive=False)
    fix = None
    message = f"unknown field '{key}' {where}"
    siblings = _value_at(record.data, path[:-1])
    if hint:
        message += f"; did you mean '{hint}'?"
    if hint and hint not in siblings:  # renaming onto an existing key would silently replace its value
        span = record.key_span(path)
        new = record.scalar_text(path, hint, key=True)
        fix = Fix(f"rename '{key}' to '{hint}'", (Edit(span.offset, span.end_offset, new),), safe=False)
    return Finding(message, record.key_span(path), fix=fix, code=UNKNOWN_FIELD.code)


_BOOLEAN_WORDS = {"true", "false"}


def _yaml_traps(record: Record, by_path: dict[Path, list[ErrorDetails]]) -> Generator[Finding, None, set[Path]]:
    """Explain schema errors that YAML 1.1 implicit typing caused; returns the paths explained."""
    explained: set[Path] = set()
    assert record.doc is not None
    depth = len(record.prefix)
    for item in record.doc.implicit:
        if item.path[:depth] != record.prefix:
            continue  # another item of the same collection file
        path = item.path[depth:]
        if (
            item.resolved != "timestamp"
            and path not in by_path
            and not _version_dependent(item.resolved, item.node.value)
        ):
            continue  # the schema accepts it and YAML 1.1 and 1.2 read it alike: nothing to say (most values)
        expected = expected_types(record.kind, path)
        if not expected:
            continue
        text = item.node.value
        if item.resolved == "timestamp":
            if "string" in expected and "date" not in expected:
                span = record.doc.span(item.node)
                message = f"unquoted '{text}' is a date to YAML 1.1 tools but text to YAML 1.2 tools; quote it"
                yield Finding(message, span, fix=_quote(text, span), code=AMBIGUOUS_SCALAR.code)
            continue
        if path in by_path and ({"string", "date"} & expected):
            explained.add(path)
            span = record.doc.span(item.node)
            message = f"{_path_name(path)}: YAML 1.1 reads '{text}' as {_describe(item.value)}, not text; quote it"
            yield Finding(message, span, fix=_quote(text, span), code=IMPLICIT_TYPE.code)
        elif path not in by_path and _version_dependent(item.resolved, text):
            yield from _non_portable(item.resolved, item.value, text, record.doc.span(item.node))
    for path in by_path:
        found = record.nodes(path)
        node = found[1] if found else None
        if path not in explained and _colon_trap(node, expected_types(record.kind, path)):
            assert isinstance(node, MappingNode)
            explained.add(path)
            span = record.doc.span(node)
            raw = record.text[span.offset : span.end_offset]
            key = node.value[0][0].value
            message = f"{_path_name(path)}: the ': ' after '{key}' made this a mapping, not text; quote the whole item"
            fix = Fix("quote the item", (Edit(span.offset, span.end_offset, _quoted(raw)),))
            yield Finding(message, span, fix=fix, code=IMPLICIT_TYPE.code)
    return explained


_OCTAL_LOOKING = re.compile(r"^[-+]?0[0-7_]+$")


def _version_dependent(resolved: str, text: str) -> bool:
    """Cheap test, run on every implicit scalar: does YAML 1.2 read this text differently?"""
    if resolved == "bool":
        return text.lower() not in _BOOLEAN_WORDS
    return resolved in ("int", "float") and (":" in text or _OCTAL_LOOKING.match(text) is not None)


def _quote(text: str, span: Any) -> Fix:
    return Fix(f"quote {text!r}", (Edit(span.offset, span.end_offset, _quoted(text)),))


def _non_portable(resolved: str, value: Any, text: str, span: Any) -> Iterator[Finding]:
    if resolved == "bool" and text.lower() not in _BOOLEAN_WORDS:
        word = "true" if value else "false"
        message = f"'{text}' is {word} in YAML 1.1 but the text '{text}' in YAML 1.2; write {word}"
        yield Finding(
            message,
            span,
            fix=Fix(f"write {word}", (Edit(span.offset, span.end_offset, word),)),
            code=AMBIGUOUS_SCALAR.code,
        )
    elif resolved in ("int", "float") and (":" in text or _OCTAL_LOOKING.match(text)):
        how, other = ("base-60", f"the text '{text}'") if ":" in text else ("octal", f"{int(text, 10)}")
        message = f"YAML 1.1 reads '{text}' as the {how} number {value}, YAML 1.2 as {other}; write {value}"
        fix = Fix(f"write {value}", (Edit(span.offset, span.end_offset, str(value)),))
        yield Finding(message, span, fix=fix, code=AMBIGUOUS_SCALAR.code)


def _colon_trap(node: Any, expected: frozenset[str]) -> bool:
    if not isinstance(node, MappingNode) or "string" not in expected or "object" in expected or len(node.value) != 1:
        return False
    key, value = node.value[0]
    return (
        isinstance(key, ScalarNode)
        and isinstance(value, ScalarNode)
        and not key.style
        and not value.style
        and key.start_mark.line == value.end_mark.line
    )


def _quoted(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


@record_check(ID_MISMATCH)
def check_id_matches_file(record: Record, ctx: Context) -> Iterator[Finding]:
    if record.in_collection:
        return  # items of a collection file are named by their ids, not by the file
    key = "slug" if record.kind == "article" else "id"
    value = record.data.get(key)
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str) or value == record.stem:
        return
    if record.kind == "reference" and key_to_stem(value) == record.stem:
        return  # `doi:10.1/x` in doi%3A10.1%2Fx.yaml: the file name encodes the key (hipcheck.refkeys)
    span = record.span((key,))
    new = record.scalar_text((key,), record.stem)
    fix = Fix(f"set {key} to '{record.stem}'", (Edit(span.offset, span.end_offset, new),), safe=False)
    message = f"{key} '{value}' does not match the file name '{record.stem}'"
    yield Finding(message, span, fix=fix)


@index_check(DUPLICATE_ID)
def check_duplicate_ids(index: ContentIndex, ctx: Context) -> Iterator[Finding]:
    for kind, ids in index.by_kind.items():
        for record_id, records in ids.items():
            if len(records) < 2:
                continue
            for record in records:
                others = ", ".join(f"{o.path}:{o.span((_id_key(o),)).line}" for o in records if o is not record)
                yield Finding(
                    f"duplicate {kind} id '{record_id}': also defined in {others}",
                    record.span((_id_key(record),)),
                    path=record.path,
                    related=(f"{kind}:{record_id}",),
                    cites=tuple(o.path for o in records if o is not record),
                )


def _id_key(record: Record) -> str:
    return "slug" if record.kind == "article" else "id"
