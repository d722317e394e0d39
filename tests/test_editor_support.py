"""The pieces of editor support that need no client: positions in UTF-16, the in-memory workspace
(against `hipcheck check`), hover and completion text, and `hipcheck check --stdin-filename`."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lsprotocol import types

from hipcheck.diagnostics import Span
from hipcheck.engine import check_paths
from hipcheck.language_server.assistance import complete, format_reference, hover
from hipcheck.language_server.positions import DocumentText
from hipcheck.workspace import Workspace

from helpers import REPO, TODAY

TEXTS = st.text(alphabet=st.sampled_from(["a", "é", "\n", "\U0001f600", " ", "\r", "\u2028"]), max_size=60)


def utf16_offset(text: str, position: types.Position) -> int:
    """A client's reading of an LSP position: code units on the line, counted in UTF-16."""
    lines = text.split("\n")
    before = sum(len(line) + 1 for line in lines[: position.line])
    encoded = lines[position.line].encode("utf-16-le")[: position.character * 2]
    return before + len(encoded.decode("utf-16-le"))


@given(TEXTS, st.integers(-5, 80))
def test_offsets_and_positions_round_trip(text: str, offset: int) -> None:
    document = DocumentText(text)
    position = document.offset_position(offset)
    clamped = min(max(offset, 0), len(text))
    assert document.offset(position) == clamped
    assert utf16_offset(text, position) == clamped  # what a client reads back is the same place


@given(TEXTS, st.integers(-3, 20), st.integers(-3, 40), st.integers(-3, 20), st.integers(-3, 40))
def test_every_range_lies_inside_the_document(
    text: str, line: int, column: int, end_line: int, end_column: int
) -> None:
    document = DocumentText(text)
    found = document.range(Span(line, column, end_line, end_column))
    lines = text.split("\n")
    for position in (found.start, found.end):
        assert 0 <= position.line < len(lines)
        assert 0 <= position.character <= len(lines[position.line].encode("utf-16-le")) // 2
    assert (found.start.line, found.start.character) <= (found.end.line, found.end.character)


@given(TEXTS, TEXTS)
def test_one_edit_turns_a_text_into_another(old: str, new: str) -> None:
    edit = DocumentText(old).edit_to(new)
    if old == new:
        assert edit is None
        return
    assert edit is not None
    start, end = utf16_offset(old, edit.range.start), utf16_offset(old, edit.range.end)
    assert old[:start] + edit.new_text + old[end:] == new


def test_a_span_in_a_line_with_astral_characters() -> None:
    document = DocumentText("\U0001f600 gluteus medius\n")
    found = document.range(Span(1, 3, 1, 10))  # hipcheck counts the emoji as one character
    assert (found.start.character, found.end.character) == (3, 10)  # a client counts it as two


@pytest.fixture
def drafts(tmp_path: Path) -> Path:
    root = tmp_path / "drafts"
    shutil.copytree(REPO / "examples" / "drafts", root)
    return root


def keyed(diagnostics: list) -> list[tuple[str, int, int, str, str]]:  # type: ignore[type-arg]
    return sorted((d.path, d.span.line, d.span.column, d.code, d.message) for d in diagnostics)


def test_the_workspace_finds_what_hipcheck_check_finds(drafts: Path) -> None:
    workspace = Workspace(drafts, today=TODAY, jobs=1)
    held = [d for found in workspace.findings.values() for d in found]
    assert len(held) == 67  # the drafts' pinned total
    assert keyed(held) == keyed(check_paths([str(drafts)], cwd=drafts, today=TODAY, cache=False).diagnostics)


def test_unsaved_text_is_checked_as_the_cli_checks_the_saved_file(drafts: Path) -> None:
    workspace = Workspace(drafts, today=TODAY, jobs=1)
    article = drafts / "articles" / "hips-and-flat-feet.md"
    edited = article.read_bytes().replace(b"glute-bridges", b"hip-bridges").replace(b"glute medius", b"gluteus medius")
    changed = workspace.update([(article, edited)])
    assert article in changed
    assert (drafts / "articles" / "hips-and-flat-feet.md").read_bytes() != edited  # the disk is untouched
    held = [d for found in workspace.findings.values() for d in found]
    article.write_bytes(edited)
    assert keyed(held) == keyed(check_paths([str(drafts)], cwd=drafts, today=TODAY, cache=False).diagnostics)
    assert not list(drafts.rglob(".hipcheck_cache"))  # unsaved text never reaches a cache


