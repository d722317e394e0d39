"""A local stand-in for doi.org, Crossref and NCBI E-utilities, for the online verification tests.

A threaded HTTP server on 127.0.0.1 (an ephemeral port) replays answers in the real services' shapes:
    /doi/api/handles/<doi>          doi.org handle API   (200 responseCode 1, or 404 responseCode 100)
    /crossref/works/<doi>           Crossref REST API    (200 {"status": "ok", "message": ...}, or 404 text)
    /eutils/esummary.fcgi?id=...    NCBI esummary        ({"result": {"uids": [...], "<pmid>": {...}}})
A route may hold several replies, served in order (the last one repeats): "429, then success".
Every request is logged with its time, and the server counts how many run at once per service.
A reply may also misbehave the way hostile or broken servers do: trickle its headers or body byte by
byte, pad its body with megabytes of filler, or claim a Content-Length it never sends.

Only the Ikezoe 2021 facts come from the seed; everything else is fictional, under the 10.5555 test
prefix and with PMIDs above PubMed's range.
"""

from __future__ import annotations

import json
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

COMPOSE = object()  # an esummary reply built from the PubMed entries


@dataclass
class Reply:
    status: int = 200
    body: Any = None  # dict/list: JSON; str/bytes: sent as is; COMPOSE: esummary from `pubmed`
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    trickle: float = 0.0  # seconds between body bytes (after the headers), TRICKLE_BYTES of them
    header_trickle: float = 0.0  # seconds between header bytes: the headers never end (TRICKLE_BYTES sent)
    filler: int = 0  # bytes of JSON whitespace after the body, in chunks; no Content-Length unless `length`
    length: int | None = None  # the Content-Length to claim, whatever is sent


TRICKLE_BYTES = 40  # a trickle ends after this many bytes (20 s at 0.5 s), so a client that never gives up fails
FILLER_CHUNK = 64 * 1024


@dataclass(frozen=True)
class Seen:
    family: str  # "doi", "crossref" or "ncbi"
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    at: float  # time.monotonic() when it arrived


