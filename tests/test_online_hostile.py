"""Online verification against hostile and broken servers, and a forged verification cache.

Every case runs against the local replay server (127.0.0.1) with small limits, and asserts three
things: the run ends within a bound, memory stays within the body cap, and the outcome is
"unverified" (HC529, information) rather than a false error or a traceback.
"""

from __future__ import annotations

import contextlib
import http.server
import json
import shutil
import threading
import time
import tracemalloc
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from test_online import _local_network_only, codes, content, findings, reference, run, settings_for  # noqa: F401

import hipcheck.online.http as http_module
from hipcheck.caching.answers import AnswerCache
from hipcheck.online import Result
from hipcheck.online.compare import disagreements
from hipcheck.online.http import Answer, Service, Unverifiable, retry_after
from hipcheck.online.results import Metadata
from hipcheck.online.services import crossref_work, doi_exists, parse_crossref, parse_pubmed, pubmed_summaries
from hipcheck.online.verifier import Verifier

from online_server import (
    FICTIONAL,
    FICTIONAL_TITLE,
    MISSING,
    PMID_FOUND,
    ReplayServer,
    Reply,
    crossref_ok,
    install_standard,
    work_message,
)

MiB = 1024 * 1024
TIMEOUT = 1.0  # the per-request bound these tests configure
BOUND = 3 * TIMEOUT  # wall time a hostile request may take, with room for a loaded machine
CAP = 1 * MiB  # the body cap these tests configure
ERRORS = {"HC520", "HC521", "HC522", "HC523", "HC524", "HC525"}


@contextmanager
def bounded(seconds: float, peak_bytes: int | None = None) -> Iterator[None]:
    """The block ends within `seconds` and (when given) allocates at most `peak_bytes` at once."""
    if peak_bytes is not None:
        tracemalloc.start()
    started = time.monotonic()
    try:
        yield
    finally:
        elapsed = time.monotonic() - started
        peak = tracemalloc.get_traced_memory()[1] if peak_bytes is not None else 0
        if peak_bytes is not None:
            tracemalloc.stop()
    assert elapsed < seconds, f"took {elapsed:.1f} s"
    if peak_bytes is not None:
        assert peak < peak_bytes, f"peak {peak / MiB:.1f} MiB"


@pytest.fixture
def server() -> Iterator[ReplayServer]:
    with ReplayServer() as replay:
        install_standard(replay)
        yield replay