def test_hover_and_completion_read_the_snapshot(drafts: Path) -> None:
    workspace = Workspace(drafts, today=TODAY, jobs=1)
    text = (drafts / "articles" / "hips-and-flat-feet.md").read_text(encoding="utf-8")
    body = text.index("\n---\n", 4) + 5
    at = text.index("@ikezoe2021") + 2
    said = hover(text, at, "article", body, workspace.snapshot)
    # content of examples/drafts/references/ikezoe2021.yaml (the seed's bibliography)
    assert said is not None and said.startswith("`@ikezoe2021`: Ikezoe T, Tsuboyama T, Tabara Y et al. (2021).")
    assert "https://doi.org/10.1016/j.archger.2021.104499" in said
    typed = text[:body] + "[@ik"
    assert [c.label for c in complete(typed, len(typed), "article", body, workspace.snapshot)] == ["ikezoe2021"]
    assert complete(typed, body - 10, "article", body, workspace.snapshot) == []  # not a list key


def test_a_reference_is_formatted_from_the_fields_it_has() -> None:
    assert format_reference({"title": "Only a title"}) == "Only a title."
    data = {"author": [{"literal": "WHO"}], "issued": {"date-parts": [[2020, 1]]}, "page": 12, "volume": "3"}
    assert format_reference(data) == "WHO (2020). 3:12."


def run_cli(args: list[str], stdin: bytes, cwd: Path) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([sys.executable, "-m", "hipcheck", *args], input=stdin, capture_output=True, cwd=cwd)


def test_stdin_is_checked_as_the_named_file(drafts: Path) -> None:
    relative = "articles/hips-and-flat-feet.md"
    saved = run_cli(["check", "--format", "json", "--no-cache", "--today", str(TODAY), relative], b"", drafts)
    text = (drafts / relative).read_bytes()
    stdin = ["check", "--format", "json", "--today", str(TODAY), "--stdin-filename", relative, "-"]
    piped = run_cli(stdin, text, drafts)
    assert piped.returncode == saved.returncode == 1
    assert piped.stdout == saved.stdout
    # Two characters shorter before the images: their findings are placed in the piped text, not the disk's.
    fixed = text.replace(b"glute-bridges", b"hip-bridges")
    after = run_cli(stdin, fixed, drafts)
    assert b"glute-bridges" not in after.stdout and b"hips-and-flat-feet.md" in after.stdout
    assert (drafts / relative).read_bytes() == text  # nothing written
    (drafts / relative).write_bytes(fixed)
    assert after.stdout == run_cli([*stdin[:-3], "--no-cache", relative], b"", drafts).stdout


def test_stdin_for_a_new_file_and_one_outside_any_root(drafts: Path) -> None:
    new = run_cli(["check", "--format", "concise", "--stdin-filename", "exercises/new.yaml", "-"], b"id: [\n", drafts)
    assert new.returncode == 1 and b"exercises/new.yaml:1:" in new.stdout and b"HC001" in new.stdout
    outside = run_cli(["check", "--stdin-filename", "README.md", "-"], b"# notes\n", drafts)
    assert outside.returncode == 0 and b"Checked 0 files" in outside.stdout


@pytest.mark.parametrize(
    "args",
    [
        ["check", "--stdin-filename", "articles/x.md"],
        ["check", "--stdin-filename", "articles/x.md", "-", "articles"],
        ["check", "--stdin-filename", "articles/x.md", "--fix", "-"],
        ["check", "-"],
    ],
)
def test_stdin_usage_errors(drafts: Path, args: list[str]) -> None:
    refused = run_cli(args, b"", drafts)
    assert refused.returncode == 2 and refused.stderr.startswith(b"hipcheck: ")


