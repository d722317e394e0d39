"""End to end: `hipcheck server` over stdio, driven by a real LSP client (tests/lsp_session.py).

Each test copies real content (the seed drafts, or the bundled content) into a temporary folder, so
that files may be changed on disk and the repository's stay as they are.
"""

from __future__ import annotations

import asyncio
import json
import shutil
import subprocess
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest
from lsp_session import Session, apply_edits
from lsprotocol import types

from hipcheck.engine import check_paths

REPO = Path(__file__).resolve().parent.parent
DRAFT = "articles/hips-and-flat-feet.md"

SITE_CONFIG = """\
[tool.hipcheck]
content-root = "content"
prescription-profile = "basic"

[tool.hipcheck.muscles]
vocabulary = "content"
"""


def run(scenario: Callable[[], Awaitable[None]]) -> None:
    asyncio.run(scenario())


@pytest.fixture
def drafts(tmp_path: Path) -> Path:
    root = tmp_path / "drafts"
    shutil.copytree(REPO / "examples" / "drafts", root)
    return root


@pytest.fixture
def site(tmp_path: Path) -> Path:
    """The bundled content, clean, with the muscles only its own records define."""
    shutil.copytree(REPO / "content", tmp_path / "content")
    (tmp_path / "pyproject.toml").write_text(SITE_CONFIG, encoding="utf-8")
    return tmp_path / "content"


def as_cli(root: Path, relative: str) -> list[tuple[int, int, str, str]]:
    """(line, column, code, message) of `hipcheck check` on one file: what the server must publish."""
    found = check_paths([str(root / relative)], cwd=root, cache=False)
    return [(d.span.line - 1, d.span.column - 1, d.code, d.message) for d in found.diagnostics]


def shown(diagnostics: object) -> list[tuple[int, int, str, str]]:
    assert isinstance(diagnostics, list)
    return [(d.range.start.line, d.range.start.character, str(d.code), d.message) for d in diagnostics]


def test_open_publishes_what_the_cli_reports(drafts: Path) -> None:
    async def scenario() -> None:
        async with Session(drafts) as session:
            uri = session.open(DRAFT)
            diagnostics = list(await session.diagnostics_after(uri, 0))
            # The draft's text is ASCII up to every finding's column except the curly quotes, which are
            # one UTF-16 unit each: columns agree with the CLI's character columns.
            assert sorted(shown(diagnostics)) == sorted(as_cli(drafts, DRAFT))
            assert len(diagnostics) == 30  # pinned in tests/test_drafts.py as well
            first = diagnostics[0]
            assert first.source == "hipcheck"
            assert first.code_description is not None and first.code_description.href.startswith("file://")
            assert {d.severity for d in diagnostics} == {
                types.DiagnosticSeverity.Error,
                types.DiagnosticSeverity.Warning,
                types.DiagnosticSeverity.Information,
            }

    run(scenario)


def test_change_and_save_recheck_the_unsaved_text(drafts: Path) -> None:
    async def scenario() -> None:
        async with Session(drafts) as session:
            uri = session.open(DRAFT)
            before = list(await session.diagnostics_after(uri, 0))
            assert any(d.message.startswith("'glute medius'") for d in before)
            # The draft names the exercise glute-bridges, which no record has (HC410 or the like).
            unknown = [d for d in before if "glute-bridges" in d.message]
            assert unknown
            mark = len(session.published)
            text = session.texts[uri].replace("- glute-bridges", "- hip-bridges")
            session.change(uri, text)
            after = list(await session.diagnostics_after(uri, mark))
            assert not [d for d in after if "glute-bridges" in d.message]
            assert len(after) == len(before) - len(unknown)
            # The disk still has the old text: the check read the editor's.
            assert "- glute-bridges" in (drafts / DRAFT).read_text(encoding="utf-8")
            mark = len(session.published)
            session.save(uri)
            saved = list(await session.diagnostics_after(uri, mark))
            assert shown(saved) == shown(after)

    run(scenario)


