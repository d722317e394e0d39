"""External links checked online (HC765-HC767), against a web server the test starts on 127.0.0.1."""

from __future__ import annotations

import json
import time
from itertools import pairwise
from pathlib import Path

import pytest
from link_server import LinkServer, Page

from hipcheck.engine import check_paths
from hipcheck.fix_edits import apply_fixes
from hipcheck.link_settings import LinkSettings
from hipcheck.online.link_checker import LinkChecker
from hipcheck.online.links import private_host, utcnow

from helpers import TODAY, write_tree

CONFIG = """\
select = ["HC765", "HC766", "HC767"]

[links]
allow-private-hosts = true
timeout = 2
host-rate = 5
"""


def _article(*urls: str) -> str:
    links = "\n".join(f"- [link {i}]({url})" for i, url in enumerate(urls))
    return f"---\ntitle: Links\n---\n\n{links}\n"


def _run(root: Path, *, online: bool = True) -> list[tuple[int, str, str]]:
    result = check_paths([str(root)], cwd=root, today=TODAY, online=online, cache=False)
    assert not result.internal_errors, result.internal_errors
    return [(d.span.line, d.code, d.message) for d in result.diagnostics]


@pytest.fixture
def server() -> LinkServer:
    with LinkServer() as running:
        yield running


def test_pages_broken_moved_and_unverifiable(tmp_path: Path, server: LinkServer) -> None:
    ok = server.page("/ok", Page(200))
    gone = server.page("/gone", Page(404))
    moved = server.page("/old", Page(301, {"Location": "/new"}))
    server.page("/new", Page(200))
    temporary = server.page("/temp", Page(302, {"Location": "/ok"}))
    head_refused = server.page("/no-head", Page(405, method="HEAD"), Page(200, body_bytes=10))
    loop = server.page("/loop-a", Page(301, {"Location": "/loop-b"}))
    server.page("/loop-b", Page(308, {"Location": "/loop-a"}))
    error = server.page("/error", Page(503))
    write_tree(
        tmp_path,
        {"hipcheck.toml": CONFIG, "articles/a.md": _article(ok, gone, moved, temporary, head_refused, loop, error)},
    )
    found = _run(tmp_path)
    assert [(line, code) for line, code, _ in found] == [(6, "HC765"), (7, "HC766"), (10, "HC767"), (11, "HC767")]
    assert "the host answered HTTP 404" in found[0][2]
    assert f"has moved permanently to {server.base}/new" in found[1][2]
    assert "redirect loop" in found[2][2]
    assert "HTTP 503" in found[3][2]
    assert [r.method for r in server.requests("/no-head")] == ["HEAD", "GET"]
    assert [r.method for r in server.requests("/ok")] == ["HEAD", "HEAD"]  # asked directly and after /temp


def test_answers_are_cached_and_reported_offline(tmp_path: Path, server: LinkServer) -> None:
    gone = server.page("/gone", Page(410))
    write_tree(tmp_path, {"hipcheck.toml": CONFIG, "articles/a.md": _article(gone)})
    assert [code for _, code, _ in _run(tmp_path)] == ["HC765"]
    cache = json.loads((tmp_path / ".hipcheck" / "links.json").read_text("utf-8"))
    assert cache["entries"][gone]["status"] == "broken"
    asked = len(server.log)
    offline = _run(tmp_path, online=False)
    assert [code for _, code, _ in offline] == ["HC765"] and "from the link cache" in offline[0][2]
    _run(tmp_path)  # online again: the answer has not expired, so nobody is asked
    assert len(server.log) == asked


def test_the_moved_link_fix_writes_the_new_address(tmp_path: Path, server: LinkServer) -> None:
    moved = server.page("/old", Page(308, {"Location": "/new"}))
    server.page("/new", Page(200))
    write_tree(tmp_path, {"hipcheck.toml": CONFIG, "articles/a.md": _article(moved + "#part")})
    result = check_paths([str(tmp_path)], cwd=tmp_path, today=TODAY, online=True, cache=False)
    (diagnostic,) = result.diagnostics
    assert diagnostic.fix is not None and diagnostic.fix.safe
    text = (tmp_path / "articles/a.md").read_text("utf-8")
    fixed, _ = apply_fixes(text, [diagnostic.fix])
    assert fixed == text.replace("/old#part", "/new#part")
    (tmp_path / "articles/a.md").write_text(fixed, "utf-8")
    assert _run(tmp_path) == []


