"""Hostile content: every file is input from a stranger's pull request. Nothing in it may crash or hang
hipcheck, every resource has a limit, and every position reported lies inside the file.

Each test here failed before the fix it proves (see the defect named in its docstring).
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
import yaml

from hipcheck import identifiers
from hipcheck.bounds import Lines
from hipcheck.citations import citation_mask, code_mask, find_citations, prose_mask
from hipcheck.diagnostics import Span
from hipcheck.engine import check_paths
from hipcheck.loader import records as records_module
from hipcheck.loader import yaml_tree
from hipcheck.loader.records import read_record, read_records
from hipcheck.loader.yaml_tree import parse_yaml, walk_scalars
from hipcheck.muscle_vocabulary import MAX_TERM_CHARS, Vocabulary, options_from
from hipcheck.rules import citekeys
from hipcheck.rules.prose import article_prose
from hipcheck.textpos import LineIndex

from helpers import REPO, TODAY

MUSCLES = [yaml.safe_load(p.read_text("utf-8")) for p in sorted((REPO / "content" / "muscles").glob("*.yaml"))]
OPTIONS = options_from(SimpleNamespace(muscles=None))


def inside(span: Span, text: str) -> bool:
    """A span lies inside `text`: its offsets are in range, start on a character when there is one,
    and its lines and columns are where its offsets are."""
    if not 0 <= span.offset <= span.end_offset <= len(text):
        return False
    if text and span.offset >= len(text):
        return False
    lines = LineIndex(text)
    return (span.line, span.column) == lines.position(span.offset) and (
        span.end_line,
        span.end_column,
    ) == lines.position(span.end_offset)


def reported_inside(span: Span, text: str) -> bool:
    """A reported span lies inside `text` as the engine places it (hipcheck.bounds: lines end at CRLF,
    CR, LF, NEL, LS or PS, as in YAML), its lines and columns where its offsets are."""
    if not 0 <= span.offset <= span.end_offset <= len(text) or (text and span.offset >= len(text)):
        return False
    lines = Lines(text)
    return (span.line, span.column) == lines.position(span.offset)[:2] and (
        span.end_line,
        span.end_column,
    ) == lines.position(span.end_offset)[:2]


def _run(tmp_path: Path, files: dict[str, str | bytes], select: list[str] | None = None) -> Any:
    root = tmp_path / "content"
    for relative, text in files.items():
        target = root / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    result = check_paths([str(root)], cwd=root, today=TODAY, select=select, cache=False)
    assert not result.internal_errors
    for diagnostic in result.diagnostics:
        raw = (root / diagnostic.path).read_bytes()
        text = raw.decode("utf-8-sig", "replace")
        assert reported_inside(diagnostic.span, text), (diagnostic.code, diagnostic.message, diagnostic.span)
    return result


def _codes(result: Any) -> list[tuple[str, int, int]]:
    return [(d.code, d.span.line, d.span.column) for d in result.diagnostics]


# --- 1. recursion over input-shaped data --------------------------------------------------------------


def test_a_muscle_name_of_thousands_of_characters_is_scanned() -> None:
    """Defect 1: the name trie was built recursively; a long name raised RecursionError. Forms up to
    MAX_TERM_CHARS are found; longer ones are left out of the pattern."""
    longest = "gluteus " + "x" * (MAX_TERM_CHARS - 8)
    too_long = "gluteus " + "z" * 3000
    # Aliases that are prefixes of one another nest the trie's optional groups.
    aliases = [too_long, *("y" * n for n in range(1, 400))]
    vocabulary = Vocabulary.from_data([*MUSCLES, {"id": "long", "name": longest, "aliases": aliases}])
    text = f"The {longest}, the {too_long}, the {'y' * 90} and the gluteus medius."
    found = [m.text for m in vocabulary.scan(text)]
    assert found == [longest, "y" * 90, "gluteus medius"]
    vocabulary.misspellings(text, vocabulary.scan(text))


def test_a_long_muscle_name_in_a_run(tmp_path: Path) -> None:
    """Defect 1, end to end: the run reported an internal error (exit 2) instead of a report."""
    _run(
        tmp_path,
        {
            "muscles/long.yaml": "id: long\nkind: muscle\nname: " + "a" * 800 + "\n",
            "articles/hips.md": "---\ntitle: Hips\n---\n\nThe gluteus medius and " + "a" * 800 + ".\n",
        },
    )


def test_walking_scalars_survives_recursive_aliases() -> None:
    """Defect 1: `walk_scalars` (used for suppressions) recursed forever into `&a [*a]`."""
    doc = parse_yaml("id: x\nsteps: &s\n  - one\n  - *s\n")
    assert [node.value for _, node in walk_scalars(doc.root)] == ["x", "one"]


def test_deep_nesting_is_a_located_diagnostic(tmp_path: Path) -> None:
    """Defect 4: JSON and YAML nested 100,000 deep are one located HC001, not a RecursionError."""
    result = _run(
        tmp_path,
        {
            "references/deep.json": "[" * 100_000 + "]" * 100_000,
            "exercises/deep.yaml": "id: deep\nsteps:\n" + "- " * 100_000 + "x\n",
            "exercises/flow.yaml": "id: flow\nsteps: " + "{a: " * 100_000 + "\n",
        },
        select=["HC001"],
    )
    paths = ["exercises/deep.yaml", "exercises/flow.yaml", "references/deep.json"]
    assert sorted(d.path for d in result.diagnostics) == paths
    assert all("nest" in d.message for d in result.diagnostics)


# --- 3. tags on values they do not fit ----------------------------------------------------------------

WRONG_TAGS = {
    "!!bool maybe": 7,
    "!!float": 7,
    "!!float abc": 7,
    "!!int abc": 7,
    "!!int": 7,
    "!!timestamp x": 7,
    "!!null x": 7,
    "!!binary ???": 7,
    "!foo bar": 7,
    "!!python/object:os.system x": 7,
    '!!python/object/apply:os.system ["echo hi"]': 7,
    "!!bool": 7,
}


@pytest.mark.parametrize("tagged", list(WRONG_TAGS))
def test_a_tag_on_a_value_it_does_not_fit_is_located(tagged: str) -> None:
    """Defect 3: `!!bool maybe` raised KeyError and `!!float` with no value IndexError; `!!int abc`,
    `!!null x` and `!!timestamp x` were read silently."""
    text = f"id: x\nname: {tagged}\n"
    doc = parse_yaml(text)
    issues = [(i.code, i.span.line, i.span.column) for i in doc.issues]
    assert issues == [("HC004", 2, WRONG_TAGS[tagged])], [i.message for i in doc.issues]
    assert all(inside(i.span, text) for i in doc.issues)
    assert not isinstance(doc.value["name"], (bool, int, float)) or doc.value["name"] is None


def test_tags_that_fit_are_read_as_yaml_reads_them() -> None:
    doc = parse_yaml("a: !!bool yes\nb: !!int 0x1F\nc: !!float 1.5\nd: !!null ~\ne: !!timestamp 2024-01-01\n")
    assert doc.value == {"a": True, "b": 31, "c": 1.5, "d": None, "e": "2024-01-01"}
    assert not doc.issues


def test_wrong_tags_in_a_run_are_reported_not_crashes(tmp_path: Path) -> None:
    result = _run(tmp_path, {"exercises/tags.yaml": "id: tags\nname: !!bool maybe\nsummary: !!float\n"})
    assert [c for c in _codes(result) if c[0] == "HC004"] == [("HC004", 2, 7), ("HC004", 3, 10)]


def test_a_huge_number_is_not_computed(monkeypatch: pytest.MonkeyPatch) -> None:
    """Defect 2 (resources): a base-60 integer of many parts cost quadratic big-integer arithmetic. A number
    longer than MAX_NUMBER_CHARS stays text without reaching the constructor (checked, not timed)."""
    computed: list[str] = []
    construct = yaml_tree._constructor.construct_yaml_int
    monkeypatch.setattr(
        yaml_tree._constructor, "construct_yaml_int", lambda node: computed.append(node.value) or construct(node)
    )
    doc = parse_yaml("id: x\nsets: " + ":".join(["59"] * 50_000) + "\n")
    assert isinstance(doc.value["sets"], str) and computed == []
    short = ":".join(["59"] * 33)  # 98 characters, within the limit: read as YAML 1.1 says
    assert len(short) <= yaml_tree.MAX_NUMBER_CHARS < len(short + ":59")
    assert parse_yaml(f"sets: {short}\n").value["sets"] == 60**33 - 1 and computed == [short]


# --- 4. resource limits -------------------------------------------------------------------------------


def test_an_alias_bomb_with_long_lines_is_stopped(tmp_path: Path) -> None:
    """Defect 4: alias expansion is bounded; the run reports HC001 where the bomb goes off."""
    lines = ["id: bomb", "name: Bomb", 'a: &a ["' + "lol" * 20_000 + '"]']
    for level, name in enumerate("bcdefghi"):
        lines.append(f"{name}: &{name} [" + ", ".join([f"*{'abcdefghi'[level]}"] * 10) + "]")
    start = time.perf_counter()
    result = _run(tmp_path, {"exercises/bomb.yaml": "\n".join(lines) + "\n"}, select=["HC001"])
    assert time.perf_counter() - start < 20
    assert [d.code for d in result.diagnostics] == ["HC001"]
    assert "too many" in result.diagnostics[0].message


def test_a_file_over_the_size_limit_is_one_located_diagnostic(tmp_path: Path) -> None:
    """Defect 4: a content file is read only up to MAX_FILE_BYTES."""
    big = "id: big\nname: Big\nsummary: " + "x" * records_module.MAX_FILE_BYTES + "\n"
    result = _run(tmp_path, {"exercises/big.yaml": big})
    assert _codes(result) == [("HC006", 1, 1)]
    assert "too large" in result.diagnostics[0].message


def test_too_many_files_is_a_one_line_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Defect 4: a content root with more files than MAX_FILES is refused with one line, not a crash."""
    from hipcheck import cli, discovery

    monkeypatch.setattr(discovery, "MAX_FILES", 3)
    root = tmp_path / "content"
    for i in range(4):
        (root / "exercises").mkdir(parents=True, exist_ok=True)
        (root / "exercises" / f"e{i}.yaml").write_text(f"id: e{i}\n", "utf-8")
    monkeypatch.chdir(tmp_path)
    assert cli.main(["check", "--no-cache", "content"]) == 2
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and "more than 3 content files" in error