def test_debounced_changes_check_the_last_text_once(drafts: Path) -> None:
    async def scenario() -> None:
        async with Session(drafts, debounce_ms=400) as session:
            uri = session.open(DRAFT)
            await session.diagnostics_after(uri, 0)
            mark = len(session.published)
            text = session.texts[uri]
            for i in range(5):  # five keystrokes inside the debounce window: one check, of the last text
                session.change(uri, text + "\nMore text." * (i + 1))
            await session.diagnostics_after(uri, mark)
            await asyncio.sleep(1.0)
            assert len([p for p in session.published[mark:] if p[1] == uri]) == 1

    run(scenario)


def test_code_actions_fix_suppress_and_fix_all(drafts: Path) -> None:
    async def scenario() -> None:
        async with Session(drafts) as session:
            uri = session.open(DRAFT)
            diagnostics = list(await session.diagnostics_after(uri, 0))
            target = next(d for d in diagnostics if d.code == "HC607" and "'glute medius'" in d.message)
            actions = await session.code_actions(uri, target.range)
            titles = [a.title for a in actions]
            fix = next(a for a in actions if a.title.startswith("HC607"))
            assert fix.kind == types.CodeActionKind.QuickFix and fix.is_preferred
            assert fix.edit is not None and fix.edit.changes is not None
            text = session.texts[uri]
            fixed = apply_edits(text, fix.edit.changes[uri])
            line = target.range.start.line
            assert "gluteus medius" in fixed.split("\n")[line][target.range.start.character :][:20]
            # Nothing but the edit changed: the rest of the file is byte for byte the same.
            assert fixed.replace("gluteus medius", "glute medius") == text.replace("gluteus medius", "glute medius")
            suppress = next(t for t in titles if t.startswith("Suppress HC607"))
            action = next(a for a in actions if a.title == suppress)
            assert action.edit is not None and action.edit.changes is not None
            silenced = apply_edits(text, action.edit.changes[uri])
            # The comment `--add-ignore` writes at the end of a Markdown body line, and nothing else.
            comment = " <!-- hipcheck: ignore[HC607] -->"
            assert silenced.split("\n")[line].endswith(comment)
            assert silenced.replace(comment, "", 1) == text
            # Checking the suppressed text: the finding is gone, nothing else changed.
            mark = len(session.published)
            session.change(uri, silenced)
            after = list(await session.diagnostics_after(uri, mark))
            assert len(after) == len(diagnostics) - 1
            assert not any(
                d.code == "HC607" and d.range.start.line == line and "'glute medius'" in d.message for d in after
            )
            # Fix all: only when asked for source.fixAll; every safe fix, and the result is stable.
            everything = await session.code_actions(uri, target.range, only=[types.CodeActionKind.SourceFixAll])
            assert [a.kind for a in everything] == ["source.fixAll.hipcheck"]
            assert everything[0].edit is not None and everything[0].edit.changes is not None
            all_fixed = apply_edits(silenced, everything[0].edit.changes[uri])
            mark = len(session.published)
            session.change(uri, all_fixed)
            remaining = list(await session.diagnostics_after(uri, mark))
            again = await session.code_actions(uri, target.range, only=[types.CodeActionKind.SourceFixAll])
            assert again == []  # idempotent: no safe fix left
            assert len(remaining) < len(after)

    run(scenario)


def test_no_fix_is_offered_for_text_the_findings_were_not_computed_from(drafts: Path) -> None:
    async def scenario() -> None:
        async with Session(drafts, debounce_ms=5000) as session:
            uri = session.open(DRAFT)
            diagnostics = list(await session.diagnostics_after(uri, 0))
            target = next(d for d in diagnostics if d.code == "HC607")
            session.change(uri, "Inserted line.\n" + session.texts[uri])  # the check waits 5 s
            await asyncio.sleep(0.3)
            assert await session.code_actions(uri, target.range) == []

    run(scenario)


