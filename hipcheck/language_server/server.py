"""`hipcheck server`: a Language Server Protocol server over stdio (pygls).

Each content root a document belongs to is a `Workspace`, built once (in a thread, the per-file stage
in worker processes as `hipcheck check` runs it) and kept current: open documents' unsaved text on
open, change (debounced) and save; files changed on disk through workspace file events; the
configuration reloaded when a configuration file changes. A check's findings are published for every
file whose findings changed, open or not: editing a muscle record re-checks the exercises and articles
that name it. Requests never wait for a check: hover and completion read the last check's snapshot;
fixes are offered only while the document is the text its findings were computed from.
"""

from __future__ import annotations

import asyncio
import gc
import sys
import traceback
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TypeVar

from lsprotocol import types
from pygls.lsp.server import LanguageServer
from pygls.uris import from_fs_path, to_fs_path

from hipcheck import __version__
from hipcheck.add_ignore import with_suppressions
from hipcheck.config import find_config_file, load_config
from hipcheck.diagnostics import Diagnostic, Severity
from hipcheck.fix_edits import apply_fixes
from hipcheck.language_server.assistance import complete, hover
from hipcheck.language_server.positions import DocumentText
from hipcheck.loader.records import kind_of, read_records
from hipcheck.rules.registry import RULES
from hipcheck.targets import enclosing_root
from hipcheck.workspace import Workspace

DEFAULT_DEBOUNCE = 0.15  # seconds after the last keystroke before a check runs
CONFIG_FILES = frozenset({"pyproject.toml", "hipcheck.toml", ".hipcheck.toml"})
FIX_ALL = types.CodeActionKind.SourceFixAll + ".hipcheck"
_SEVERITIES = {
    Severity.ERROR: types.DiagnosticSeverity.Error,
    Severity.WARNING: types.DiagnosticSeverity.Warning,
    Severity.INFO: types.DiagnosticSeverity.Information,
}

T = TypeVar("T")