# --- 5. positions at the end of the file --------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "id: a\nname: 'abc",
        "id: a\nname: 'abc\n",
        "id: a\nname: 'abc\n\n\n",
        'id: a\nname: "abc\r\n',
        "id: a\nsteps: [one,\n",
        "id: a\nsteps: {one: 1\n",
        "id: a\nname: |\n  text\n    - x\n  \t",
        "id: a\nname: &x",
        "id: a\nname: *x\n",
        "[",
        "'",
        "\n\n\n'",
    ],
)
def test_errors_at_the_end_of_the_file_point_at_its_last_character(text: str) -> None:
    """Defect 5: "unexpected end of stream" was placed on a line after the last one."""
    doc = parse_yaml(text)
    spans = [*(i.span for i in doc.issues), *(doc.span(node) for _, node in walk_scalars(doc.root))]
    assert spans
    for span in spans:
        assert inside(span, text), (doc.issues, span)


def test_front_matter_errors_at_its_end_lie_in_the_file() -> None:
    raw = b"---\ntitle: 'Hips\n---\n\nBody.\n"
    record = read_record("hips.md", "article", "hips.md", raw)
    assert record.issues and all(inside(i.span, record.text) for i in record.issues)


# --- 6. bytes and characters --------------------------------------------------------------------------

