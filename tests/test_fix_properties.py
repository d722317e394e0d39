"""Property tests of `--fix`, `--unsafe-fixes`, `--diff` and `--add-ignore` on generated records.

Records of every kind are rendered with varied line endings (LF, CRLF, CR, mixed), a BOM or not, a
final newline or not, trailing spaces, comments and quoting styles, then mutated a little (characters
inserted or deleted, lines duplicated). The properties: no crash, every diagnostic inside its file,
both write paths idempotent, `--diff` applies (with git) to what `--fix` writes, `--add-ignore` keeps
the loaded data, and line endings, BOM and final newline keep their style.

HIPCHECK_PROPERTY_EXAMPLES sets the examples per property (default 40), for a long run:
    HIPCHECK_PROPERTY_EXAMPLES=5000 python -m pytest tests/test_fix_properties.py
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hipcheck.cli import main
from hipcheck.loader.records import read_records

from helpers import REPO

settings.register_profile(
    "hipcheck",
    max_examples=int(os.environ.get("HIPCHECK_PROPERTY_EXAMPLES", "40")),
    deadline=None,
    database=None,  # a failure prints its example; nothing is left in the work tree
    print_blob=True,
    # The unit suite draws the same examples every run (CI must not turn red by chance); a long run
    # (HIPCHECK_PROPERTY_EXAMPLES set) draws new ones.
    derandomize="HIPCHECK_PROPERTY_EXAMPLES" not in os.environ,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.load_profile("hipcheck")

TODAY = "2026-11-21"
MUSCLE = (REPO / "examples" / "drafts" / "muscles" / "gluteus-medius.yaml").read_text("utf-8")
KINDS = {"exercise": "exercises/gen.yaml", "muscle": "muscles/gen.yaml", "reference": "references/gen.yaml"}
KINDS["article"] = "articles/gen.md"
BREAKS = ("\n", "\r\n", "\r")

# --- records -------------------------------------------------------------------------------------

words = st.sampled_from(
    ["hip", "glute medius", "gluteus medius", "hips flexors", "no", "yes", "Step 1: stand", "1:30", "~", "a #b",
     "it's", 'say "hi"', "é", "2024-01-01", "null", "", "  spaced  ", "x" * 90, "[x]", "{y}", "&z", "*w", "- dash"]
)  # fmt: skip


@st.composite
def scalar(draw: st.DrawFn) -> str:
    """A YAML scalar in one of its styles (plain where that reads back, quoted otherwise, or broken)."""
    value = " ".join(draw(st.lists(words, min_size=1, max_size=3)))
    style = draw(st.sampled_from(["plain", "single", "double"]))
    if style == "single":
        return "'" + value.replace("'", "''") + "'"
    if style == "double":
        return json.dumps(value, ensure_ascii=draw(st.booleans()))
    return value


@st.composite
def exercise(draw: st.DrawFn) -> list[str]:
    lines = [f"id: {draw(st.sampled_from(['gen', 'Gen', 'gen-2', 'gen']))}", f"name: {draw(scalar())}"]
    lines.append(f"level: {draw(st.sampled_from(['beginner', 'beginer', 'advanced', 'Beginner']))}")
    if draw(st.booleans()):
        lines += ["steps:", *(f"  - {draw(scalar())}" for _ in range(draw(st.integers(1, 3))))]
    else:
        lines.append(f"steps: [{', '.join(draw(st.lists(scalar(), min_size=1, max_size=3)))}]")
    muscles = draw(st.lists(st.sampled_from(["glute medius", "gluteus-medius", "gluteus medius"]), min_size=1))
    shape = draw(st.sampled_from(["block", "flow", "alias"]))
    if shape == "block":
        lines += ["muscles:", f"  primary: [{', '.join(muscles)}]"]
    elif shape == "alias":  # one node reached twice: its findings and fixes come twice
        lines += ["muscles:", f"  primary: &m [{', '.join(muscles)}]", "  secondary: *m"]
    else:
        lines += ["muscles: {primary: [" + ", ".join(muscles) + "]}"]
    per_side = draw(st.sampled_from(["yes", "true", "no", "on"]))
    lines.append(f"dosage: {{sets: {draw(st.integers(0, 5))}, reps: 10, per_side: {per_side}}}")
    if draw(st.booleans()):
        lines += ["starting_position: >-", f"  {draw(scalar())}", f"  {draw(scalar())}"]
    if not draw(st.integers(0, 9)):
        lines.append("notes: " + "glute medius " * draw(st.integers(100, 3000)))  # a long line
    return lines


@st.composite
def muscle(draw: st.DrawFn) -> list[str]:
    return [
        "id: gen",
        f"kind: {draw(st.sampled_from(['muscle', 'group', 'muscel']))}",
        f"name: {draw(scalar())}",
        f"aliases: [{draw(scalar())}]",
        f"part_of: [{draw(st.sampled_from(['gluteus-medius', 'nowhere', 'glute medius']))}]",
        f"notes: {draw(scalar())}",
    ]


@st.composite
def reference(draw: st.DrawFn) -> list[str]:
    lines = ["id: gen", f"type: {draw(st.sampled_from(['article-journal', 'book', 'articel']))}"]
    lines += [f"title: {draw(scalar())}", "author:", "  - {family: Gen, given: A}"]
    lines.append(f"issued: {draw(st.sampled_from(['{date-parts: [[2021]]}', '2021', '{date-parts: [[20x]]}']))}")
    if draw(st.booleans()):
        lines.append(f"DOI: {draw(st.sampled_from(['10.1000/xyz', 'doi:10.1/x', 'nope']))}")
    return lines


@st.composite
def article(draw: st.DrawFn) -> list[str]:
    lines = ["---", f"title: {draw(scalar())}", "slug: gen"]
    if draw(st.booleans()):
        lines.append("authors: [hipcheck editorial team]")
    lines.append(f"exercises: [{draw(st.sampled_from(['gen', 'banded-walks', '']))}]")
    lines += ["---", ""]
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["para", "heading", "code", "list", "blank"]))
        text = " ".join(draw(st.lists(words, min_size=1, max_size=6)))
        lines += {
            "para": [text],
            "heading": [f"## {text}"],
            "code": ["```", text, "```"],
            "list": [f"- {text}", f"- {text}"],
            "blank": [""],
        }[kind]
    return lines


RECORDS = {"exercise": exercise(), "muscle": muscle(), "reference": reference(), "article": article()}


@dataclass
class Rendered:
    kind: str
    data: bytes


@st.composite
def rendered(draw: st.DrawFn) -> Rendered:
    kind = draw(st.sampled_from(sorted(RECORDS)))
    lines = draw(RECORDS[kind])
    if kind != "article" and draw(st.booleans()):
        at = draw(st.integers(0, len(lines)))
        lines.insert(at, "# " + draw(words))
    lines = [line + " " * draw(st.sampled_from([0, 0, 0, 1, 2])) for line in lines]
    style = draw(st.sampled_from(["\n", "\r\n", "\r", "mixed"]))
    breaks = [draw(st.sampled_from(BREAKS)) if style == "mixed" else style for _ in lines]
    text = "".join(line + end for line, end in zip(lines, breaks, strict=True))
    if not draw(st.booleans()):
        text = text.rstrip("\r\n")
    for _ in range(draw(st.integers(0, 3))):
        text = draw(mutation(text))
    bom = "\ufeff" if draw(st.booleans()) else ""
    return Rendered(kind, (bom + text).encode("utf-8", "surrogatepass"))


@st.composite
def mutation(draw: st.DrawFn, text: str) -> str:
    at = draw(st.integers(0, len(text)))
    what = draw(st.sampled_from(["insert", "delete", "duplicate"]))
    if what == "insert":
        inserted = draw(st.sampled_from([*":-'\"#[]{}&*!|> \t\r\né\u2028\x85\x0c%@`,?", "\r\n", "  "]))
        return text[:at] + inserted + text[at:]
    if what == "delete":
        return text[:at] + text[at + 1 :]
    lines = text.splitlines(keepends=True)
    if not lines:
        return text
    line = draw(st.integers(0, len(lines) - 1))
    return "".join([*lines[: line + 1], lines[line], *lines[line + 1 :]])


# --- running hipcheck in-process -----------------------------------------------------------------


@dataclass
class Run:
    status: int
    out: str
    err: str


def cli(root: Path, *args: str) -> Run:
    out, err = io.StringIO(), io.StringIO()
    with _cwd(root), contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        status = main(["check", ".", "--today", TODAY, *args])
    return Run(status, out.getvalue(), err.getvalue())


@contextlib.contextmanager
def _cwd(path: Path) -> Iterator[None]:
    before = os.getcwd()
    os.chdir(path)
    try:
        yield
    finally:
        os.chdir(before)


@contextlib.contextmanager
def content_root(record: Rendered) -> Iterator[tuple[Path, Path]]:
    with tempfile.TemporaryDirectory(prefix="hipcheck-prop-") as scratch:
        root = Path(scratch) / "root"
        (root / "muscles").mkdir(parents=True)
        (root / "muscles" / "gluteus-medius.yaml").write_text(MUSCLE, "utf-8")
        path = root / KINDS[record.kind]
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(record.data)
        yield root, path


def copy(root: Path, name: str) -> Path:
    target = root.parent / name
    shutil.copytree(root, target, ignore=shutil.ignore_patterns(".hipcheck_cache"))
    return target


def no_crash(run: Run) -> None:
    assert "internal error" not in run.err and "Traceback" not in run.err, run.err
    assert run.status in (0, 1), run.err


def loaded(path: Path, kind: str) -> list[object]:
    return [(r.data, r.loaded) for r in read_records(path, kind, path.name)]


_BREAK = re.compile(b"\r\n|\r|\n")


def style(data: bytes) -> tuple[bool, bool, frozenset[bytes]]:
    """BOM, final newline, and which line breaks the file uses."""
    return data.startswith(b"\xef\xbb\xbf"), data.endswith((b"\n", b"\r")), frozenset(_BREAK.findall(data))


def keeps_style(before: bytes, after: bytes) -> None:
    bom, final, breaks = style(before)
    assert style(after)[:2] == (bom, final)
    assert style(after)[2] <= (breaks or {b"\n"}), "no line break of a kind the file did not use"


def lines_of(text: str) -> list[str]:
    lines = re.split("\r\n|[\r\n\x85\u2028\u2029]", text)
    return lines[:-1] if len(lines) > 1 and lines[-1] == "" else lines


def in_range(diagnostic: dict[str, int], lines: list[str]) -> bool:
    line, column, end_line, end_column = (diagnostic[k] for k in ("line", "column", "end_line", "end_column"))
    return (
        1 <= line <= end_line <= len(lines)
        and 1 <= column <= len(lines[line - 1]) + 1
        and 1 <= end_column <= len(lines[end_line - 1]) + 1
        and (line < end_line or column <= end_column)
    )


# --- properties ----------------------------------------------------------------------------------


@given(rendered())
def test_every_diagnostic_lies_inside_its_file(record: Rendered) -> None:
    with content_root(record) as (root, _):
        run = cli(root, "--format", "json")
        no_crash(run)
        lines = lines_of(record.data.decode("utf-8-sig", "replace"))
        report = json.loads(run.out)["diagnostics"]
        outside = [d for d in report if d["path"] == KINDS[record.kind] and not in_range(d, lines)]
        assert not outside, outside


@given(rendered())
def test_add_ignore_is_idempotent_and_keeps_data_and_style(record: Rendered) -> None:
    with content_root(record) as (root, path):
        before = loaded(path, record.kind)
        no_crash(cli(root, "--add-ignore"))
        once = path.read_bytes()
        keeps_style(record.data, once)
        assert loaded(path, record.kind) == before
        again = cli(root, "--add-ignore")
        assert again.out.startswith("Added 0 suppressions"), (again.out, once)
        assert path.read_bytes() == once


@given(rendered(), st.booleans())
def test_fix_is_idempotent_and_keeps_style(record: Rendered, unsafe: bool) -> None:
    flags = ["--fix", "--unsafe-fixes"] if unsafe else ["--fix"]
    with content_root(record) as (root, path):
        no_crash(cli(root, *flags))
        once = path.read_bytes()
        keeps_style(record.data, once)
        again = cli(root, *flags)
        assert "Fixed 0 findings in 0 files." in again.err, again.err
        assert path.read_bytes() == once


@given(rendered(), st.booleans())
def test_diff_applies_with_git_and_equals_fix(record: Rendered, unsafe: bool) -> None:
    if shutil.which("git") is None:
        pytest.skip("needs git")
    flags = ["--unsafe-fixes"] if unsafe else []
    with content_root(record) as (root, path):
        fixed = copy(root, "fixed")
        diff = cli(root, "--diff", *flags)
        no_crash(diff)
        cli(fixed, "--fix", *flags)
        patch = root.parent / "fix.patch"
        patch.write_bytes(diff.out.encode("utf-8", "surrogateescape"))
        if diff.out:
            subprocess.run(["git", "init", "-q", str(root)], check=True)
            applied = subprocess.run(["git", "apply", str(patch)], cwd=root, capture_output=True, text=True)
            assert applied.returncode == 0, (applied.stderr, diff.out)
        assert path.read_bytes() == (fixed / KINDS[record.kind]).read_bytes()