def test_hover_on_citation_key_and_muscle(drafts: Path) -> None:
    async def scenario() -> None:
        async with Session(drafts) as session:
            uri = session.open(DRAFT)
            await session.diagnostics_after(uri, 0)
            lines = session.texts[uri].split("\n")
            row = next(i for i, line in enumerate(lines) if "[@niemuth2005]" in line)
            said = await session.hover(uri, row, lines[row].index("@niemuth2005") + 3)
            assert said is not None
            assert "Niemuth PE" in said and "Hip muscle weakness and overuse injuries in recreational runners" in said
            unknown = next(i for i, line in enumerate(lines) if "[@babu2021]" in line)
            said = await session.hover(uri, unknown, lines[unknown].index("@babu2021") + 2)
            assert said == "`@babu2021`: no reference record has this key"
            row = next(i for i, line in enumerate(lines) if "The gluteus medius is one" in line)
            said = await session.hover(uri, row, lines[row].index("gluteus medius") + 3)
            assert said is not None and "**gluteus medius** (`gluteus-medius`" in said
            # The drafts' own record of the muscle (it has no ids), not the built-in one it overrides.
            assert said.endswith("*muscles/gluteus-medius.yaml*") and "Ids:" not in said
            exercise = session.open("exercises/banded-walks.yaml")
            await session.diagnostics_after(exercise, 0)
            lines = session.texts[exercise].split("\n")
            row = next(i for i, line in enumerate(lines) if "primary:" in line)
            said = await session.hover(exercise, row, lines[row].index("primary: [") + 12)
            assert said is not None and "Part of:" in said

    run(scenario)


def test_completion_of_keys_and_ids(site: Path) -> None:
    async def scenario() -> None:
        async with Session(site) as session:
            article = "articles/hips-and-flat-feet.md"
            uri = session.open(article)
            await session.diagnostics_after(uri, 0)
            text = session.texts[uri] + "\nAs shown before [@ni"
            session.change(uri, text)
            last = text.split("\n")
            assert await session.complete(uri, len(last) - 1, len(last[-1])) == ["niemuth2005"]
            front = text.split("\n")
            row = next(i for i, line in enumerate(front) if line.startswith("exercises: ["))
            labels = await session.complete(uri, row, len("exercises: [ban"))
            assert labels == ["banded-walks"]
            exercise = session.open("exercises/hip-bridges.yaml")
            await session.diagnostics_after(exercise, 0)
            lines = session.texts[exercise].split("\n")
            row = next(i for i, line in enumerate(lines) if "primary:" in line)
            edited = [*lines[:row], "  primary: [gluteus-m", *lines[row + 1 :]]
            session.change(exercise, "\n".join(edited))
            labels = await session.complete(exercise, row, len("  primary: [gluteus-m"))
            assert labels == ["gluteus-maximus", "gluteus-medius", "gluteus-minimus"]
            row = next(i for i, line in enumerate(lines) if line.startswith("steps:"))
            assert await session.complete(exercise, row, len("steps:")) == []
            walks = session.open("exercises/banded-walks.yaml")
            await session.diagnostics_after(walks, 0)
            lines = session.texts[walks].split("\n")
            row = next(i for i, line in enumerate(lines) if "primary: [gluteus-medius]" in line)
            said = await session.hover(walks, row, lines[row].index("gluteus-medius") + 2)
            # content/muscles/gluteus-medius.yaml: ids from Uberon (tests/test_content_ontology.py checks them)
            assert said is not None and "Ids: fma FMA:22315, uberon UBERON:0001371" in said

    run(scenario)