HOSTILE_BYTES = {
    "late_nul": b"id: a\n" + b"# " * 5000 + b"\nname: a\x00b\n",
    "control_character": b"id: a\nname: a\x01b\n",
    "lone_surrogate": b"id: a\nname: \xed\xa0\x80\n",
    "bom_in_the_middle": "id: a\nname: a\ufeffb\n".encode(),
    "cr_only": b"id: a\rname: b\rsummary: 'c\r",
    "next_line_and_line_separator": "id: a\nname: a\u0085b\u2028c\nsummary: 'x\n".encode(),
    "overlong_utf8": b"id: a\nname: \xc0\xaf\n",
}


@pytest.mark.parametrize("name", list(HOSTILE_BYTES))
def test_hostile_bytes_are_located_diagnostics(tmp_path: Path, name: str) -> None:
    """Defect 6: NUL after the first 8 KiB and control characters were placed at 1:1; a byte order mark
    in the middle and CR-only line breaks went unreported (and CR put YAML's lines out of step)."""
    result = _run(tmp_path, {"exercises/a.yaml": HOSTILE_BYTES[name]}, select=["HC001", "HC004", "HC006"])
    assert result.diagnostics
    assert any(d.span.offset > 0 for d in result.diagnostics), _codes(result)


@pytest.mark.parametrize(
    "article",
    [
        "---\ntitle: Hips\n",
        "---\n- a\n- b\n---\nBody.\n",
        "---\njust text\n---\nBody.\n",
        "---\n---\n",
        "---",
        "---\r\ntitle: x\r\n---\r\n\r\nBody.",
        "---\rtitle: x\r---\r\rBody.",
        "\ufeff---\ntitle: x\n---\nBody \x00 here.\n",
    ],
)
def test_odd_front_matter_is_located(tmp_path: Path, article: str) -> None:
    """Defect 6: unterminated, list and scalar front matter are diagnostics inside the file."""
    result = _run(tmp_path, {"articles/a.md": article})
    assert result.diagnostics