@pytest.fixture(autouse=True)
def _small_body_cap(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(http_module, "MAX_BODY_BYTES", CAP, raising=False)


def hostile(server: ReplayServer, **overrides: Any) -> Any:
    return settings_for(server, **{"timeout": TIMEOUT, "retries": 0, "deadline": 10, **overrides})


def only_unverified(tmp_path: Path, server: ReplayServer, doi: str, **overrides: Any) -> Result:
    """Verify one DOI; it must come out unverified (HC529 alone), never as an error finding."""
    root, records = content(tmp_path, a=reference("a", doi=doi))
    results, _ = run(root, records, hostile(server, **overrides))
    result = results[f"doi:{doi}"]
    assert result.status != "not-found" and result.error
    assert codes(findings(records, results)) == ["HC529"]
    return result


def crossref_body() -> bytes:
    body = crossref_ok(FICTIONAL, work_message(FICTIONAL_TITLE, "Example", "Ada", "J", 2020)).body
    return json.dumps(body).encode()


# --- time ---------------------------------------------------------------------------------------------


def test_trickled_body_is_cut_at_the_request_bound(tmp_path: Path, server: ReplayServer) -> None:
    server.work(FICTIONAL, Reply(200, crossref_body(), trickle=0.5))
    with bounded(BOUND):
        result = only_unverified(tmp_path, server, FICTIONAL)
    assert result.error == f"Crossref did not answer within {TIMEOUT:g} s"


def test_trickled_headers_are_cut_at_the_request_bound(tmp_path: Path, server: ReplayServer) -> None:
    server.work(FICTIONAL, Reply(header_trickle=0.5))
    with bounded(BOUND):
        result = only_unverified(tmp_path, server, FICTIONAL)
    assert result.error == f"Crossref did not answer within {TIMEOUT:g} s"


@pytest.mark.parametrize(
    "wait", ["1000000000", "9" * 400, "Fri, 31 Dec 9999 23:59:59 GMT", "Mon, 01 Jan 2125 00:00:00 GMT"]
)
def test_429_with_a_huge_retry_after_gives_up(tmp_path: Path, server: ReplayServer, wait: str) -> None:
    server.work(FICTIONAL, Reply(429, "slow down", {"Retry-After": wait}))
    with bounded(BOUND):
        result = only_unverified(tmp_path, server, FICTIONAL, retries=3)
    assert "gave up" in (result.error or "")


def test_persistent_500_is_unverified(tmp_path: Path, server: ReplayServer) -> None:
    server.work(FICTIONAL, Reply(500, "Internal Server Error"))
    with bounded(BOUND):
        result = only_unverified(tmp_path, server, FICTIONAL)
    assert result.error == "Crossref answered HTTP 500 1 times; gave up"


# --- size ---------------------------------------------------------------------------------------------


def test_huge_declared_body_is_refused_unread(tmp_path: Path, server: ReplayServer) -> None:
    server.work(FICTIONAL, Reply(200, crossref_body(), filler=48 * MiB, length=1_200_000_000))
    with bounded(BOUND, peak_bytes=8 * CAP):
        result = only_unverified(tmp_path, server, FICTIONAL)
    assert result.error == "Crossref sent an answer larger than 1 MiB; not read"


def test_endless_body_stops_at_the_cap(tmp_path: Path, server: ReplayServer) -> None:
    server.work(FICTIONAL, Reply(200, crossref_body(), filler=48 * MiB))  # no Content-Length
    with bounded(BOUND, peak_bytes=8 * CAP):
        result = only_unverified(tmp_path, server, FICTIONAL)
    assert result.error == "Crossref sent an answer larger than 1 MiB; not read"


@pytest.mark.parametrize("length", ["9" * 5000, str(2 * CAP)])
def test_any_transport_is_capped(tmp_path: Path, server: ReplayServer, length: str) -> None:
    """The cap holds for a transport other than the default one too, whatever Content-Length claims."""

    def answer(request: httpx.Request) -> httpx.Response:
        if "/crossref/" not in request.url.path:
            return httpx.Response(200, json={"responseCode": 1})
        return httpx.Response(200, headers={"Content-Length": length}, stream=httpx.ByteStream(b" " * (2 * CAP)))

    root, records = content(tmp_path, a=reference("a", doi=FICTIONAL))
    results, _ = run(root, records, hostile(server), transport=httpx.MockTransport(answer))
    assert results[f"doi:{FICTIONAL}"].error == "Crossref sent an answer larger than 1 MiB; not read"


# --- redirects ------------------------------------------------------------------------------------------

REDIRECTED = "10.5555/hipcheck.redirected"


@pytest.mark.parametrize(
    "location",
    [
        "/doi/api/handles/10.5555/hipcheck.nowhere",  # the same service, answering 404 "handle not found"
        "http://localhost:{port}/doi/api/handles/10.5555/hipcheck.nowhere",  # another host
        "file:///etc/passwd",
        "ftp://127.0.0.1/doi",
    ],
)
def test_redirects_are_not_followed(tmp_path: Path, server: ReplayServer, location: str) -> None:
    port = server.url.rsplit(":", 1)[1]
    server.handle(REDIRECTED, Reply(302, "", {"Location": location.format(port=port)}))
    with bounded(BOUND):
        result = only_unverified(tmp_path, server, REDIRECTED)
    assert result.status == "unverified" and "redirected" in (result.error or "")
    assert server.requests("doi", "nowhere") == []


def test_a_404_without_the_handle_apis_answer_is_not_a_verdict(tmp_path: Path, server: ReplayServer) -> None:
    server.handle(REDIRECTED, Reply(404, "<html>Not Found</html>", {"Content-Type": "text/html"}))
    result = only_unverified(tmp_path, server, REDIRECTED)
    assert result.error == "doi.org answered HTTP 404 without its 'handle not found' answer"


# --- hostile answers ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        b"[" * 100_000,  # json's RecursionError
        b"\xff\xfe\xfa",
        b"null",
        b'{"status": "ok", "message": []}',
        b'{"status": "ok", "message": {"DOI": "x", "updated-by": ' + b"[" * 100_000 + b"]",
    ],
)
def test_unusable_crossref_answers_are_unverified(tmp_path: Path, server: ReplayServer, body: bytes) -> None:
    server.work(FICTIONAL, Reply(200, body))
    with bounded(BOUND):
        only_unverified(tmp_path, server, FICTIONAL)


