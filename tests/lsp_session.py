"""Drive `hipcheck server` over stdio with a real LSP client (pytest-lsp's, on pygls), as an editor does."""

from __future__ import annotations

import asyncio
import os
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from lsprotocol import types
from pytest_lsp import LanguageClient, client_capabilities, make_test_lsp_client

WAIT = 120.0  # seconds a test waits for the server: generous, CI machines are slow and busy


class Session:
    """One server process and its client. Documents are opened with their text from disk unless given."""

    def __init__(self, root: Path, debounce_ms: int = 20, jobs: int = 1) -> None:
        self.root = root
        self.debounce_ms = debounce_ms
        self.jobs = jobs
        self.client: LanguageClient = make_test_lsp_client()
        self.versions: dict[str, int] = {}
        self.texts: dict[str, str] = {}
        self.published: list[tuple[float, str, int]] = []  # (time, uri, count) of every publication
        self.registrations: list[types.Registration] = []

    async def __aenter__(self) -> Session:
        env = dict(os.environ)
        await self.client.start_io(sys.executable, "-m", "hipcheck", "server", "--jobs", str(self.jobs), env=env)

        def on_diagnostics(params: types.PublishDiagnosticsParams) -> None:
            self.client.diagnostics[params.uri] = params.diagnostics
            self.published.append((time.perf_counter(), params.uri, len(params.diagnostics)))

        def on_register(params: types.RegistrationParams) -> None:
            self.registrations.extend(params.registrations)

        self.client.protocol.fm.features[types.CLIENT_REGISTER_CAPABILITY] = on_register
        # pytest-lsp's client keeps only the latest diagnostics; the tests also need when each came.
        self.client.protocol.fm.features[types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS] = on_diagnostics

        await self.client.initialize_session(
            types.InitializeParams(
                capabilities=client_capabilities("visual-studio-code"),
                root_uri=self.root.as_uri(),
                workspace_folders=[types.WorkspaceFolder(uri=self.root.as_uri(), name="content")],
                initialization_options={"debounceMs": self.debounce_ms},
            )
        )
        return self

    async def __aexit__(self, *_: object) -> None:
        await self.client.shutdown_session()

    def uri(self, relative: str) -> str:
        return (self.root / relative).as_uri()

    def open(self, relative: str, text: str | None = None) -> str:
        uri = self.uri(relative)
        text = (self.root / relative).read_text(encoding="utf-8") if text is None else text
        language = "markdown" if relative.endswith(".md") else "yaml"
        self.versions[uri] = 1
        self.texts[uri] = text
        item = types.TextDocumentItem(uri=uri, language_id=language, version=1, text=text)
        self.client.text_document_did_open(types.DidOpenTextDocumentParams(item))
        return uri

    def change(self, uri: str, text: str) -> None:
        """Replace the whole text (a full-document change)."""
        self.versions[uri] += 1
        self.texts[uri] = text
        self.client.text_document_did_change(
            types.DidChangeTextDocumentParams(
                types.VersionedTextDocumentIdentifier(uri=uri, version=self.versions[uri]),
                [types.TextDocumentContentChangeWholeDocument(text=text)],
            )
        )

    def save(self, uri: str) -> None:
        self.client.text_document_did_save(types.DidSaveTextDocumentParams(types.TextDocumentIdentifier(uri)))

    def close(self, uri: str) -> None:
        self.client.text_document_did_close(types.DidCloseTextDocumentParams(types.TextDocumentIdentifier(uri)))

    def files_changed(self, changes: Sequence[tuple[str, types.FileChangeType]]) -> None:
        events = [types.FileEvent(uri=uri, type=kind) for uri, kind in changes]
        self.client.workspace_did_change_watched_files(types.DidChangeWatchedFilesParams(events))

    async def until(self, condition: Callable[[], Any], what: str) -> Any:
        """Wait until `condition()` is truthy (the server answers asynchronously)."""
        deadline = time.monotonic() + WAIT
        while time.monotonic() < deadline:
            if self.client.error is not None:
                raise AssertionError(f"the server failed: {self.client.error}")
            value = condition()
            if value:
                return value
            await asyncio.sleep(0.02)
        raise AssertionError(f"timed out waiting for {what}")

    def diagnostics(self, uri: str) -> Sequence[types.Diagnostic] | None:
        return self.client.diagnostics.get(uri)

    async def diagnostics_after(self, uri: str, since: int) -> Sequence[types.Diagnostic]:
        """The first diagnostics published for `uri` after the `since`-th publication of the session."""
        found = await self.until(
            lambda: next((p for p in self.published[since:] if p[1] == uri), None), f"diagnostics of {uri}"
        )
        del found
        return self.client.diagnostics[uri]

    async def code_actions(self, uri: str, where: types.Range, only: list[str] | None = None) -> list[types.CodeAction]:
        context = types.CodeActionContext(diagnostics=[], only=only)
        found = await self.client.text_document_code_action_async(
            types.CodeActionParams(types.TextDocumentIdentifier(uri), where, context)
        )
        return [a for a in found or [] if isinstance(a, types.CodeAction)]

    async def hover(self, uri: str, line: int, character: int) -> str | None:
        found = await self.client.text_document_hover_async(
            types.HoverParams(types.TextDocumentIdentifier(uri), types.Position(line, character))
        )
        if found is None:
            return None
        assert isinstance(found.contents, types.MarkupContent)
        return found.contents.value

    async def complete(self, uri: str, line: int, character: int) -> list[str]:
        found = await self.client.text_document_completion_async(
            types.CompletionParams(types.TextDocumentIdentifier(uri), types.Position(line, character))
        )
        items = found.items if isinstance(found, types.CompletionList) else found or []
        return [item.label for item in items]


def apply_edits(text: str, edits: Sequence[types.TextEdit]) -> str:
    """Apply LSP edits (UTF-16 positions) to a text, as a client does."""
    lines = text.split("\n")

    def offset(position: types.Position) -> int:
        before = sum(len(line) + 1 for line in lines[: position.line])
        line = lines[position.line] if position.line < len(lines) else ""
        units = 0
        for i, char in enumerate(line):
            if units >= position.character:
                return before + i
            units += 2 if ord(char) > 0xFFFF else 1
        return before + len(line)

    placed = sorted(((offset(e.range.start), offset(e.range.end), e.new_text) for e in edits), reverse=True)
    for start, end, new in placed:
        text = text[:start] + new + text[end:]
    return text