def test_spans_of_values_follow_offsets_not_yaml_line_breaks() -> None:
    """Defect 5: libyaml counts NEL, LS and PS as line breaks; hipcheck's lines are the file's "\\n" lines."""
    for text in ("id: a\nname: a\u2028b\nsummary: [x\n", "a: x\u0085y\nb: [\n", "a: 'x\u2029\n"):
        issues = parse_yaml(text).issues
        assert issues and all(inside(i.span, text) for i in issues), text


# --- 2. scanners are linear in their input ------------------------------------------------------------


def _best_time(action: Callable[[], object], repeats: int = 3) -> float:
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        action()
        best = min(best, time.perf_counter() - start)
    return best


def _assert_linear(what: str, small: Callable[[], object], large: Callable[[], object], floor: float = 2e-3) -> None:
    """`large` (8 times the input) costs under 24 times `small` (quadratic would be 64). Measured up to
    three times: the machine is shared, and a busy moment must not fail a linear scanner."""
    small()  # warm the caches
    ratios = []
    for _ in range(3):
        one, eight = _best_time(small), _best_time(large)
        ratios.append(eight / max(one, floor))
        if ratios[-1] < 8 * 3:
            return
    raise AssertionError(f"{what}: 8 times the input cost {min(ratios):.0f} times as much")


def _backtick_runs(n: int) -> str:
    """Runs of 1, 2, 3... backticks, none closed: each run's search for its closer reads to the end."""
    parts, size, k = [], 0, 1
    while size < n:
        parts.append("`" * k + " a ")
        size += k + 3
        k += 1
    return "".join(parts)