@pytest.mark.parametrize(
    "message",
    [
        {"issued": {"date-parts": [["²³"]]}},
        {"issued": {"date-parts": [[2020, "١٢", 10**30]]}, "published": {"date-parts": [[-5]]}},
        {"updated-by": [{"type": "retraction", "updated": {"date-parts": [["2023", "13", "99"]]}, "DOI": 7}]},
        {"title": {"a": 1}, "author": "nobody", "container-title": 5, "update-to": {"type": "x"}},
    ],
)
def test_odd_crossref_fields_are_ignored(tmp_path: Path, server: ReplayServer, message: dict[str, Any]) -> None:
    server.work(FICTIONAL, crossref_ok(FICTIONAL, message))
    root, records = content(tmp_path, a=reference("a", doi=FICTIONAL))
    results, _ = run(root, records, hostile(server))
    assert not ERRORS - {"HC522"} & set(codes(findings(records, results)))
    for update in results[f"doi:{FICTIONAL}"].updates:
        assert update.date is None or update.date == "2023"


@pytest.mark.parametrize(
    "answer",
    [
        {"result": {PMID_FOUND: {"uid": PMID_FOUND, "articleids": 5, "pubdate": ["2020"]}}},
        {"result": {PMID_FOUND: {"pubdate": "²⁰²⁰ Jan", "authors": [{"name": 5}], "title": {"x": 1}}}},
        {"result": [PMID_FOUND]},
    ],
)
def test_odd_pubmed_answers_are_ignored(tmp_path: Path, server: ReplayServer, answer: dict[str, Any]) -> None:
    server.esummary(Reply(200, answer))
    root, records = content(tmp_path, a=reference("a", pmid=PMID_FOUND))
    results, _ = run(root, records, hostile(server))
    assert not ERRORS & set(codes(findings(records, results)))


def test_doi_org_answer_of_the_wrong_shape_is_unverified(tmp_path: Path, server: ReplayServer) -> None:
    nested: Any = 1
    for _ in range(900):
        nested = [nested]
    server.handle(REDIRECTED, Reply(200, {"responseCode": nested, "handle": "x" * 100_000}))
    result = only_unverified(tmp_path, server, REDIRECTED)
    assert len(result.error or "") < 200


# --- the answer parsers, fed anything -------------------------------------------------------------------

FIELDS = (
    "date-parts", "issued", "published", "published-print", "published-online", "title", "subtitle", "author",
    "family", "name", "sequence", "container-title", "short-container-title", "updated-by", "update-to", "type",
    "DOI", "source", "label", "updated", "pubdate", "epubdate", "authors", "authtype", "articleids", "idtype",
    "value", "fulljournalname",
)  # fmt: skip
SCALARS = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=True)
    | st.text(alphabet=st.sampled_from("0123456789²³¹⁰١٢٣߀𝟘 -_aZ\u0000\u202e"), max_size=8)
    | st.text(max_size=12)
)
JSON = st.recursive(
    SCALARS,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.sampled_from(FIELDS) | st.text(max_size=4), inner, max_size=6)
    ),
    max_leaves=40,
)
MESSAGES = st.dictionaries(st.sampled_from(FIELDS), JSON, max_size=10)


@settings(max_examples=150, deadline=None)
@given(MESSAGES)
@example({"issued": {"date-parts": [["²³"]]}})
@example({"updated-by": [{"type": "retraction", "updated": {"date-parts": [[2023, "²"]]}}]})
@example({"articleids": 5, "pubdate": "٢٠٢٠"})
def test_parsers_never_raise(message: dict[str, Any]) -> None:
    for parse in (parse_crossref, parse_pubmed):
        with contextlib.suppress(Unverifiable):  # the module's own refusal of an unusable answer
            parse(message)


class _Canned:
    """A Fetcher that answers every request with one status and body."""

    def __init__(self, status: int, body: bytes) -> None:
        self.answer = Answer(httpx.Response(status), body)

    def get(self, service: Service, url: str, params: dict[str, str] | None = None) -> Answer:
        return self.answer