# Edits of every kind a cross-record check reads, applied one after another: after each, the workspace
# (which replays the checks that read nothing the edit changed) must find what a full run finds.
EDITS: list[tuple[str, bytes, bytes]] = [
    ("articles/hips-and-flat-feet.md", b"[@babu2021]", b"[@babu2022]"),  # an unknown key now resolves
    ("articles/hips-and-flat-feet.md", b"[@niemuth2005]", b"[@nobody1999]"),  # a known one no longer
    ("articles/hips-and-flat-feet.md", b"- glute-bridges", b"- hip-bridges"),  # exercise ids
    ("articles/hip-pain-and-the-feet.md", b"\n\n", b"\n\n[a missing page](missing.md) and [@reiman2013].\n\n"),
    ("exercises/banded-walks.yaml", b"references: [niemuth2005]", b"references: [niemuth2005, nobody1999]"),
    ("exercises/side-lying-abductions.yaml", b"[pelvic-stabilization]", b"[pelvic-stabilization-program]"),
    ("references/reiman2013.yaml", b"id: reiman2013", b"id: reiman2013x"),  # a cited key disappears
    ("references/nfha2012.yaml", b"\n", b"\ntitle: [unclosed\n"),  # a broken record
    ("articles/hips-and-flat-feet.md", b"---\n", b"---\nexercises: [deadlifts]\n"),  # front matter
    ("muscles/gluteus-medius.yaml", b"id: gluteus-medius", b"id: gluteus-medius-renamed"),
]


def test_replayed_checks_find_what_a_full_run_finds(drafts: Path) -> None:
    assert replay_matches_full_runs(drafts, EDITS) > 0  # the memo did replay checks


@settings(max_examples=4, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.permutations(EDITS[:-1]))
def test_replay_holds_in_any_order_of_edits(drafts: Path, edits: list[tuple[str, bytes, bytes]]) -> None:
    workspace_root = drafts.parent / f"order-{abs(hash(tuple(edits)))}"
    if workspace_root.exists():
        shutil.rmtree(workspace_root)
    shutil.copytree(drafts, workspace_root)
    replay_matches_full_runs(workspace_root, [e for e in edits if e[1] in (workspace_root / e[0]).read_bytes()])


def replay_matches_full_runs(drafts: Path, edits: list[tuple[str, bytes, bytes]]) -> int:
    """Apply `edits` one by one to a workspace and compare it with a full run after each; returns how
    many checks were replayed in all."""
    workspace = Workspace(drafts, today=TODAY, jobs=1)
    unsaved: dict[Path, bytes] = {}
    replayed = 0
    for relative, old, new in edits:
        path = drafts / relative
        text = unsaved.get(path, path.read_bytes())
        if old not in text:  # an earlier edit in this order took its place
            continue
        unsaved[path] = text.replace(old, new, 1)
        workspace.update([(path, unsaved[path])])
        replayed += workspace.memo.replayed
        held = [d for found in workspace.findings.values() for d in found]
        full = check_paths([str(drafts)], cwd=drafts, today=TODAY, cache=False, overlays=unsaved)
        assert keyed(held) == keyed(full.diagnostics), relative
    return replayed


def test_the_server_without_the_lsp_extra(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    from hipcheck.cli import main

    monkeypatch.setitem(sys.modules, "pygls.lsp.server", None)  # as if pygls were not installed
    monkeypatch.delitem(sys.modules, "hipcheck.language_server.server", raising=False)
    assert main(["server"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("hipcheck: the language server needs the lsp extra: pip install 'hipcheck[lsp]'")


def test_a_record_and_a_non_record_file_changed_together(drafts: Path) -> None:
    """A checkout that changes an exercise and adds an image: the image check reads no exercise, but
    it reads the files under the root, so it must not be replayed."""
    workspace = Workspace(drafts, today=TODAY, jobs=1)
    exercise = drafts / "exercises" / "banded-walks.yaml"
    exercise.write_bytes(exercise.read_bytes().replace(b"references: [niemuth2005]", b"references: []"))
    image = drafts / "articles" / "images" / "foot-arches.jpg"
    image.parent.mkdir()
    image.write_bytes(b"\xff\xd8\xff\xe0")
    workspace.update([(exercise, None), (image, None)])
    held = [d for found in workspace.findings.values() for d in found]
    assert keyed(held) == keyed(check_paths([str(drafts)], cwd=drafts, today=TODAY, cache=False).diagnostics)
    assert sum(d.code == "HC762" for d in held) == 1  # the other image is still missing