ADVERSARIAL: dict[str, Callable[[int], str]] = {
    "long_word": lambda n: "a" * n,
    "long_word_after_text": lambda n: "The gluteus medius " + "b" * n,
    "long_non_ascii_word": lambda n: "é" * n,
    "spaces": lambda n: "a" + " " * n + "b",
    "spaces_after_a_group": lambda n: "The hip adductors" + " " * n + "are made of: gluteus medius",
    "heading_list": lambda n: "muscles\n" + (" " * 50 + "\n") * (n // 51) + "muscles:",
    "dots": lambda n: "." * n,
    "hyphens": lambda n: "gluteus" + "-" * n + "medius",
    "at_signs": lambda n: "@" * n,
    "braced_keys": lambda n: "@{" * (n // 2),
    "email_like": lambda n: "a.b+c-" * (n // 6),
    "comments": lambda n: "<!--" * (n // 4),
    "comments_after_text": lambda n: "a <!--" * (n // 6),  # not at a line's start: not an HTML block
    "autolinks": lambda n: "<a:" * (n // 3),
    "destinations": lambda n: "](" * (n // 2),
    "reference_definitions": lambda n: "[a\n" * (n // 3),
    "brackets": lambda n: "[" * n,
    "parentheses": lambda n: "(" * n,
    "urls": lambda n: "http://" * (n // 7),
    "backtick_runs": _backtick_runs,
    "mentions": lambda n: "gluteus medius, " * (n // 16),
    "typos": lambda n: "gluteus medus " * (n // 14),
    # Markdown that parsers handle with stacks of delimiters and nested blocks.
    "stars": lambda n: "*" * n,
    "emphasis_mix": lambda n: "*_" * (n // 2),
    "unclosed_links": lambda n: "[a](" * (n // 4),
    "backslashes": lambda n: "\\" * n,
    "nested_quotes": lambda n: "> " * (n // 2) + "x",
    "nested_lists": lambda n: "- " * (n // 2) + "x",
    # Pandoc's citation grammar and what the citation rules read (labels, tag definitions).
    "dots_before_keys": lambda n: ".@" * (n // 2),
    "keys_in_one_bracket": lambda n: "[" + "@a " * (n // 3),
    "braced_key_runs": lambda n: "@{{a}" * (n // 5),
    "unclosed_math": lambda n: "$a " * (n // 3),
    "unclosed_tags": lambda n: "<a " * (n // 3),
    "attribute_braces": lambda n: "{ a" * (n // 3),
    "tag_definitions": lambda n: "[@tag:a]: doi:10.1/x\n" * (n // 21),
}


def _scan_article(vocabulary: Vocabulary, body: str) -> Callable[[], object]:
    raw = ("---\ntitle: Hips\n---\n\n" + body + "\n").encode("utf-8")

    def run() -> object:
        prose_mask.cache_clear()
        code_mask.cache_clear()
        citation_mask.cache_clear()
        record = read_record("a.md", "article", "a.md", raw)
        find_citations(record.body, record.body_offset)
        citekeys.labels(record.body)
        citekeys.tag_definitions(record.body)
        return article_prose(record, vocabulary, OPTIONS)

    return run


@pytest.mark.parametrize("shape", list(ADVERSARIAL))
def test_scanning_is_linear_on_adversarial_text(shape: str) -> None:
    """Defect 2: a long word made the e-mail pattern backtrack at every character (quadratic); each
    shape of hostile text must cost about 8 times as much at 8 times the length (quadratic is 64)."""
    vocabulary = Vocabulary.from_data(MUSCLES)
    make = ADVERSARIAL[shape]
    _assert_linear(shape, _scan_article(vocabulary, make(4_000)), _scan_article(vocabulary, make(32_000)))


@pytest.mark.parametrize("shape", ["long_word", "spaces", "dots", "brackets", "email_like"])
def test_loading_is_linear_on_adversarial_values(shape: str) -> None:
    make = ADVERSARIAL[shape]

    def load(n: int) -> Callable[[], object]:
        raw = ("id: x\nname: " + make(n).replace("\n", " ") + "\n").encode("utf-8")
        return lambda: read_records("x.yaml", "exercise", "x.yaml", raw)

    _assert_linear(shape, load(4_000), load(32_000))


IDENTIFIER_SHAPES: dict[str, tuple[Callable[[str], object], Callable[[int], str]]] = {
    "isbn_spaces": (identifiers.check_isbn, lambda n: "978" + " " * n + "x"),
    "issn_spaces_before_a_qualifier": (identifiers.check_issn, lambda n: "0317" + " " * n + "(x"),
    "doi_closing_brackets": (identifiers.check_doi, lambda n: "10.1000/x" + ")" * n),
    "doi_trailing_punctuation": (identifiers.doi_key, lambda n: "10.1000/x" + ".," * (n // 2)),
    "doi_prefixes": (identifiers.check_doi, lambda n: "doi:" * (n // 4) + "10.1000/x"),
    "doi_distinct_characters": (
        identifiers.check_doi,
        lambda n: "10.1000/" + "".join(map(chr, range(0x4E00, 0x4E00 + n))),
    ),
    "isbn_list": (identifiers.check_isbn, lambda n: ", ".join(["9780306406157"] * (n // 15))),
}


@pytest.mark.parametrize("shape", list(IDENTIFIER_SHAPES))
def test_identifier_checks_are_linear(shape: str) -> None:
    """Defect 2: runs of spaces before a qualifier, trailing punctuation, repeated prefixes, many distinct
    characters and long lists each made an identifier check quadratic."""
    check, make = IDENTIFIER_SHAPES[shape]
    small, large = make(16_000), make(128_000)  # long enough that each call takes milliseconds
    _assert_linear(shape, lambda: check(small), lambda: check(large), floor=5e-3)


# --- inputs the fuzzers found (fuzz/run.py) -----------------------------------------------------------

FUZZ_FINDINGS = Path(__file__).parent / "fixtures" / "fuzz"


@pytest.mark.parametrize("path", sorted(FUZZ_FINDINGS.iterdir()), ids=lambda path: path.stem)
def test_inputs_the_fuzzers_found(path: Path) -> None:
    """Each input a fuzz target failed on, kept as a regression case. loader-vertical-tab-after-fence:
    `---\\v` opened front matter because `str.splitlines` breaks lines at a vertical tab; its spans were
    counted in those lines, not the file's."""
    target = path.stem.split("-")[0]
    sys.path.insert(0, str(REPO))
    from fuzz.targets import TARGETS

    TARGETS[target](path.read_bytes())


def test_markdown_blocks_are_placed_in_markdown_lines() -> None:
    """The code-block mask counted lines with `str.splitlines`, which also breaks at LS, VT and NEL:
    every block after such a character was masked lines too early."""
    body = "a\u2028b\x0bc\x85d\n\n~~~\n@key\n~~~\n@real\n"
    prose_mask.cache_clear()
    assert [c.key for c in find_citations(body)] == ["real"]


def test_a_chain_of_merges_is_bounded_like_nesting() -> None:
    """Defect 1: `<<: *previous` 3,000 times recursed without growing the path the depth limit measured:
    RecursionError. Merges now count as nesting."""
    lines = ["m0: &m0 {x: 1}", *(f"m{i}: &m{i} {{<<: *m{i - 1}}}" for i in range(1, 3000))]
    text = "\n".join(lines) + "\n"
    doc = parse_yaml(text)
    assert [(issue.code, "nested too deeply" in issue.message) for issue in doc.issues] == [("HC001", True)]
    assert all(inside(issue.span, text) for issue in doc.issues)


def test_long_values_are_not_kept_by_the_resolver_cache() -> None:
    """Defect 4 (memory): tag resolution is memoized by value; a long value stayed referenced by the cache
    after its file was done, so many large files kept gigabytes alive."""
    cache_info = yaml_tree._cached_resolve.cache_info
    yaml_tree._cached_resolve.cache_clear()
    parse_yaml("a: short\n")
    short = cache_info().currsize  # the key, the value and the mapping
    yaml_tree._cached_resolve.cache_clear()
    parse_yaml("a: " + "x" * 100_000 + "\n")
    assert cache_info().currsize == short - 1


def test_many_copies_of_one_key_cost_linear_time() -> None:
    """Defect 2 (fuzz finding, the plain mutator): each repeat of a key searched the mapping back from its
    start for the previous one, quadratic in a file of thousands of copies."""

    def load(n: int) -> Callable[[], object]:
        text = "id: x\n" + "name: y\n" * n
        return lambda: parse_yaml(text)

    _assert_linear("duplicate keys", load(2_000), load(16_000))
    doc = parse_yaml("id: x\nname: a\nname: b\nname: c\n")
    assert [issue.span.line for issue in doc.issues] == [3, 2, 4, 3]


def test_links_out_of_the_root_are_reported_never_read(tmp_path: Path) -> None:
    """A pull request can commit `exercises/x.yaml -> /some/secret`: its bytes would end up in findings (a
    syntax error quotes the text) and excerpts in a public CI log. Such a link is an HC006 at 1:1 and is
    never read, nor is a kind folder that links out; a link that stays inside the root is read as usual."""
    import json
    import os
    import subprocess

    secret = tmp_path / "secret.yaml"
    secret.write_text("name: TOKEN-1234\nid: [unclosed\n", "utf-8")
    outside = tmp_path / "elsewhere"
    (outside).mkdir()
    (outside / "leak.md").write_text("---\ntitle: TOKEN-1234\n---\n", "utf-8")
    root = tmp_path / "root"
    (root / "exercises").mkdir(parents=True)
    (root / "exercises/good.yaml").write_text("id: good\nname: Good\n", "utf-8")
    os.symlink(secret, root / "exercises/leak.yaml")
    os.symlink(root / "exercises/good.yaml", root / "exercises/alias.yaml")  # inside the root: read
    os.symlink(outside, root / "articles")
    result = check_paths([str(root)], cwd=root, today=TODAY, cache=False)
    leaks = [d for d in result.diagnostics if d.path in ("exercises/leak.yaml", "articles")]
    assert [(d.path, d.code, d.span.line) for d in leaks] == [
        ("articles", "HC006", 1),
        ("exercises/leak.yaml", "HC006", 1),
    ]
    assert all("TOKEN" not in d.message for d in result.diagnostics)
    assert "exercises/alias.yaml" in result.checked and "exercises/leak.yaml" in result.checked
    for form in ("json", "full", "concise"):
        run = subprocess.run(
            [sys.executable, "-m", "hipcheck", "check", ".", "--format", form, "--today", TODAY.isoformat()],
            cwd=root,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert "TOKEN" not in run.stdout + run.stderr and "Traceback" not in run.stderr
        if form == "json":
            assert {d["path"] for d in json.loads(run.stdout)["diagnostics"] if d["code"] == "HC006"} == {
                "articles",
                "exercises/leak.yaml",
            }


def test_schema_errors_of_a_long_list_are_linear() -> None:
    """Thousands of wrong items in one list: the schema rule looked, for each error path, at every other
    one (4 million comparisons for 2,000 steps). 8 times the items must cost about 8 times as much."""
    from hipcheck.loader.records import read_record
    from hipcheck.rules.structure import check_schema

    def run(n: int) -> Callable[[], object]:
        text = "id: x\nname: X\nsteps:\n" + "".join(f"  - {{a: {i}}}\n" for i in range(n))
        record = read_record("x.yaml", "exercise", "exercises/x.yaml", text.encode())
        ctx = SimpleNamespace(config=SimpleNamespace(article_extra_keys=[]))
        return lambda: list(check_schema(record, ctx))  # type: ignore[arg-type]

    _assert_linear("schema errors of a long list", run(300), run(2400))