@settings(max_examples=300, deadline=None)
@given(
    st.sampled_from([200, 404]),
    JSON.map(lambda value: json.dumps(value).encode())
    | st.binary(max_size=30)
    | st.integers(1, 3000).map(lambda depth: b"[" * depth + b"]" * depth),
)
@example(200, b'{"responseCode": true}')
@example(404, b'{"responseCode": 100.0}')
@example(200, b'{"status": "ok", "message": {"issued": {"date-parts": [["\\u00b2\\u00b3"]]}}}')
@example(200, b'{"result": {"1": {"articleids": 5}}}')
def test_service_answers_never_raise(status: int, body: bytes) -> None:
    service = Service("test", 1.0, 1, time.monotonic, time.sleep)
    fetcher: Any = _Canned(status, body)
    for ask in (
        lambda: doi_exists(fetcher, service, "http://127.0.0.1", "10.5555/x"),
        lambda: crossref_work(fetcher, service, "http://127.0.0.1", "10.5555/x", None),
        lambda: pubmed_summaries(fetcher, service, "http://127.0.0.1", ["1", "2"], {}),
    ):
        with contextlib.suppress(Unverifiable):
            ask()


@settings(max_examples=200, deadline=None)
@given(
    st.text(st.characters(min_codepoint=32, max_codepoint=126), max_size=40)
    | st.from_regex(r"[A-Z][a-z]{2}, [0-9]{2} [A-Z][a-z]{2} [0-9]{1,6} [0-9]{2}:[0-9]{2}:[0-9]{2} GMT", fullmatch=True)
)
@example("Mon, 01 Jan 0000 00:00:00 GMT")
def test_retry_after_never_raises(value: str) -> None:
    import datetime as dt

    waited = retry_after(httpx.Response(429, headers={"Retry-After": value}), dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
    assert waited is None or waited >= 0


def test_record_year_in_odd_digits_is_ignored() -> None:
    theirs = Metadata("crossref", title=FICTIONAL_TITLE, years=(2020,))
    assert disagreements({"title": FICTIONAL_TITLE, "issued": {"date-parts": [["²³"]]}}, theirs, 90) == []


# --- the verification cache ---------------------------------------------------------------------------------


def cache_file(root: Path, text: str | bytes) -> Path:
    path = root / ".hipcheck" / "verification.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text if isinstance(text, bytes) else text.encode())
    return path


def entries(**found: Any) -> str:
    return json.dumps({"version": 1, "entries": found})


FOREVER = {"checked": "2026-11-01T00:00:00Z", "expires": "2027-04-30T00:00:00Z"}


@pytest.mark.parametrize(
    "text",
    [
        "{}",
        "[]",
        "null",
        '{"version": 1, "entries": []}',
        '{"version": 1, "entries": null}',
        entries(**{f"doi:{FICTIONAL}": []}),
        entries(**{f"doi:{FICTIONAL}": {"status": "found", "aspects": []}}),
        entries(**{f"doi:{FICTIONAL}": {"status": "found", "aspects": {"exists": {"checked": 5, "expires": []}}}}),
        "[" * 100_000,
        '{"version": 1, "entries": {"doi:x": ' + "[" * 100_000 + "]}}",
        b"\xff\xfe\x00\xd8",
        entries(**{f"doi:{FICTIONAL}": {"status": "found", "checked": "9999-12-31T23:59:59-05:00"}}),
    ],
)
def test_any_cache_file_is_read_without_crashing(tmp_path: Path, server: ReplayServer, text: str) -> None:
    root, records = content(tmp_path, a=reference("a", doi=FICTIONAL))
    cache_file(root, text)
    offline, messages = run(root, records, hostile(server), online=False)
    assert text in ("{}",) or messages or offline == {}
    online, _ = run(root, records, hostile(server))
    assert online[f"doi:{FICTIONAL}"].status == "found"


def test_forged_entry_without_what_was_asked_is_discarded(tmp_path: Path, server: ReplayServer) -> None:
    root, records = content(tmp_path, a=reference("a", doi=MISSING))
    forged = {"status": "found", "checked": "2026-11-01T00:00:00Z", "aspects": {"exists": FOREVER}}
    cache_file(root, entries(**{f"doi:{MISSING}": forged}))
    offline, messages = run(root, records, hostile(server), online=False)
    assert offline == {}
    assert len(messages) == 1 and "ignored 1 malformed cache entry" in messages[0] and f"doi:{MISSING}" in messages[0]


def test_forged_retraction_without_its_check_is_discarded(tmp_path: Path, server: ReplayServer) -> None:
    root, records = content(tmp_path, a=reference("a", doi=FICTIONAL))
    update = {"relation": "updated-by", "type": "retraction", "DOI": "10.5555/hipcheck.invented"}
    forged = {"status": "unverified", "checked": "2026-11-01T00:00:00Z", "updates": [update]}
    cache_file(root, entries(**{f"doi:{FICTIONAL}": forged}))
    offline, messages = run(root, records, hostile(server), online=False)
    assert offline == {} and len(messages) == 1 and "without the retraction check" in messages[0]


def test_forged_entry_that_asked_another_question_is_discarded(tmp_path: Path, server: ReplayServer) -> None:
    root, records = content(tmp_path, a=reference("a", doi=MISSING))
    asked = {**FOREVER, "service": "doi.org", "asked": "https://evil.example/api/handles/10.5555/hipcheck.missing"}
    forged = {"status": "found", "checked": "2026-11-01T00:00:00Z", "aspects": {"exists": asked}}
    cache_file(root, entries(**{f"doi:{MISSING}": forged}))
    offline, messages = run(root, records, hostile(server), online=False)
    assert offline == {}
    assert len(messages) == 1 and "not what this configuration asks" in messages[0]


def test_entry_checked_in_the_future_is_discarded(tmp_path: Path, server: ReplayServer) -> None:
    root, records = content(tmp_path, a=reference("a", doi=FICTIONAL))
    run(root, records, hostile(server))
    path = root / ".hipcheck" / "verification.json"
    data = json.loads(path.read_text("utf-8"))
    for aspect in data["entries"][f"doi:{FICTIONAL}"]["aspects"].values():
        aspect["checked"], aspect["expires"] = "2999-01-01T00:00:00Z", "2999-06-01T00:00:00Z"
    path.write_text(json.dumps(data))
    offline, messages = run(root, records, hostile(server), online=False)
    assert offline == {} and len(messages) == 1 and "verified in the future" in messages[0]


@pytest.mark.parametrize("where", ["../outside.json", "/tmp/hipcheck-outside-{name}.json", "sub/../../outside.json"])
def test_cache_outside_the_content_root_is_never_used(tmp_path: Path, server: ReplayServer, where: str) -> None:
    root, records = content(tmp_path, a=reference("a", doi=MISSING))
    where = where.format(name=tmp_path.name)
    outside = (root / where).resolve()
    record = {"status": "found", "checked": "2026-11-01T00:00:00Z", "aspects": {"exists": FOREVER}}
    outside.write_text(entries(**{f"doi:{MISSING}": record}))
    before = outside.read_text()
    try:
        offline, messages = run(root, records, hostile(server, cache=where), online=False)
        assert offline == {} and len(messages) == 1 and "stays inside the content root" in messages[0]
        online, _ = run(root, records, hostile(server, cache=where))
        assert online[f"doi:{MISSING}"].status == "not-found" and outside.read_text() == before
    finally:
        outside.unlink()


def test_cache_symlinked_out_of_the_content_root_is_never_used(tmp_path: Path, server: ReplayServer) -> None:
    root, records = content(tmp_path, a=reference("a", doi=MISSING))
    outside = tmp_path / "elsewhere.json"
    record = {"status": "found", "checked": "2026-11-01T00:00:00Z", "aspects": {"exists": FOREVER}}
    outside.write_text(entries(**{f"doi:{MISSING}": record}))
    (root / ".hipcheck").mkdir()
    (root / ".hipcheck" / "verification.json").symlink_to(outside)
    offline, messages = run(root, records, hostile(server), online=False)
    assert offline == {} and len(messages) == 1 and "stays inside the content root" in messages[0]


def test_cached_verdicts_say_they_come_from_the_cache(tmp_path: Path, server: ReplayServer) -> None:
    root, records = content(tmp_path, a=reference("a", doi=MISSING), b=reference("b", doi="10.5555/hipcheck.mismatch"))
    online, _ = run(root, records, hostile(server))
    live = findings(records, online)
    assert codes(live) == ["HC520", "HC521"] and not any("verification cache" in f.message for f in live)
    offline, _ = run(root, records, hostile(server), online=False)
    cached = findings(records, offline)
    assert codes(cached) == ["HC520", "HC521"]
    assert all("from the verification cache" in f.message for f in cached)
    assert all(r.from_cache for r in offline.values()) and not any(r.from_cache for r in online.values())


def test_cache_entries_carry_what_was_asked_and_when(tmp_path: Path, server: ReplayServer) -> None:
    root, records = content(tmp_path, a=reference("a", doi=FICTIONAL, pmid=PMID_FOUND))
    run(root, records, hostile(server))
    data = json.loads((root / ".hipcheck" / "verification.json").read_text("utf-8"))["entries"]
    exists = data[f"doi:{FICTIONAL}"]["aspects"]["exists"]
    assert exists["service"] == "doi.org" and exists["asked"] == f"{server.url}/doi/api/handles/{FICTIONAL}"
    metadata = data[f"doi:{FICTIONAL}"]["aspects"]["metadata"]
    assert metadata["service"] == "Crossref" and metadata["asked"] == f"{server.url}/crossref/works/{FICTIONAL}"
    pmid = data[f"pmid:{PMID_FOUND}"]["aspects"]["exists"]
    assert pmid["service"] == "PubMed"
    assert pmid["asked"] == f"{server.url}/eutils/esummary.fcgi?db=pubmed&id={PMID_FOUND}"
    assert AnswerCache.load(root / ".hipcheck" / "verification.json").problems == []


def test_an_enormous_ttl_does_not_overflow(tmp_path: Path, server: ReplayServer) -> None:
    root, records = content(tmp_path, a=reference("a", doi=FICTIONAL))
    huge = {"existence-ttl-days": 1e9, "retraction-ttl-days": 1e9, "not-found-ttl-days": 1e9}
    run(root, records, hostile(server, **huge))
    results, _ = run(root, records, hostile(server, **huge))
    assert results[f"doi:{FICTIONAL}"].aspects["exists"].expires.year < 2100


class _ForwardingProxy:
    """An HTTP proxy on 127.0.0.1 that forwards absolute-form requests and notes each URL it saw."""

    def __init__(self) -> None:
        seen: list[str] = []
        direct = urllib.request.build_opener(urllib.request.ProxyHandler({}))

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                seen.append(self.path)
                try:
                    with direct.open(self.path, timeout=5) as answer:
                        status, body, kind = answer.status, answer.read(), answer.headers.get("Content-Type", "")
                except urllib.error.HTTPError as error:
                    status, body, kind = error.code, error.read(), error.headers.get("Content-Type", "")
                self.send_response(status)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self.seen = seen
        self._httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._httpd.server_address[1]}"
        threading.Thread(target=self._httpd.serve_forever, args=(0.05,), daemon=True).start()

    def close(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()


def test_the_environments_proxy_is_used_and_no_proxy_honoured(tmp_path: Path, server: ReplayServer) -> None:
    """The time-bounded transport replaces httpx's own: it must still go through HTTP(S)_PROXY, as
    users behind a proxy need, and not for hosts NO_PROXY names."""
    proxy = _ForwardingProxy()
    try:
        root, records = content(tmp_path, a=reference("a", doi=FICTIONAL))
        settings = hostile(server)
        with Verifier(settings, environ={"HTTP_PROXY": proxy.url}) as verifier:
            results, _ = run(root, records, settings, verifier=verifier)
        assert results[f"doi:{FICTIONAL}"].status == "found"
        assert proxy.seen and all(url.startswith("http://127.0.0.1:") for url in proxy.seen)
        proxy.seen.clear()
        shutil.rmtree(root / ".hipcheck", ignore_errors=True)  # ask again
        with Verifier(settings, environ={"HTTP_PROXY": proxy.url, "NO_PROXY": "127.0.0.1"}) as verifier:
            results, _ = run(root, records, settings, verifier=verifier)
        assert results[f"doi:{FICTIONAL}"].status == "found" and proxy.seen == []
    finally:
        proxy.close()
