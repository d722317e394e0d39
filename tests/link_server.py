"""A local web server for the external-link tests: pages, redirects and misbehaving answers on 127.0.0.1.

Each path has a list of replies (the last one repeats), served to HEAD and GET alike unless a reply is
for one method only. A reply may wait before answering, trickle its headers byte by byte, or send a
body of many megabytes. Every request is logged, and the peak number answered at once is counted.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Page:
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    body_bytes: int = 0  # bytes of filler sent after the headers (to GET only)
    delay: float = 0.0  # seconds before answering
    header_trickle: float = 0.0  # seconds between header bytes (40 of them, then the answer never ends)
    method: str | None = None  # "HEAD" or "GET": answers only that method (the other gets the next reply)


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    at: float


class LinkServer:
    def __init__(self) -> None:
        self.pages: dict[str, list[Page]] = {}
        self.log: list[Request] = []
        self.active = 0
        self.peak = 0
        self.sent = 0  # body bytes written
        self._lock = threading.Lock()
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self._httpd.daemon_threads = True
        self._httpd.links = self  # type: ignore[attr-defined]
        self._thread = threading.Thread(target=self._httpd.serve_forever, args=(0.05,), daemon=True)

    def __enter__(self) -> LinkServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    @property
    def base(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    def page(self, path: str, *pages: Page) -> str:
        self.pages[path] = list(pages)
        return self.base + path

    def requests(self, path: str) -> list[Request]:
        return [r for r in self.log if r.path == path]

    def _reply(self, method: str, path: str) -> Page:
        with self._lock:
            self.log.append(Request(method, path, time.monotonic()))
            pages = self.pages.get(path)
            if not pages:
                return Page(404)
            for i, page in enumerate(pages):
                if page.method in (None, method):
                    if i < len(pages) - 1:  # each reply but the last is served once
                        del pages[i]
                    return page
            return Page(404)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_HEAD(self) -> None:
        self._serve("HEAD")

    def do_GET(self) -> None:
        self._serve("GET")

    def _serve(self, method: str) -> None:
        server: LinkServer = self.server.links  # type: ignore[attr-defined]
        page = server._reply(method, self.path)
        with server._lock:
            server.active += 1
            server.peak = max(server.peak, server.active)
        try:
            if page.delay:
                time.sleep(page.delay)
            if page.header_trickle:
                for byte in b"HTTP/1.1 200 OK\r\nX-Slow: " + b"a" * 23:
                    self.wfile.write(bytes([byte]))
                    self.wfile.flush()
                    time.sleep(page.header_trickle)
                self.close_connection = True
                return
            self.send_response(page.status)
            for name, value in page.headers.items():
                self.send_header(name, value)
            length = page.body_bytes if method == "GET" else 0
            self.send_header("Content-Length", str(length))
            self.end_headers()
            chunk = b" " * 65536
            written = 0
            try:
                while written < length:
                    part = chunk[: min(len(chunk), length - written)]
                    self.wfile.write(part)
                    written += len(part)
                    with server._lock:
                        server.sent += len(part)
            except (BrokenPipeError, ConnectionResetError):
                self.close_connection = True
        finally:
            with server._lock:
                server.active -= 1