def test_editing_a_muscle_record_rechecks_a_dependent_exercise_that_is_not_open(site: Path) -> None:
    async def scenario() -> None:
        async with Session(site) as session:
            muscle = session.open("muscles/gluteus-medius.yaml")
            assert list(await session.diagnostics_after(muscle, 0)) == []
            exercise = session.uri("exercises/banded-walks.yaml")
            mark = len(session.published)
            renamed = session.texts[muscle].replace("id: gluteus-medius", "id: gluteus-medius-renamed")
            session.change(muscle, renamed)
            found = list(await session.diagnostics_after(exercise, mark))
            # The exercise's `gluteus-medius` is now only a name of the renamed record (HC601), and the
            # finding points at that record.
            assert [(d.code, d.range.start.line) for d in found] == [("HC601", 18)]
            assert "whose id is 'gluteus-medius-renamed'" in found[0].message
            related = found[0].related_information
            assert related and related[0].location.uri == muscle
            mark = len(session.published)
            session.close(muscle)  # the disk's record counts again: the exercise is clean
            assert list(await session.diagnostics_after(exercise, mark)) == []

    run(scenario)


def test_malformed_documents_get_findings_and_the_server_keeps_serving(drafts: Path) -> None:
    async def scenario() -> None:
        async with Session(drafts) as session:
            broken = session.open("exercises/broken.yaml", "id: [\n\x00\ufeff: {")
            found = list(await session.diagnostics_after(broken, 0))
            assert [d.code for d in found] == ["HC006"]  # a NUL byte: binary, not a record
            huge = session.open("exercises/huge.yaml", "a: " + "[" * 200_000)
            found = list(await session.diagnostics_after(huge, 0))
            assert [d.code for d in found] == ["HC001"] and "nesting depth" in found[0].message
            article = session.open("articles/odd.md", "---\ntitle: [unclosed\n---\n\U0001f600 @x \n")
            found = list(await session.diagnostics_after(article, 0))
            assert found
            for d in found:  # every range inside the document
                assert d.range.start.line <= 4 and d.range.end.line <= 4
            # The emoji is two UTF-16 units: character 3 is the `@` of `@x`, an unknown key.
            assert await session.hover(article, 3, 3) == "`@x`: no reference record has this key"
            uri = session.open(DRAFT)
            assert len(await session.diagnostics_after(uri, 0)) == 30

    run(scenario)


def test_a_file_outside_any_content_root(drafts: Path) -> None:
    async def scenario() -> None:
        async with Session(drafts) as session:
            uri = session.open("README.md")
            assert list(await session.diagnostics_after(uri, 0)) == []
            await session.until(
                lambda: any("outside any content root" in m.message for m in session.client.log_messages),
                "the log message",
            )
            assert await session.hover(uri, 0, 0) is None
            assert await session.complete(uri, 0, 0) == []
            assert await session.code_actions(uri, types.Range(types.Position(0, 0), types.Position(0, 1))) == []

    run(scenario)


def test_files_changed_on_disk_and_configuration_reload(site: Path) -> None:
    async def scenario() -> None:
        async with Session(site) as session:
            await session.until(lambda: session.registrations, "the file watcher's registration")
            assert [r.method for r in session.registrations] == [types.WORKSPACE_DID_CHANGE_WATCHED_FILES]
            uri = session.open("articles/hips-and-flat-feet.md")
            assert list(await session.diagnostics_after(uri, 0)) == []
            # A git checkout writes a new exercise with an unknown muscle: picked up from the file event.
            new = site / "exercises" / "new-walks.yaml"
            text = (site / "exercises" / "banded-walks.yaml").read_text(encoding="utf-8")
            new.write_text(
                text.replace("id: banded-walks", "id: new-walks").replace("[gluteus-medius]", "[glute-mdius]")
            )
            mark = len(session.published)
            session.files_changed([(new.as_uri(), types.FileChangeType.Created)])
            found = list(await session.diagnostics_after(new.as_uri(), mark))
            assert any("glute-mdius" in d.message for d in found)
            # The configuration turns that rule off: reloaded on its file event.
            codes = {str(d.code) for d in found}
            config = site.parent / "pyproject.toml"
            config.write_text(
                SITE_CONFIG.replace(
                    "[tool.hipcheck]\n", f"[tool.hipcheck]\nignore = {sorted(codes)!r}\n".replace("'", '"')
                )
            )
            mark = len(session.published)
            session.files_changed([(config.as_uri(), types.FileChangeType.Changed)])
            assert list(await session.diagnostics_after(new.as_uri(), mark)) == []
            new.unlink()
            mark = len(session.published)
            session.files_changed([(new.as_uri(), types.FileChangeType.Deleted)])
            assert list(await session.diagnostics_after(new.as_uri(), mark)) == []

    run(scenario)