class HipcheckServer(LanguageServer):
    def __init__(self, jobs: int | None = None) -> None:
        super().__init__("hipcheck", __version__)
        self.jobs = jobs
        self.debounce = DEFAULT_DEBOUNCE
        self.workspaces: dict[Path, asyncio.Future[Workspace | None]] = {}
        self.pending: dict[Path, dict[Path, bytes | None]] = {}  # root -> file -> unsaved text (None: disk)
        self.timers: dict[Path, asyncio.TimerHandle] = {}
        self.locks: dict[Path, asyncio.Lock] = {}
        self.reload_wanted: set[Path] = set()
        self.checks: set[asyncio.Task[None]] = set()
        self.unpublished: set[Path] = set()  # roots built whose findings no check has published yet

    # --- roots and checks -------------------------------------------------------------------------

    def root_of(self, path: Path) -> Path | None:
        """The content root `path` belongs to: the folder above its kind folder, or the configured root."""
        root = enclosing_root(path)
        if root is not None:
            return root
        configured = load_config(path.parent).root_dir
        if configured is not None and kind_of(path, configured) is not None:
            return configured.resolve()
        return None

    async def root_workspace(self, root: Path) -> Workspace | None:
        if root not in self.workspaces:
            future: asyncio.Future[Workspace | None] = asyncio.get_running_loop().create_future()
            self.workspaces[root] = future
            try:
                built = await asyncio.to_thread(without_collector, lambda: Workspace(root, jobs=self.jobs))
                gc.freeze()  # the index lives as long as the server: later collections need not scan it
                self.info(f"indexed {len(built.results)} files under {root}")
                future.set_result(built)
            except Exception as error:  # a broken root (a bad configuration file) must not take the server down
                message = f"hipcheck cannot check {root}: {' '.join(str(error).split())}"
                self.error(message, error)
                self.window_show_message(types.ShowMessageParams(types.MessageType.Error, message))
                future.set_result(None)  # until a configuration file changes (reload_for_config)
            self.unpublished.add(root)  # the first check publishes every file's findings
        return await asyncio.shield(self.workspaces[root])

    def change(self, path: Path, text: bytes | None, delay: float, root: Path | None = None) -> None:
        """Queue a file's change for its root's next check, which starts after `delay` seconds unless
        another change comes first."""
        root = root or self.root_of(path)
        if root is None:
            self.publish_now(path, None)
            self.info(f"{path}: outside any content root; not checked")
            return
        self.pending.setdefault(root, {})[path] = text
        self.schedule(root, delay)

    def schedule(self, root: Path, delay: float) -> None:
        timer = self.timers.pop(root, None)
        if timer is not None:
            timer.cancel()
        loop = asyncio.get_running_loop()
        self.timers[root] = loop.call_later(delay, self._start_check, root)

    def _start_check(self, root: Path) -> None:
        self.timers.pop(root, None)
        task = asyncio.ensure_future(self.check(root))
        self.checks.add(task)
        task.add_done_callback(self.checks.discard)

    async def check(self, root: Path) -> None:
        lock = self.locks.setdefault(root, asyncio.Lock())
        async with lock:
            workspace = await self.root_workspace(root)
            changes = self.pending.pop(root, {})
            reload = root in self.reload_wanted
            self.reload_wanted.discard(root)
            if workspace is None:
                return
            everything = set(workspace.findings) if root in self.unpublished else set()
            if root in self.unpublished:  # built now (again, after a failure): with every open document
                changes = {**self.open_documents(root), **changes}
            self.unpublished.discard(root)
            if not (changes or reload):
                await self.publish(everything, workspace)
                return
            try:
                changed = await asyncio.to_thread(self._apply, workspace, changes, reload)
            except Exception as error:  # a bug in a check is logged; the server keeps serving
                self.error(f"check of {root} failed: {type(error).__name__}: {error}", error)
                return
            for message in workspace.internal_errors:
                self.error(message)
            await self.publish(everything | changed | set(changes), workspace)

    @staticmethod
    def _apply(workspace: Workspace, changes: dict[Path, bytes | None], reload: bool) -> set[Path]:
        return without_collector(lambda: workspace.update(changes.items(), reload=reload))

    async def publish(self, paths: Iterable[Path], workspace: Workspace) -> None:
        for path in sorted(paths):
            self.publish_now(path, workspace)

    def publish_now(self, path: Path, workspace: Workspace | None) -> None:
        """Publish a file's findings (none outside a workspace), placed in the text they were found in."""
        findings, text = workspace.findings_and_text(path) if workspace is not None else ([], None)
        document = DocumentText(text or "")
        diagnostics = [to_lsp(d, document, workspace) for d in findings]
        uri = from_fs_path(str(path)) or path.as_uri()
        self.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=uri, diagnostics=diagnostics))

    def open_documents(self, root: Path) -> dict[Path, bytes | None]:
        """The editor's text of the documents open under `root`."""
        found: dict[Path, bytes | None] = {}
        for uri, document in list(self.workspace.text_documents.items()):
            name = to_fs_path(uri)
            path = Path(name).resolve() if name else None
            if path is not None and self.root_of(path) == root:
                found[path] = document.source.encode("utf-8", "surrogatepass")
        return found

    # --- what a request asks about ----------------------------------------------------------------

    def current(self, uri: str) -> tuple[Path, Workspace, str] | None:
        """The document's path, its settled workspace and its text as the editor holds it."""
        name = to_fs_path(uri)
        if name is None:
            return None
        path = Path(name).resolve()
        root = self.root_of(path)
        future = self.workspaces.get(root) if root is not None else None
        if future is None or not future.done() or future.result() is None:
            return None
        workspace = future.result()
        assert workspace is not None
        return path, workspace, self.workspace.get_text_document(uri).source

    # --- logging ----------------------------------------------------------------------------------

    def info(self, message: str) -> None:
        self.window_log_message(types.LogMessageParams(types.MessageType.Info, message))

    def error(self, message: str, error: BaseException | None = None) -> None:
        detail = "".join(traceback.format_exception(error)) if error is not None else ""
        self.window_log_message(types.LogMessageParams(types.MessageType.Error, message + ("\n" + detail)))


