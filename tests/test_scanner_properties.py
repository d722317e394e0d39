"""Properties of the loader and the scanners, over generated and mutated input (Hypothesis).

- Differential: a record rendered to YAML in any style loads to the same data as PyYAML's `safe_load`.
- Robustness: mutations of the repository's own content files never make the loader, the citation
  scanner or the prose scanner raise, and every position they return lies inside the text.

The example counts are modest for the unit suite; HIPCHECK_PROPERTY_EXAMPLES=5000 runs more.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hipcheck.loader.yaml_tree import parse_yaml

from helpers import REPO

sys.path.insert(0, str(REPO))
from fuzz.targets import TARGETS

settings.register_profile(
    "hipcheck-properties",
    max_examples=int(os.environ.get("HIPCHECK_PROPERTY_EXAMPLES", "40")),
    deadline=None,
    database=None,
    # The unit suite draws the same examples every run (CI must not turn red by chance); a long run
    # (HIPCHECK_PROPERTY_EXAMPLES set) draws new ones.
    derandomize="HIPCHECK_PROPERTY_EXAMPLES" not in os.environ,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
PROPERTIES = settings.get_profile("hipcheck-properties")

# --- differential: hipcheck's loader against PyYAML --------------------------------------------------

# Text without line breaks or control characters (YAML would fold or refuse them), letters beyond ASCII.
_TEXT = st.text(
    st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp"), blacklist_characters="\ufeff\x85"), max_size=30
)
_KEYS = _TEXT.filter(lambda key: key.strip() and key != "<<")  # `<<` is YAML's merge key
_SCALARS = (
    _TEXT
    | st.integers(min_value=-(2**63), max_value=2**63)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.booleans()
    | st.none()
)
_VALUES = st.recursive(
    _SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_KEYS, inner, max_size=4),
    max_leaves=20,
)
_RECORDS = st.dictionaries(_KEYS, _VALUES, min_size=1, max_size=6)


@st.composite
def _rendered(draw: st.DrawFn) -> str:
    """A record as YAML: block or flow, plain or quoted, any indent, with comments, LF or CRLF."""
    record = draw(_RECORDS)
    text: str = yaml.safe_dump(
        record,
        default_flow_style=draw(st.sampled_from([False, True, None])),
        default_style=draw(st.sampled_from([None, "'", '"'])),
        indent=draw(st.integers(2, 6)),
        width=10**9,  # one line per entry: a comment between lines cannot land inside a scalar
        allow_unicode=draw(st.booleans()),
        explicit_start=draw(st.booleans()),
        sort_keys=False,
    )
    lines = text.splitlines()
    if draw(st.booleans()):
        lines = [line + "  # note" if draw(st.booleans()) else line for line in lines]
    if draw(st.booleans()):
        lines.insert(draw(st.integers(0, len(lines))), "# a comment line")
    newline = draw(st.sampled_from(["\n", "\r\n"]))
    return newline.join(lines) + newline


@PROPERTIES
@given(_rendered())
def test_records_load_as_pyyaml_loads_them(text: str) -> None:
    doc = parse_yaml(text)
    assert not doc.issues, [issue.message for issue in doc.issues]
    assert doc.value == yaml.safe_load(text)


# --- robustness: mutated content files ---------------------------------------------------------------

SEEDS = sorted(
    path.read_bytes()
    for folder in (REPO / "content", REPO / "examples" / "drafts")
    for path in folder.rglob("*")
    if path.suffix in (".yaml", ".md", ".json") and path.name not in ("README.md", "SOURCES.md")
)
_INSERTS = st.sampled_from(
    [
        b"---\n",
        b"- ",
        b": ",
        b"[",
        b"{",
        b"]",
        b"}",
        b"&a ",
        b"*a",
        b"!!bool ",
        b"!!float ",
        b"!x ",
        b"'",
        b'"',
        b"\t",
        b"\r",
        b"\x00",
        b"\xef\xbb\xbf",
        b"\xff",
        b"\xe2\x80\xa8",
        b"`",
        b"@",
        b"[@",
        b"<!--",
        b"](",
        b"http://",
        b"a@b.c",
        b"  ",
        b"gluteus medius",
        b"hip adductors are made of: ",
    ]
) | st.binary(max_size=8)


@st.composite
def _mutated(draw: st.DrawFn) -> bytes:
    data = bytearray(draw(st.sampled_from(SEEDS)))
    for _ in range(draw(st.integers(1, 6))):
        at = draw(st.integers(0, len(data)))
        edit = draw(st.sampled_from(["insert", "delete", "repeat", "truncate"]))
        if edit == "insert":
            data[at:at] = draw(_INSERTS) * draw(st.sampled_from([1, 1, 2, 40]))
        elif edit == "delete":
            del data[at : at + draw(st.integers(1, 40))]
        elif edit == "repeat":
            data[at:at] = bytes(data[at : at + draw(st.integers(1, 20))]) * draw(st.integers(2, 50))
        else:
            del data[at:]
    return bytes(data)


def _run_all(data: bytes) -> None:
    for target in TARGETS.values():
        target(data)


@PROPERTIES
@given(_mutated())
def test_mutated_content_never_breaks_the_loader_or_the_scanners(data: bytes) -> None:
    _run_all(data)


def test_every_seed_passes_as_it_is() -> None:
    assert len(SEEDS) > 50
    for data in SEEDS:
        _run_all(data)


def test_the_fuzz_corpus_passes() -> None:
    """The seeds `fuzz/run.py` starts from, and the hostile ones written by hand, pass every target."""
    corpus = REPO / "fuzz" / "corpus"
    for target, check in TARGETS.items():
        files: list[Path] = sorted((corpus / target).iterdir())
        assert files
        for path in files:
            check(path.read_bytes())


def test_records_with_special_keys_load_as_pyyaml_loads_them() -> None:
    for text in ("'no': 1\n", '"on": [yes, "no"]\n', "a: !!int '7'\n", 'a: !!bool "yes"\n', "a: !!str 7\n"):
        value: Any = parse_yaml(text).value
        assert value == yaml.safe_load(text), text