def test_a_root_large_enough_for_worker_processes(tmp_path: Path) -> None:
    """The per-file stage forks workers from 200 files on, while the server's reader thread blocks on
    stdin: the build must finish (a child touching the inherited stdin lock would hang forever)."""
    root = tmp_path / "corpus"
    generate = [sys.executable, str(REPO / "benchmarks" / "generate.py"), str(root), "--exercises", "300"]
    subprocess.run(generate, check=True, capture_output=True)
    manifest = json.loads((root / "benchmark-manifest.json").read_text(encoding="utf-8"))
    assert len(list((root / "exercises").glob("*.yaml"))) == 300

    async def scenario() -> None:
        async with Session(root, jobs=2) as session:
            articles = sorted(p.relative_to(root).as_posix() for p in (root / "articles").glob("*.md"))
            defective = sorted(d["path"] for d in manifest["defects"] if d["path"].startswith("articles/"))
            article = (defective or articles)[0]
            uri = session.open(article)
            found = list(await session.diagnostics_after(uri, 0))
            # generate.py seeds its defects and lists them: the server reports exactly those of this file.
            wanted = sorted(d["code"] for d in manifest["defects"] if d["path"] == article)
            assert sorted(str(d.code) for d in found) == wanted

    run(scenario)


def test_a_broken_configuration_is_shown_and_a_fixed_one_picked_up(site: Path) -> None:
    config = site.parent / "pyproject.toml"
    config.write_text(SITE_CONFIG.replace('prescription-profile = "basic"', "prescription-profile = 5"))

    async def scenario() -> None:
        async with Session(site) as session:
            uri = session.open("articles/hips-and-flat-feet.md")
            shown = await session.until(
                lambda: [m for m in session.client.messages if "cannot check" in m.message], "the error message"
            )
            assert "prescription-profile" in shown[0].message and shown[0].type == types.MessageType.Error
            assert session.diagnostics(uri) is None  # nothing checked with a configuration it cannot read
            config.write_text(SITE_CONFIG.replace("[tool.hipcheck]\n", '[tool.hipcheck]\nselect = ["HC301"]\n'))
            session.files_changed([(config.as_uri(), types.FileChangeType.Changed)])
            # Rebuilt with the open document's text: the article (with its authors) is clean under HC301.
            await session.until(lambda: session.diagnostics(uri) is not None, "the article's diagnostics")
            assert list(session.diagnostics(uri) or []) == []
            walks = session.uri("exercises/banded-walks.yaml")
            assert session.diagnostics(walks) is None  # clean files are not published at all

    run(scenario)


def test_an_image_added_on_disk_clears_its_finding(drafts: Path) -> None:
    async def scenario() -> None:
        async with Session(drafts) as session:
            uri = session.open(DRAFT)
            before = list(await session.diagnostics_after(uri, 0))
            missing = [d for d in before if d.code == "HC762"]
            assert len(missing) == 2  # images/foot-arches.jpg and images/hip-muscles.jpg: not in the drafts
            image = drafts / "articles" / "images" / "foot-arches.jpg"
            image.parent.mkdir()
            image.write_bytes(b"\xff\xd8\xff\xe0")  # a JPEG's first bytes: only its presence counts
            mark = len(session.published)
            session.files_changed([(image.as_uri(), types.FileChangeType.Created)])
            after = list(await session.diagnostics_after(uri, mark))
            assert [d.message for d in after if d.code == "HC762"] == [
                d.message for d in missing if "hip-muscles" in d.message
            ]
            assert len(after) == len(before) - 1

    run(scenario)