def test_one_host_is_asked_politely(tmp_path: Path, server: LinkServer) -> None:
    urls = [server.page(f"/slow-{i}", Page(200, delay=0.2)) for i in range(6)]
    config = CONFIG.replace("host-rate = 5", "host-rate = 5\nhost-concurrency = 2")
    write_tree(tmp_path, {"hipcheck.toml": config, "articles/a.md": _article(*urls)})
    assert _run(tmp_path) == []
    assert server.peak <= 2
    times = sorted(r.at for r in server.log)
    assert all(b - a >= 0.18 for a, b in pairwise(times))  # 1/5 s apart, less jitter


def test_hostile_answers_are_bounded(tmp_path: Path, server: LinkServer) -> None:
    slow = server.page("/slow", Page(200, delay=5))
    trickle = server.page("/trickle", Page(header_trickle=0.5))
    huge = server.page("/huge", Page(405, method="HEAD"), Page(200, body_bytes=50 * 1024 * 1024))
    hops = [server.page(f"/hop-{i}", Page(302, {"Location": f"/hop-{i + 1}"})) for i in range(10)]
    elsewhere = server.page("/ftp", Page(301, {"Location": "ftp://example.org/file"}))
    write_tree(tmp_path, {"hipcheck.toml": CONFIG, "articles/a.md": _article(slow, trickle, huge, hops[0], elsewhere)})
    started = time.monotonic()
    found = _run(tmp_path)
    assert time.monotonic() - started < 15
    assert [(line, code) for line, code, _ in found] == [(5, "HC767"), (6, "HC767"), (8, "HC767"), (9, "HC767")]
    assert "did not answer within 2 s" in found[0][2] and "did not answer within 2 s" in found[1][2]
    assert "more than 5 redirects" in found[2][2]
    assert "not a web address" in found[3][2]
    assert server.sent < 8 * 1024 * 1024  # the 50 MiB page was not read through


def test_private_addresses_are_not_asked_unless_allowed(tmp_path: Path, server: LinkServer) -> None:
    url = server.page("/ok", Page(200))
    config = CONFIG.replace("allow-private-hosts = true\n", "")
    write_tree(tmp_path, {"hipcheck.toml": config, "articles/a.md": _article(url)})
    found = _run(tmp_path)
    assert [code for _, code, _ in found] == ["HC767"] and "private or loopback" in found[0][2]
    assert server.log == []


@pytest.mark.parametrize(
    ("url", "private"),
    [
        ("http://127.0.0.1/x", True),
        ("http://localhost:8080/", True),
        ("http://10.1.2.3/", True),
        ("http://169.254.169.254/latest/meta-data/", True),
        ("http://[::1]/", True),
        ("https://www.nhs.uk/", False),
        ("https://8.8.8.8/", False),
    ],
)
def test_private_host(url: str, private: bool) -> None:
    assert private_host(url) is private


def test_a_refused_connection_is_unverified_and_no_exception(tmp_path: Path) -> None:
    with LinkServer() as gone:
        url = gone.base + "/x"
    with LinkChecker(LinkSettings.model_validate({"allow-private-hosts": True, "timeout": 1}), "hipcheck-test") as c:
        result = c.check([url], utcnow())[url]
    assert result.status == "unverified" and result.error


def test_offline_without_a_cache_asks_nobody_and_reports_nothing(tmp_path: Path, server: LinkServer) -> None:
    write_tree(tmp_path, {"hipcheck.toml": CONFIG, "articles/a.md": _article(server.page("/gone", Page(404)))})
    assert _run(tmp_path, online=False) == []
    assert server.log == [] and not (tmp_path / ".hipcheck").exists()


def test_a_forged_cache_entry_is_dropped(tmp_path: Path) -> None:
    entries = {
        "https://example.org/a": {"status": "broken", "checked": "2999-01-01T00:00:00Z", "http-status": 404},
        "https://example.org/b": {"status": "exploded", "checked": "2026-01-01T00:00:00Z"},
        "javascript:alert(1)": {"status": "ok", "checked": "2026-01-01T00:00:00Z"},
        "https://example.org/c": {"status": "broken", "checked": "2026-01-01T00:00:00Z", "http-status": 404},
    }
    cache = json.dumps({"version": 1, "entries": entries})
    article = _article("https://example.org/a", "https://example.org/b", "https://example.org/c")
    write_tree(tmp_path, {"hipcheck.toml": CONFIG, ".hipcheck/links.json": cache, "articles/a.md": article})
    found = _run(tmp_path, online=False)
    assert [(line, code) for line, code, _ in found] == [(7, "HC765")]