class ReplayServer:
    def __init__(self) -> None:
        self.routes: dict[str, list[Reply]] = {}
        self.pubmed: dict[str, dict[str, Any]] = {}
        self.log: list[Seen] = []
        self.active: Counter[str] = Counter()
        self.peak: Counter[str] = Counter()
        self.sent: Counter[str] = Counter()  # body bytes written per family
        self._served: Counter[str] = Counter()
        self._lock = threading.Lock()
        self._httpd = _Server(("127.0.0.1", 0), _Handler)
        self._httpd.replay = self
        # A short poll interval: shutdown() waits for it, at the end of every test.
        self._thread = threading.Thread(target=self._httpd.serve_forever, args=(0.05,), daemon=True)

    # --- lifecycle --------------------------------------------------------------------------------

    def __enter__(self) -> ReplayServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._httpd.server_address[1]}"

    def settings_data(self) -> dict[str, Any]:
        return {
            "doi-api": f"{self.url}/doi/api/handles",
            "crossref-api": f"{self.url}/crossref",
            "ncbi-api": f"{self.url}/eutils",
        }

    # --- routes -----------------------------------------------------------------------------------

    def handle(self, doi: str, *replies: Reply) -> None:
        self.routes[f"/doi/api/handles/{doi.lower()}"] = list(replies) or [handle_found(doi)]

    def work(self, doi: str, *replies: Reply) -> None:
        self.routes[f"/crossref/works/{doi.lower()}"] = list(replies)

    def found(self, doi: str, message: dict[str, Any], *, headers: dict[str, str] | None = None) -> None:
        """A DOI doi.org knows and Crossref describes with `message`."""
        self.handle(doi)
        self.work(doi, crossref_ok(doi, message, headers))

    def esummary(self, *replies: Reply) -> None:
        self.routes["/eutils/esummary.fcgi"] = list(replies)

    def requests(self, family: str, path_part: str = "") -> list[Seen]:
        with self._lock:
            return [s for s in self.log if s.family == family and path_part.lower() in s.path]

    # --- serving ----------------------------------------------------------------------------------

    def _reply_for(self, path: str) -> Reply:
        replies = self.routes.get(path)
        if replies:
            with self._lock:
                index = min(self._served[path], len(replies) - 1)
                self._served[path] += 1
            return replies[index]
        if path.startswith("/doi/api/handles/"):
            handle = path.removeprefix("/doi/api/handles/")
            return Reply(404, {"responseCode": 100, "handle": handle})
        if path == "/eutils/esummary.fcgi":
            return Reply(body=COMPOSE)
        return Reply(404, "Resource not found.", {"Content-Type": "text/plain"})

    def _esummary(self, query: dict[str, list[str]]) -> dict[str, Any]:
        ids = [i for i in query.get("id", [""])[0].split(",") if i]
        result: dict[str, Any] = {"uids": ids}
        for pmid in ids:
            result[pmid] = self.pubmed.get(pmid) or {"uid": pmid, "error": "cannot get document summary"}
        return {"header": {"type": "esummary", "version": "0.3"}, "result": result}

    def serve(self, handler: BaseHTTPRequestHandler) -> None:
        parts = urlsplit(handler.path)
        path = unquote(parts.path).lower()
        query = parse_qs(parts.query)
        family = path.split("/")[1] if path.count("/") > 1 else ""
        family = {"eutils": "ncbi"}.get(family, family)
        with self._lock:
            self.log.append(Seen(family, path, query, dict(handler.headers.items()), time.monotonic()))
            self.active[family] += 1
            self.peak[family] = max(self.peak[family], self.active[family])
        try:
            reply = self._reply_for(path)
            if reply.delay:
                time.sleep(reply.delay)
            body = self._esummary(query) if reply.body is COMPOSE else reply.body
            if isinstance(body, dict | list):
                data = json.dumps(body).encode()
                content_type = "application/json"
            else:
                data = body.encode() if isinstance(body, str) else (body or b"")
                content_type = "application/json"  # a malformed answer still claims to be JSON
            if reply.header_trickle:
                handler.wfile.write(b"HTTP/1.1 200 OK\r\nX-Padding: ")
                for _ in range(TRICKLE_BYTES):
                    handler.wfile.write(b"a")
                    handler.wfile.flush()
                    time.sleep(reply.header_trickle)
                return
            handler.send_response(reply.status)
            headers = {"Content-Type": content_type, **reply.headers}
            if reply.length is not None or not reply.filler:
                headers["Content-Length"] = str(len(data) if reply.length is None else reply.length)
            for name, value in headers.items():
                handler.send_header(name, value)
            handler.end_headers()
            if reply.trickle:
                for byte in (data or b" " * TRICKLE_BYTES)[:TRICKLE_BYTES]:
                    self._send(handler, family, bytes([byte]))
                    time.sleep(reply.trickle)
                return
            self._send(handler, family, data)
            for start in range(0, reply.filler, FILLER_CHUNK):
                self._send(handler, family, b" " * min(FILLER_CHUNK, reply.filler - start))
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (a timeout test)
        finally:
            with self._lock:
                self.active[family] -= 1

    def _send(self, handler: BaseHTTPRequestHandler, family: str, data: bytes) -> None:
        handler.wfile.write(data)
        handler.wfile.flush()
        with self._lock:
            self.sent[family] += len(data)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False  # do not wait for a deliberately slow reply when the test ends
    replay: ReplayServer


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def do_GET(self) -> None:
        self.server.replay.serve(self)

    def log_message(self, format: str, *args: Any) -> None:
        pass


# --- answers in the services' shapes --------------------------------------------------------------


def handle_found(doi: str) -> Reply:
    return Reply(200, {"responseCode": 1, "handle": doi, "values": []})


def crossref_ok(doi: str, message: dict[str, Any], headers: dict[str, str] | None = None) -> Reply:
    body = {"status": "ok", "message-type": "work", "message-version": "1.0.0", "message": {"DOI": doi, **message}}
    return Reply(200, body, headers or {})


def work_message(title: str, family: str, given: str, journal: str, year: int, **extra: Any) -> dict[str, Any]:
    return {
        "title": [title],
        "author": [{"given": given, "family": family, "sequence": "first", "affiliation": []}],
        "container-title": [journal],
        "issued": {"date-parts": [[year]]},
        "published": {"date-parts": [[year]]},
        "type": "journal-article",
        **extra,
    }


def pubmed_entry(
    pmid: str, title: str, author: str, journal: str, source: str, pubdate: str, doi: str
) -> dict[str, Any]:
    return {
        "uid": pmid,
        "pubdate": pubdate,
        "source": source,
        "authors": [{"name": author, "authtype": "Author", "clusterid": ""}],
        "title": title,
        "fulljournalname": journal,
        "articleids": [
            {"idtype": "pubmed", "idtypen": 1, "value": pmid},
            {"idtype": "doi", "idtypen": 3, "value": doi},
        ],
    }


# --- the standard cases ----------------------------------------------------------------------------