def without_collector(work: Callable[[], T]) -> T:
    """Run `work` with the cyclic garbage collector paused, as `hipcheck check` runs: a check builds many
    small acyclic objects, which reference counting frees, and collection passes over them would only
    cost time (a pass over a 10,000-record index takes a tenth of a second)."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        return work()
    finally:
        if collecting:
            gc.enable()


def to_lsp(diagnostic: Diagnostic, document: DocumentText, workspace: Workspace | None) -> types.Diagnostic:
    rule = RULES.get(diagnostic.code)
    source_file = rule.source if rule is not None else ""
    related = _related(diagnostic, workspace) if workspace is not None else []
    return types.Diagnostic(
        range=document.range(diagnostic.span),
        message=diagnostic.message,
        severity=_SEVERITIES[diagnostic.severity],
        code=diagnostic.code,
        code_description=types.CodeDescription(href=Path(source_file).as_uri()) if source_file else None,
        source="hipcheck",
        related_information=related or None,
        data={"name": diagnostic.name, "line": diagnostic.span.line, "column": diagnostic.span.column},
    )


def _related(diagnostic: Diagnostic, workspace: Workspace) -> list[types.DiagnosticRelatedInformation]:
    """The other records a finding is about (a duplicate's twin, the group a definition disagrees with)
    and the files its message cites, each at its start."""
    found: list[types.DiagnosticRelatedInformation] = []
    seen = {diagnostic.path}
    index = workspace.snapshot.index
    places: list[tuple[str, str]] = []
    for key in diagnostic.related:
        kind, _, record_id = key.partition(":")
        for record in index.by_kind.get(kind, {}).get(record_id, []):
            places.append((record.path, f"{kind} {record_id}"))
    places += [(path, "cited in the message") for path in diagnostic.cites]
    for path, what in places:
        if path in seen:
            continue
        seen.add(path)
        uri = (workspace.root / path).as_uri()
        start = types.Range(types.Position(0, 0), types.Position(0, 0))
        found.append(types.DiagnosticRelatedInformation(types.Location(uri, start), what))
    return found


# --- the server's features ----------------------------------------------------------------------------


def build_server(jobs: int | None = None) -> HipcheckServer:
    server = HipcheckServer(jobs)

    def path_of(uri: str) -> Path | None:
        name = to_fs_path(uri)
        return Path(name).resolve() if name else None

    @server.feature(types.INITIALIZE)
    def initialize(ls: HipcheckServer, params: types.InitializeParams) -> None:
        options = params.initialization_options
        if isinstance(options, dict) and isinstance(options.get("debounceMs"), int | float):
            ls.debounce = max(0.0, float(options["debounceMs"]) / 1000)

    @server.feature(types.INITIALIZED)
    async def initialized(ls: HipcheckServer, params: types.InitializedParams) -> None:
        capabilities = ls.client_capabilities.workspace
        watched = capabilities.did_change_watched_files if capabilities else None
        if watched is not None and watched.dynamic_registration:
            watchers = [types.FileSystemWatcher(glob_pattern="**/*")]
            registration = types.Registration(
                id="hipcheck-files",
                method=types.WORKSPACE_DID_CHANGE_WATCHED_FILES,
                register_options=types.DidChangeWatchedFilesRegistrationOptions(watchers=watchers),
            )
            try:
                await ls.client_register_capability_async(types.RegistrationParams([registration]))
            except Exception as error:  # the client refused: no file events, the rest works
                ls.error(f"file events not registered: {error}")

    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    def did_open(ls: HipcheckServer, params: types.DidOpenTextDocumentParams) -> None:
        path = path_of(params.text_document.uri)
        if path is not None:
            ls.change(path, params.text_document.text.encode("utf-8", "surrogatepass"), 0)

    @server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(ls: HipcheckServer, params: types.DidChangeTextDocumentParams) -> None:
        path = path_of(params.text_document.uri)
        if path is not None:
            text = ls.workspace.get_text_document(params.text_document.uri).source
            ls.change(path, text.encode("utf-8", "surrogatepass"), ls.debounce)

    @server.feature(types.TEXT_DOCUMENT_DID_SAVE)
    def did_save(ls: HipcheckServer, params: types.DidSaveTextDocumentParams) -> None:
        path = path_of(params.text_document.uri)
        if path is None:
            return
        if path.name in CONFIG_FILES:
            reload_for_config(ls, path)
            return
        text = ls.workspace.get_text_document(params.text_document.uri).source
        ls.change(path, text.encode("utf-8", "surrogatepass"), 0)

    @server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls: HipcheckServer, params: types.DidCloseTextDocumentParams) -> None:
        path = path_of(params.text_document.uri)
        if path is not None:
            ls.change(path, None, 0)

    @server.feature(types.WORKSPACE_DID_CHANGE_WATCHED_FILES)
    def did_change_watched(ls: HipcheckServer, params: types.DidChangeWatchedFilesParams) -> None:
        for event in params.changes:
            path = path_of(event.uri)
            if path is None:
                continue
            if path.name in CONFIG_FILES:
                reload_for_config(ls, path)
                continue
            # The (deepest) root being served that holds the file: a record's, or an image's, a link target's.
            roots = [r for r in ls.workspaces if r in path.parents]
            if not roots:
                continue
            root = max(roots, key=lambda r: len(r.parts))
            if any(part.startswith(".") for part in path.relative_to(root).parts):
                continue  # .git, .hipcheck_cache, editors' folders: never content (discovery skips them too)
            future = ls.workspaces[root]
            workspace = future.result() if future.done() else None
            if workspace is not None and path in workspace.unsaved:
                continue  # open in the editor: its text, not the disk's, is what the author sees
            ls.change(path, None, ls.debounce, root)

    @server.feature(
        types.TEXT_DOCUMENT_CODE_ACTION,
        types.CodeActionOptions(code_action_kinds=[types.CodeActionKind.QuickFix, FIX_ALL]),
    )
    def code_action(ls: HipcheckServer, params: types.CodeActionParams) -> list[types.CodeAction]:
        found = ls.current(params.text_document.uri)
        if found is None:
            return []
        path, workspace, text = found
        return code_actions(params, path, workspace, text)

    @server.feature(types.TEXT_DOCUMENT_HOVER)
    def on_hover(ls: HipcheckServer, params: types.HoverParams) -> types.Hover | None:
        found = ls.current(params.text_document.uri)
        if found is None:
            return None
        path, workspace, text = found
        document = DocumentText(text)
        kind, body_offset = _kind_and_body(path, workspace, text)
        said = hover(text, document.offset(params.position), kind, body_offset, workspace.snapshot)
        if said is None:
            return None
        return types.Hover(types.MarkupContent(types.MarkupKind.Markdown, said))

    @server.feature(
        types.TEXT_DOCUMENT_COMPLETION, types.CompletionOptions(trigger_characters=["@", "-", "[", ",", " "])
    )
    def on_completion(ls: HipcheckServer, params: types.CompletionParams) -> types.CompletionList:
        found = ls.current(params.text_document.uri)
        if found is None:
            return types.CompletionList(is_incomplete=False, items=[])
        path, workspace, text = found
        document = DocumentText(text)
        kind, body_offset = _kind_and_body(path, workspace, text)
        items = complete(text, document.offset(params.position), kind, body_offset, workspace.snapshot)
        kinds = {
            "reference": types.CompletionItemKind.Reference,
            "muscle": types.CompletionItemKind.Value,
            "exercise": types.CompletionItemKind.Value,
        }
        return types.CompletionList(
            is_incomplete=False,
            items=[types.CompletionItem(label=i.label, detail=i.detail or None, kind=kinds[i.kind]) for i in items],
        )

    return server


def reload_for_config(ls: HipcheckServer, config_file: Path) -> None:
    """A configuration file changed: reload every root it can configure (its folder and those below)."""
    for root, future in list(ls.workspaces.items()):
        if root == config_file.parent or config_file.parent in root.parents:
            if future.done() and future.result() is None:  # it failed to build: try again from scratch
                del ls.workspaces[root]
                ls.schedule(root, 0)
                continue
            if find_config_file(root) not in (None, config_file) and config_file.parent != root:
                continue  # a nearer configuration file decides for this root
            ls.reload_wanted.add(root)
            ls.schedule(root, 0)


def _kind_and_body(path: Path, workspace: Workspace, text: str) -> tuple[str, int]:
    kind = kind_of(path, workspace.root) or ""
    if kind != "article":
        return kind, 0
    record = read_records(path, kind, path.name, text.encode("utf-8", "surrogatepass"))[0]
    return kind, record.body_offset


def code_actions(params: types.CodeActionParams, path: Path, workspace: Workspace, text: str) -> list[types.CodeAction]:
    """Each finding's fix (safe ones preferred, unsafe ones marked), a suppression for each finding,
    and one action applying every safe fix in the file. None while the document differs from the text
    the findings were computed from: an edit placed by stale offsets could corrupt it."""
    findings, checked = workspace.findings_and_text(path)
    if checked != text:
        return []
    document = DocumentText(text)
    uri = params.text_document.uri
    wanted = params.context.only

    def allowed(kind: str) -> bool:
        return not wanted or any(kind == w or kind.startswith(w + ".") for w in wanted)

    def action(title: str, kind: str, new: str, diagnostics: list[types.Diagnostic], preferred: bool) -> None:
        edit = document.edit_to(new)
        if edit is not None and allowed(kind):
            change = types.WorkspaceEdit(changes={uri: [edit]})
            actions.append(
                types.CodeAction(title, kind=kind, diagnostics=diagnostics, edit=change, is_preferred=preferred)
            )

    actions: list[types.CodeAction] = []
    for diagnostic in findings:
        shown = to_lsp(diagnostic, document, None)
        if not _overlaps(shown.range, params.range):
            continue
        fix = diagnostic.fix
        if fix is not None:
            new, applied = apply_fixes(text, [fix])
            if applied:
                label = f"{diagnostic.code}: {fix.description}" + ("" if fix.safe else " (unsafe fix)")
                action(label, types.CodeActionKind.QuickFix, new, [shown], fix.safe)
        suppressed = _suppressed(path, workspace, text, diagnostic)
        if suppressed is not None:
            action(
                f"Suppress {diagnostic.code} ({diagnostic.name}) here",
                types.CodeActionKind.QuickFix,
                suppressed,
                [shown],
                False,
            )
    safe = [d.fix for d in findings if d.fix is not None and d.fix.safe]
    if safe:
        new, _ = apply_fixes(text, safe)
        action("hipcheck: apply every safe fix in this file", FIX_ALL, new, [], False)
    return actions


def _suppressed(path: Path, workspace: Workspace, text: str, diagnostic: Diagnostic) -> str | None:
    """The text with the suppression `--add-ignore` would write for this finding; None when no inline
    comment can silence it."""
    kind = kind_of(path, workspace.root)
    if kind is None:
        return None
    raw = text.encode("utf-8", "surrogatepass")
    relative = diagnostic.path
    old = read_records(path, kind, relative, raw)
    if not old:
        return None
    wanted = {(diagnostic.span.line, diagnostic.code)}
    new, count, _ = with_suppressions(text, old, relative, wanted, None, raw, path, kind)
    return new if count else None


def _overlaps(a: types.Range, b: types.Range) -> bool:
    def key(p: types.Position) -> tuple[int, int]:
        return (p.line, p.character)

    return key(a.start) <= key(b.end) and key(b.start) <= key(a.end)


def serve(jobs: int | None = None) -> int:
    """Serve over stdin/stdout until the client says exit."""
    server = build_server(jobs)
    stdin, stdout = sys.stdin.buffer, sys.stdout.buffer
    # The per-file stage forks worker processes while a thread blocks reading stdin. A child that touched
    # sys.stdin (multiprocessing closes it on start) or flushed sys.stdout would wait forever for a lock
    # held in the parent at the fork. The protocol gets the streams; the rest of the process gets none
    # (stdout must carry nothing but the protocol anyway).
    sys.stdin = None
    sys.stdout = sys.stderr
    server.start_io(stdin, stdout)
    return 0