IKEZOE_DOI = "10.1016/j.archger.2021.104499"
IKEZOE_TITLE = (
    "Weak hip flexor strength predicts progression of functional capacity decline due to locomotor system "
    "dysfunction in community-dwelling older adults: A longitudinal cohort study"
)
MISSING = "10.5555/hipcheck.missing"
RETRACTED = "10.5555/hipcheck.retracted"
NOTICE = "10.5555/hipcheck.retraction-notice"
CONCERN = "10.5555/hipcheck.concern"
MISMATCH = "10.5555/hipcheck.mismatch"
RATE_LIMITED = "10.5555/hipcheck.rate-limited"
FLAKY = "10.5555/hipcheck.flaky"
MALFORMED = "10.5555/hipcheck.malformed"
SLOW = "10.5555/hipcheck.slow"
FICTIONAL = "10.5555/hipcheck.fictional"
PMID_FOUND, PMID_MISSING, PMID_MISMATCH = "99999901", "99999902", "99999903"

# A fictional paper, as a record would describe it.
FICTIONAL_TITLE = "Side-lying hip abduction dosage in an imaginary cohort of hobby runners"
FICTIONAL_JOURNAL = "Journal of Imaginary Exercise Science"


def install_standard(server: ReplayServer) -> None:
    """The cases every test may use, each under its own DOI or PMID."""
    ikezoe = work_message(IKEZOE_TITLE, "Ikezoe", "T", "Archives of Gerontology and Geriatrics", 2021)
    server.found(IKEZOE_DOI, ikezoe)
    server.found(FICTIONAL, work_message(FICTIONAL_TITLE, "Example", "Ada", FICTIONAL_JOURNAL, 2020))
    server.handle(MISSING, Reply(404, {"responseCode": 100, "handle": MISSING}))
    retraction = {
        "updated": {"date-parts": [[2023, 3, 2]]},
        "DOI": NOTICE,
        "type": "retraction",
        "source": "publisher",
        "label": "Retraction",
    }
    server.found(
        RETRACTED,
        work_message(
            "Hip hinge drills and balance in a fictional cohort",
            "Example",
            "Ada",
            FICTIONAL_JOURNAL,
            2019,
            **{"updated-by": [retraction]},
        ),
    )
    server.found(
        NOTICE,
        work_message(
            "Retraction notice: Hip hinge drills and balance in a fictional cohort",
            "Example",
            "Ada",
            FICTIONAL_JOURNAL,
            2023,
            **{"update-to": [{**retraction, "DOI": RETRACTED}]},
        ),
    )
    concern = {
        "updated": {"date-parts": [[2022, 5, 1]]},
        "DOI": "10.5555/hipcheck.concern-notice",
        "type": "expression_of_concern",
        "source": "publisher",
        "label": "Expression of concern",
    }
    server.found(
        CONCERN,
        work_message(
            "Stretching the truth about fictional hamstrings",
            "Sample",
            "Bo",
            FICTIONAL_JOURNAL,
            2018,
            **{"updated-by": [concern]},
        ),
    )
    server.found(
        MISMATCH,
        work_message(
            "Ankle taping in imaginary marathon runners", "Placeholder", "Cy", "Fictional Review of Podiatry", 2012
        ),
    )
    fine = crossref_ok(RATE_LIMITED, work_message(FICTIONAL_TITLE, "Example", "Ada", FICTIONAL_JOURNAL, 2020))
    server.handle(RATE_LIMITED)
    server.work(RATE_LIMITED, Reply(429, {"message": "Too many requests"}, {"Retry-After": "1"}), fine)
    server.handle(FLAKY)
    server.work(FLAKY, Reply(500, "Internal Server Error"), crossref_ok(FLAKY, fine.body["message"]))
    server.handle(MALFORMED)
    server.work(MALFORMED, Reply(200, '{"status": "ok", "message": {"DOI": '))
    server.handle(SLOW)
    server.work(SLOW, Reply(200, crossref_ok(SLOW, fine.body["message"]).body, delay=2.0))
    server.pubmed[PMID_FOUND] = pubmed_entry(
        PMID_FOUND, FICTIONAL_TITLE + ".", "Example A", FICTIONAL_JOURNAL, "J Imag Exerc Sci", "2020 Nov-Dec", FICTIONAL
    )
    server.pubmed[PMID_MISMATCH] = pubmed_entry(
        PMID_MISMATCH,
        "Kettlebell swings in a made-up population.",
        "Nobody Z",
        "Made-up Medicine",
        "Made-up Med",
        "2009 Jan",
        "10.5555/hipcheck.other",
    )
