"""Online verification against a local replay server: nothing here reaches the internet.

The server (tests/online_server.py) answers in the shapes of doi.org's handle API, Crossref's REST API
and NCBI's esummary. A guard makes any connection to a host other than 127.0.0.1 fail.
"""

from __future__ import annotations

import datetime as dt
import io
import itertools
import json
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import httpx
import pytest
import yaml
from pydantic import ValidationError

import hipcheck.caching.answers as cache_module
from hipcheck.caching.answers import AnswerCache
from hipcheck.loader.records import Record, read_records
from hipcheck.online import OnlineSettings, Result, verify_references
from hipcheck.online.compare import disagreements, is_abbreviation, journal_matches, normalize, title_matches
from hipcheck.online.http import RateLimiter, Unverifiable, announced_rate, retry_after, user_agent
from hipcheck.online.planning import identifiers
from hipcheck.online.progress import Progress
from hipcheck.online.results import Metadata
from hipcheck.online.verifier import Verifier
from hipcheck.rules.online import check_doi_online, check_pmid_online
from hipcheck.rules.registry import DOC_HEADINGS, RULES

from helpers import REPO, write_tree
from online_server import (
    CONCERN,
    FICTIONAL,
    FICTIONAL_JOURNAL,
    FICTIONAL_TITLE,
    FLAKY,
    IKEZOE_DOI,
    IKEZOE_TITLE,
    MALFORMED,
    MISMATCH,
    MISSING,
    NOTICE,
    PMID_FOUND,
    PMID_MISMATCH,
    PMID_MISSING,
    RATE_LIMITED,
    RETRACTED,
    SLOW,
    ReplayServer,
    Reply,
    crossref_ok,
    install_standard,
    work_message,
)

MAILTO = "hipcheck-tests@example.org"
T0 = dt.datetime(2026, 11, 21, 9, 0, tzinfo=dt.UTC)
LOCAL = ("127.0.0.1", "::1", "localhost")


# --- no internet -----------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _local_network_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any name lookup or connection beyond 127.0.0.1 fails the way an unreachable network does."""
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.delenv("NCBI_API_KEY", raising=False)
    real_getaddrinfo = socket.getaddrinfo
    real_connect = socket.socket.connect

    def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        if host not in LOCAL and host not in (b"127.0.0.1", b"localhost"):
            raise OSError(f"test network guard: refused to look up {host!r}")
        return real_getaddrinfo(host, *args, **kwargs)

    def connect(self: socket.socket, address: Any) -> None:
        if self.family in (socket.AF_INET, socket.AF_INET6) and address[0] not in LOCAL:
            raise OSError(f"test network guard: refused to connect to {address[0]!r}")
        real_connect(self, address)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    monkeypatch.setattr(socket.socket, "connect", connect)


# --- helpers ---------------------------------------------------------------------------------------


@pytest.fixture
def server() -> Iterator[ReplayServer]:
    with ReplayServer() as replay:
        install_standard(replay)
        yield replay


def settings_for(server: ReplayServer, **overrides: Any) -> OnlineSettings:
    data = {
        **server.settings_data(),
        "mailto": MAILTO,
        "timeout": 0.5,
        "backoff": 0.01,
        "retries": 2,
        "doi-rate": 20,
        "crossref-rate": 10,
        "ncbi-rate": 3,
        "deadline": 30,
        **overrides,
    }
    return OnlineSettings.model_validate(data)


def reference(
    key: str,
    *,
    doi: str | None = None,
    pmid: str | None = None,
    title: str = FICTIONAL_TITLE,
    family: str = "Example",
    journal: str = FICTIONAL_JOURNAL,
    year: int = 2020,
) -> str:
    lines = [
        f"id: {key}",
        "type: article-journal",
        f"title: {json.dumps(title)}",
        "author:",
        f"  - {{family: {json.dumps(family)}, given: A}}",
        f"container-title: {json.dumps(journal)}",
        f"issued: {{date-parts: [[{year}]]}}",
    ]
    if doi:
        lines.append(f"DOI: {doi}")
    if pmid:
        lines.append(f'PMID: "{pmid}"')
    return "\n".join(lines) + "\n"


def load(root: Path) -> list[Record]:
    records = []
    for path in sorted((root / "references").glob("*.yaml")):
        records.extend(read_records(path, "reference", path.relative_to(root).as_posix()))
    return records


def content(tmp_path: Path, **files: str) -> tuple[Path, list[Record]]:
    root = tmp_path / "content"
    write_tree(root, {f"references/{name}.yaml": text for name, text in files.items()})
    return root, load(root)


def run(
    root: Path, records: list[Record], settings: OnlineSettings, *, online: bool = True, **kwargs: Any
) -> tuple[dict[str, Result], list[str]]:
    messages: list[str] = []
    results = verify_references(records, root, settings, online, False, report=messages.append, **kwargs)
    return results, messages


def findings(records: list[Record], results: dict[str, Result], settings: OnlineSettings | None = None) -> list[Any]:
    """What the rules report, called directly with a stand-in context (before the engine is wired)."""
    ctx = SimpleNamespace(verification=results, config=SimpleNamespace(online=settings or OnlineSettings()))
    found = []
    for record in records:
        for check in (check_doi_online, check_pmid_online):
            for finding in check(record, ctx):  # type: ignore[arg-type]
                found.append(
                    SimpleNamespace(
                        code=finding.code,
                        at=f"{record.path}:{finding.span.line}:{finding.span.column}",
                        message=finding.message,
                    )
                )
    return sorted(found, key=lambda f: (f.at, f.code))


def codes(found: list[Any]) -> list[str]:
    return [f.code for f in found]


class FakeClock:
    """A monotonic clock that only moves when something sleeps on it."""

    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []
        self._lock = threading.Lock()

    def __call__(self) -> float:
        with self._lock:
            return self.now

    def sleep(self, seconds: float) -> None:
        with self._lock:
            self.sleeps.append(seconds)
            self.now += seconds


# --- the cases the services answer -------------------------------------------------------------------


def test_found_work_with_abbreviated_journal_verifies_clean(tmp_path: Path, server: ReplayServer) -> None:
    record = (REPO / "content" / "references" / "ikezoe2021.yaml").read_text("utf-8")
    root, records = content(tmp_path, ikezoe2021=record)
    results, messages = run(root, records, settings_for(server))
    result = results[f"doi:{IKEZOE_DOI}"]
    assert result.status == "found" and result.error is None and not messages
    assert result.metadata is not None and result.metadata.title == IKEZOE_TITLE
    assert result.metadata.journals == ("Archives of Gerontology and Geriatrics",)
    assert findings(records, results) == []  # "Arch Gerontol Geriatr" abbreviates the Crossref journal


def test_polite_requests_carry_mailto_and_user_agent(tmp_path: Path, server: ReplayServer) -> None:
    root, records = content(tmp_path, a=reference("a", doi=FICTIONAL, pmid=PMID_FOUND))
    run(root, records, settings_for(server))
    [work] = server.requests("crossref")
    assert work.query["mailto"] == [MAILTO]
    assert work.headers["User-Agent"] == f"hipcheck/0.1.0 (mailto:{MAILTO})"
    [summary] = server.requests("ncbi")
    assert summary.query["tool"] == ["hipcheck"] and summary.query["email"] == [MAILTO]
    assert summary.query["db"] == ["pubmed"] and summary.query["retmode"] == ["json"]
    assert user_agent("1.2", None) == "hipcheck/1.2"


def test_doi_not_found(tmp_path: Path, server: ReplayServer) -> None:
    root, records = content(tmp_path, a=reference("a", doi=MISSING))
    results, _ = run(root, records, settings_for(server))
    assert results[f"doi:{MISSING}"].status == "not-found"
    assert server.requests("crossref") == []  # no metadata to ask for
    [finding] = findings(records, results)
    assert (finding.code, finding.at) == ("HC520", "references/a.yaml:8:6")
    assert f"DOI {MISSING} does not exist" in finding.message


def test_retracted_work_is_an_error(tmp_path: Path, server: ReplayServer) -> None:
    root, records = content(
        tmp_path,
        a=reference("a", doi=RETRACTED, title="Hip hinge drills and balance in a fictional cohort", year=2019),
    )
    results, _ = run(root, records, settings_for(server))
    [finding] = findings(records, results)
    assert finding.code == "HC522"
    assert finding.message == (
        f"DOI {RETRACTED} has a retraction: Crossref lists the notice {NOTICE} (2023-03-02, source: publisher)"
    )


def test_citing_a_retraction_notice_is_an_error(tmp_path: Path, server: ReplayServer) -> None:
    title = "Retraction notice: Hip hinge drills and balance in a fictional cohort"
    root, records = content(tmp_path, a=reference("a", doi=NOTICE, title=title, year=2023))
    results, _ = run(root, records, settings_for(server))
    [finding] = findings(records, results)
    assert finding.code == "HC522" and f"is itself a retraction notice, about {RETRACTED}" in finding.message


def test_expression_of_concern_is_a_warning(tmp_path: Path, server: ReplayServer) -> None:
    title = "Stretching the truth about fictional hamstrings"
    root, records = content(tmp_path, a=reference("a", doi=CONCERN, title=title, family="Sample", year=2018))
    results, _ = run(root, records, settings_for(server))
    [finding] = findings(records, results)
    assert finding.code == "HC523" and "expression of concern" in finding.message
    assert RULES["HC523"].severity == "warning"


def test_doi_pointing_at_another_paper_names_the_fields(tmp_path: Path, server: ReplayServer) -> None:
    root, records = content(tmp_path, a=reference("a", doi=MISMATCH))
    results, _ = run(root, records, settings_for(server))
    [finding] = findings(records, results)
    assert finding.code == "HC521" and finding.at == "references/a.yaml:8:6"
    assert "title, year, first author and journal disagree with Crossref" in finding.message
    assert "title 'Ankle taping in imaginary marathon runners'" in finding.message
    assert "year '2012' (record: '2020')" in finding.message
    assert "first author 'Placeholder'" in finding.message
    assert "journal 'Fictional Review of Podiatry'" in finding.message


def test_429_waits_for_retry_after_then_retries(tmp_path: Path, server: ReplayServer) -> None:
    root, records = content(tmp_path, a=reference("a", doi=RATE_LIMITED))
    results, _ = run(root, records, settings_for(server))
    first, second = server.requests("crossref", RATE_LIMITED)
    assert second.at - first.at >= 1.0
    assert results[f"doi:{RATE_LIMITED}"].status == "found" and results[f"doi:{RATE_LIMITED}"].error is None


def test_500_is_retried(tmp_path: Path, server: ReplayServer) -> None:
    root, records = content(tmp_path, a=reference("a", doi=FLAKY))
    results, _ = run(root, records, settings_for(server))
    assert len(server.requests("crossref", FLAKY)) == 2
    assert results[f"doi:{FLAKY}"].metadata is not None and findings(records, results) == []


def test_persistent_503_gives_up_as_unverified(tmp_path: Path, server: ReplayServer) -> None:
    server.work(FICTIONAL, Reply(503, "busy"))
    root, records = content(tmp_path, a=reference("a", doi=FICTIONAL))
    results, _ = run(root, records, settings_for(server, retries=2))
    assert len(server.requests("crossref")) == 3
    result = results[f"doi:{FICTIONAL}"]
    assert result.status == "found" and result.error == "Crossref answered HTTP 503 3 times; gave up"
    [finding] = findings(records, results)
    assert finding.code == "HC529" and "could not be fully verified: Crossref answered HTTP 503" in finding.message


def test_retry_after_beyond_the_limit_gives_up(tmp_path: Path, server: ReplayServer) -> None:
    server.work(FICTIONAL, Reply(429, "slow down", {"Retry-After": "120"}))
    root, records = content(tmp_path, a=reference("a", doi=FICTIONAL))
    clock = FakeClock()  # moves only when the verifier waits: it must not wait at all
    verifier = Verifier(settings_for(server, **{"max-retry-after": 60}), clock=clock, sleep=clock.sleep)
    with verifier:
        results, _ = run(root, records, verifier.settings, verifier=verifier)
    assert clock.sleeps == [] and clock.now == 0 and len(server.requests("crossref")) == 1
    assert results[f"doi:{FICTIONAL}"].error == "Crossref asked to wait 120 s (HTTP 429); gave up"


def test_malformed_json_is_unverified_not_an_error(tmp_path: Path, server: ReplayServer) -> None:
    root, records = content(tmp_path, a=reference("a", doi=MALFORMED))
    results, _ = run(root, records, settings_for(server))
    assert results[f"doi:{MALFORMED}"].error == "Crossref sent a malformed answer (not JSON)"
    [finding] = findings(records, results)
    assert finding.code == "HC529" and RULES["HC529"].severity == "info"


def test_slow_response_times_out_as_unverified(tmp_path: Path, server: ReplayServer) -> None:
    root, records = content(tmp_path, a=reference("a", doi=SLOW))
    started = time.monotonic()
    results, _ = run(root, records, settings_for(server, timeout=0.5))
    assert time.monotonic() - started < 1.9  # did not wait for the 2 s answer
    assert results[f"doi:{SLOW}"].error == "Crossref did not answer within 0.5 s"
    assert codes(findings(records, results)) == ["HC529"]


def test_deadline_makes_the_rest_unverified(tmp_path: Path, server: ReplayServer) -> None:
    root, records = content(tmp_path, a=reference("a", doi=SLOW))
    results, _ = run(root, records, settings_for(server, deadline=0.3, timeout=5))
    assert results[f"doi:{SLOW}"].error == "Crossref did not answer within the online check's deadline (0.3 s)"


def test_unreachable_network_is_unverified(tmp_path: Path) -> None:
    root, records = content(tmp_path, a=reference("a", doi=FICTIONAL, pmid=PMID_FOUND))
    results, messages = run(root, records, OnlineSettings(timeout=1))  # the real services: the guard refuses
    for result in results.values():
        assert result.status == "unverified" and "test network guard" in (result.error or "")
    assert any("no mailto" in m for m in messages)
    assert codes(findings(records, results)) == ["HC529", "HC529"]


def test_pmids_found_missing_and_mismatched_in_one_request(tmp_path: Path, server: ReplayServer) -> None:
    root, records = content(
        tmp_path,
        a=reference("a", pmid=PMID_FOUND),
        b=reference("b", pmid=PMID_MISSING),
        c=reference("c", doi=FICTIONAL, pmid=PMID_MISMATCH),
    )
    results, _ = run(root, records, settings_for(server))
    [summary] = server.requests("ncbi")
    assert summary.query["id"] == [f"{PMID_FOUND},{PMID_MISSING},{PMID_MISMATCH}"]
    assert results[f"pmid:{PMID_FOUND}"].metadata == Metadata(
        source="pubmed",
        title=FICTIONAL_TITLE + ".",
        years=(2020,),
        first_author="Example",
        journals=(FICTIONAL_JOURNAL, "J Imag Exerc Sci"),
        doi=FICTIONAL,
    )
    found = findings(records, results)
    assert [(f.code, f.at) for f in found] == [("HC524", "references/b.yaml:8:7"), ("HC525", "references/c.yaml:9:7")]
    assert "title, year, first author, journal and DOI disagree with PubMed" in found[1].message
    assert f"DOI '10.5555/hipcheck.other' (record: '{FICTIONAL}')" in found[1].message


def test_pubmed_failure_is_unverified(tmp_path: Path, server: ReplayServer) -> None:
    server.esummary(Reply(200, {"esummaryresult": ["Something went wrong"]}))
    root, records = content(tmp_path, a=reference("a", pmid=PMID_FOUND))
    results, _ = run(root, records, settings_for(server))
    assert results[f"pmid:{PMID_FOUND}"].error == "PubMed sent an unexpected answer (no result)"


# --- the cache ------------------------------------------------------------------------------------------


def test_cache_is_written_atomically_and_reread(
    tmp_path: Path, server: ReplayServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    writes: list[Path] = []
    real = cache_module.write_atomically
    monkeypatch.setattr(
        cache_module, "write_atomically", lambda path, *a, **k: (writes.append(path), real(path, *a, **k))
    )
    root, records = content(tmp_path, a=reference("a", doi=RETRACTED, pmid=PMID_FOUND), b=reference("b", doi=MISSING))
    results, _ = run(root, records, settings_for(server), now=lambda: T0)
    path = root / ".hipcheck" / "verification.json"
    assert writes == [path]
    text = path.read_text("utf-8")
    data = json.loads(text)
    assert text == json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    assert sorted(data["entries"]) == [f"doi:{MISSING}", f"doi:{RETRACTED}", f"pmid:{PMID_FOUND}"]
    entry = data["entries"][f"doi:{RETRACTED}"]
    assert entry["status"] == "found" and entry["checked"] == "2026-11-21T09:00:00Z"
    assert entry["aspects"]["exists"] == {
        "checked": "2026-11-21T09:00:00Z",
        "expires": "2027-05-20T09:00:00Z",
        "service": "doi.org",
        "asked": f"{server.url}/doi/api/handles/{RETRACTED}",
    }
    assert entry["aspects"]["retraction"]["expires"] == "2026-12-05T09:00:00Z"
    assert entry["updates"][0] == {
        "DOI": NOTICE,
        "date": "2023-03-02",
        "label": "Retraction",
        "relation": "updated-by",
        "source": "publisher",
        "type": "retraction",
    }
    assert data["entries"][f"doi:{MISSING}"]["aspects"]["exists"]["expires"] == "2026-11-28T09:00:00Z"
    assert AnswerCache.load(path).entries == {key: results[key] for key in data["entries"]}
    assert [p.name for p in path.parent.iterdir()] == ["verification.json"]  # no temporary files left


def test_interrupted_write_keeps_the_old_cache(
    tmp_path: Path, server: ReplayServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    root, records = content(tmp_path, a=reference("a", doi=FICTIONAL))
    run(root, records, settings_for(server), now=lambda: T0)
    path = root / ".hipcheck" / "verification.json"
    before = path.read_text("utf-8")

    def crash(*args: Any) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", crash)
    _, messages = run(root, records, settings_for(server), now=lambda: T0 + dt.timedelta(days=400))
    assert path.read_text("utf-8") == before
    assert [p.name for p in path.parent.iterdir()] == ["verification.json"]
    assert messages == [f"{path}: cannot write the verification cache (No space left on device); results not kept"]


def test_offline_run_uses_the_cache_and_asks_nobody(tmp_path: Path, server: ReplayServer) -> None:
    root, records = content(
        tmp_path,
        a=reference("a", doi=RETRACTED, title="Hip hinge drills and balance in a fictional cohort", year=2019),
        b=reference("b", doi=MISMATCH, pmid=PMID_MISSING),
    )
    online, _ = run(root, records, settings_for(server))
    asked = len(server.log)
    offline, messages = run(root, records, settings_for(server), online=False)
    assert offline == online and len(server.log) == asked and not messages
    cached, live = findings(records, offline), findings(records, online)
    assert [(f.code, f.at) for f in cached] == [(f.code, f.at) for f in live]
    assert all("from the verification cache" in f.message for f in cached)
    assert codes(cached) == ["HC522", "HC521", "HC524"]


def test_offline_run_says_nothing_for_uncached_identifiers(tmp_path: Path, server: ReplayServer) -> None:
    root, records = content(tmp_path, a=reference("a", doi=RETRACTED))
    run(root, records, settings_for(server))
    root2, more = content(tmp_path, a=reference("a", doi=RETRACTED), b=reference("b", doi=MISSING, pmid=PMID_FOUND))
    assert root2 == root
    offline, _ = run(root, more, settings_for(server), online=False)
    assert sorted(offline) == [f"doi:{RETRACTED}"]
    assert {f.at.split(":")[0] for f in findings(more, offline)} == {"references/a.yaml"}


def test_online_run_without_cache_changes_leaves_the_file_alone(tmp_path: Path, server: ReplayServer) -> None:
    root, records = content(tmp_path, a=reference("a", doi=FICTIONAL))
    run(root, records, settings_for(server), now=lambda: T0)
    path = root / ".hipcheck" / "verification.json"
    stamp = path.stat().st_mtime_ns
    asked = len(server.log)
    run(root, records, settings_for(server), now=lambda: T0 + dt.timedelta(days=1))
    assert len(server.log) == asked and path.stat().st_mtime_ns == stamp


def test_expired_aspects_only_are_checked_again(tmp_path: Path, server: ReplayServer) -> None:
    root, records = content(tmp_path, a=reference("a", doi=FICTIONAL, pmid=PMID_FOUND), b=reference("b", doi=MISSING))
    settings = settings_for(server)
    run(root, records, settings, now=lambda: T0)
    assert [len(server.requests(f)) for f in ("doi", "crossref", "ncbi")] == [2, 1, 1]

    run(root, records, settings, now=lambda: T0 + dt.timedelta(days=6))  # nothing expired yet
    assert [len(server.requests(f)) for f in ("doi", "crossref", "ncbi")] == [2, 1, 1]

    run(root, records, settings, now=lambda: T0 + dt.timedelta(days=15))  # retraction status and "not found"
    assert [s.path for s in server.requests("doi")[2:]] == [f"/doi/api/handles/{MISSING}"]
    assert len(server.requests("crossref")) == 2 and len(server.requests("ncbi")) == 1
    entry = AnswerCache.load(root / settings.cache).entries[f"doi:{FICTIONAL}"]
    assert entry.aspects["exists"].checked == T0  # existence not re-checked
    assert entry.aspects["retraction"].checked == T0 + dt.timedelta(days=15)

    run(root, records, settings, now=lambda: T0 + dt.timedelta(days=181))  # everything
    assert [len(server.requests(f)) for f in ("doi", "crossref", "ncbi")] == [5, 3, 2]


def test_a_shorter_configured_ttl_applies_to_cached_entries(tmp_path: Path, server: ReplayServer) -> None:
    root, records = content(tmp_path, a=reference("a", doi=FICTIONAL))
    run(root, records, settings_for(server), now=lambda: T0)
    run(root, records, settings_for(server, **{"retraction-ttl-days": 1}), now=lambda: T0 + dt.timedelta(days=2))
    assert len(server.requests("crossref")) == 2 and len(server.requests("doi")) == 1


def test_failed_recheck_keeps_the_known_retraction(tmp_path: Path, server: ReplayServer) -> None:
    root, records = content(
        tmp_path,
        a=reference("a", doi=RETRACTED, title="Hip hinge drills and balance in a fictional cohort", year=2019),
    )
    run(root, records, settings_for(server), now=lambda: T0)
    server.work(RETRACTED, Reply(500, "down"))
    later = T0 + dt.timedelta(days=20)
    results, _ = run(root, records, settings_for(server, retries=0), now=lambda: later)
    result = results[f"doi:{RETRACTED}"]
    assert result.status == "found" and result.updates and result.error == "Crossref answered HTTP 500 1 times; gave up"
    assert result.aspects["retraction"].checked == T0  # still due: the next online run tries again
    found = findings(records, results)
    assert codes(found) == ["HC522", "HC529"]
    assert found[1].message.endswith("using what was verified on 2026-11-21 (from the verification cache)")
    offline, _ = run(root, records, settings_for(server), online=False)
    assert codes(findings(records, offline)) == ["HC522", "HC529"]  # CI without network says the same


def test_unverified_identifiers_are_recorded_and_retried(tmp_path: Path, server: ReplayServer) -> None:
    root, records = content(tmp_path, a=reference("a", doi=MALFORMED))
    run(root, records, settings_for(server), now=lambda: T0)
    offline, _ = run(root, records, settings_for(server), online=False)
    assert codes(findings(records, offline)) == ["HC529"]
    server.work(
        MALFORMED, crossref_ok(MALFORMED, work_message(FICTIONAL_TITLE, "Example", "A", FICTIONAL_JOURNAL, 2020))
    )
    results, _ = run(root, records, settings_for(server), now=lambda: T0 + dt.timedelta(minutes=5))
    assert results[f"doi:{MALFORMED}"].error is None and findings(records, results) == []


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("{not json", "is not valid JSON"),
        ("[]", "not a version 1 verification cache"),
        ('{"version": 99, "entries": {}}', "not a version 1 verification cache"),
        (b"\xff\xfe\x00", "cannot read the verification cache"),
    ],
)
def test_corrupt_cache_is_treated_as_empty(
    tmp_path: Path, server: ReplayServer, text: str | bytes, problem: str
) -> None:
    root, records = content(tmp_path, a=reference("a", doi=RETRACTED))
    path = root / ".hipcheck" / "verification.json"
    path.parent.mkdir()
    path.write_bytes(text if isinstance(text, bytes) else text.encode())
    offline, messages = run(root, records, settings_for(server), online=False)
    assert offline == {} and len(messages) == 1 and problem in messages[0] and "treating it as empty" in messages[0]
    online, _ = run(root, records, settings_for(server))
    assert f"doi:{RETRACTED}" in online and json.loads(path.read_text("utf-8"))["version"] == 1


def test_malformed_entries_are_dropped_and_named(tmp_path: Path) -> None:
    path = tmp_path / "verification.json"
    asked = {"service": "doi.org", "asked": "https://doi.org/api/handles/10.5555/a"}
    exists = {"checked": "2026-11-01T00:00:00Z", "expires": "2026-11-08T00:00:00Z", **asked}
    good = {"status": "not-found", "checked": "2026-11-01T00:00:00Z", "aspects": {"exists": exists}}
    entries = {"doi:10.5555/a": good, "doi:10.5555/b": {"status": "maybe"}, "isbn:1": good, "pmid:1": {"aspects": 3}}
    path.write_text(json.dumps({"version": 1, "entries": entries}))
    cache = AnswerCache.load(path)
    assert list(cache.entries) == ["doi:10.5555/a"]
    assert cache.problems == [
        f"{path}: ignored 3 malformed cache entries (first: no valid status): doi:10.5555/b, isbn:1, pmid:1"
    ]


# --- limits ---------------------------------------------------------------------------------------------


def test_rate_limiter_spaces_requests_at_the_configured_rate() -> None:
    clock = FakeClock()
    limiter = RateLimiter(2.0, clock=clock, sleep=clock.sleep)
    assert [limiter.acquire() for _ in range(5)] == [0.0, 0.5, 1.0, 1.5, 2.0]
    assert clock.now == 2.0


def test_rate_limiter_holds_across_threads() -> None:
    clock = FakeClock()
    limiter = RateLimiter(4.0, clock=clock, sleep=clock.sleep)
    grants: list[float] = []
    lock = threading.Lock()

    def work() -> None:
        for _ in range(5):
            granted = limiter.acquire()
            with lock:
                grants.append(granted)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    grants.sort()
    assert len(grants) == 20
    assert all(b - a >= 0.25 - 1e-9 for a, b in itertools.pairwise(grants))


def test_rate_limiter_burst_defer_limit_and_deadline() -> None:
    clock = FakeClock()
    limiter = RateLimiter(1.0, burst=3, clock=clock, sleep=clock.sleep)
    assert [limiter.acquire() for _ in range(4)] == [0.0, 0.0, 0.0, 1.0]
    limiter.defer(10)
    assert limiter.acquire() == pytest.approx(11.0)
    limiter.limit(0.5)
    assert limiter.rate == 0.5
    limiter.limit(100)
    assert limiter.rate == 1.0  # never above the configured rate
    with pytest.raises(Unverifiable):
        limiter.acquire(deadline=clock() + 0.1)


def test_verifier_requests_respect_the_configured_rate(tmp_path: Path, server: ReplayServer) -> None:
    dois = [f"10.5555/hipcheck.rate-{i}" for i in range(5)]
    for doi in dois:
        server.found(doi, work_message(FICTIONAL_TITLE, "Example", "A", FICTIONAL_JOURNAL, 2020))
    root, records = content(tmp_path, **{f"r{i}": reference(f"r{i}", doi=doi) for i, doi in enumerate(dois)})
    clock = FakeClock()
    verifier = Verifier(settings_for(server, **{"crossref-rate": 2}), clock=clock, sleep=clock.sleep)
    limiter = verifier.services["crossref"].limiter
    grants: list[float] = []
    acquire = limiter.acquire
    limiter.acquire = lambda deadline=None: grants.append(acquire(deadline)) or grants[-1]  # type: ignore[method-assign]
    with verifier:
        results, _ = run(root, records, verifier.settings, verifier=verifier)
    assert all(r.status == "found" for r in results.values())
    grants.sort()
    assert len(grants) == 5 and all(b - a >= 0.5 - 1e-9 for a, b in itertools.pairwise(grants))


def test_published_limits_are_the_ceiling() -> None:
    assert Verifier(OnlineSettings()).services["ncbi"].limiter.rate == 3.0
    assert Verifier(OnlineSettings(), environ={"NCBI_API_KEY": "k"}).services["ncbi"].limiter.rate == 3.0
    keyed = Verifier(OnlineSettings(**{"ncbi-rate": 10}), environ={"NCBI_API_KEY": "k"})
    assert keyed.services["ncbi"].limiter.rate == 10.0 and keyed.ncbi_api_key == "k"
    assert Verifier(OnlineSettings(**{"ncbi-rate": 10})).services["ncbi"].limiter.rate == 3.0
    assert Verifier(OnlineSettings()).services["crossref"].concurrency == 1  # no mailto: the public pool
    assert Verifier(OnlineSettings(mailto=MAILTO)).services["crossref"].concurrency == 3
    for bad in ({"crossref-concurrency": 4}, {"ncbi-rate": 11}, {"crossref-rate": 0}, {"unknown": 1}):
        with pytest.raises(ValidationError):
            OnlineSettings.model_validate(bad)


def test_api_key_is_sent_to_ncbi(tmp_path: Path, server: ReplayServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HIPCHECK_TEST_NCBI_KEY", "secret-for-tests")
    root, records = content(tmp_path, a=reference("a", pmid=PMID_FOUND))
    run(root, records, settings_for(server, **{"ncbi-api-key-env": "HIPCHECK_TEST_NCBI_KEY"}))
    assert server.requests("ncbi")[0].query["api_key"] == ["secret-for-tests"]


def test_api_key_is_never_sent_to_another_address() -> None:
    """`ncbi-api` comes from the checked repository's configuration, the key from the runner's secrets:
    a pull request pointing `ncbi-api` at its own server must not receive the key."""
    environ = {"NCBI_API_KEY": "k"}
    assert Verifier(OnlineSettings(), environ=environ).ncbi_api_key == "k"
    elsewhere = OnlineSettings(**{"ncbi-api": "https://eutils.ncbi.nlm.nih.gov.example.org/entrez/eutils"})
    assert Verifier(elsewhere, environ=environ).ncbi_api_key is None


def test_concurrency_bound_is_respected(tmp_path: Path, server: ReplayServer) -> None:
    dois = [f"10.5555/hipcheck.busy-{i}" for i in range(8)]
    for doi in dois:
        server.handle(doi)
        message = work_message(FICTIONAL_TITLE, "Example", "A", FICTIONAL_JOURNAL, 2020)
        server.work(doi, Reply(200, crossref_ok(doi, message).body, delay=0.25))
    root, records = content(tmp_path, **{f"r{i}": reference(f"r{i}", doi=doi) for i, doi in enumerate(dois)})
    results, _ = run(root, records, settings_for(server, **{"crossref-concurrency": 2}))
    assert all(r.error is None for r in results.values())
    assert server.peak["crossref"] == 2
    assert server.peak["doi"] <= 3


def test_announced_rate_limit_slows_the_client(tmp_path: Path, server: ReplayServer) -> None:
    message = work_message(FICTIONAL_TITLE, "Example", "A", FICTIONAL_JOURNAL, 2020)
    server.found(FICTIONAL, message, headers={"X-Rate-Limit-Limit": "2", "X-Rate-Limit-Interval": "1s"})
    root, records = content(tmp_path, a=reference("a", doi=FICTIONAL))
    with Verifier(settings_for(server)) as verifier:
        run(root, records, verifier.settings, verifier=verifier)
        assert verifier.services["crossref"].limiter.rate == 2.0


def test_header_parsing() -> None:
    def response(**headers: str) -> httpx.Response:
        return httpx.Response(429, headers=headers)

    now = dt.datetime(2026, 10, 21, 7, 27, 58, tzinfo=dt.UTC)
    assert retry_after(response(**{"Retry-After": "3"}), now) == 3.0
    assert retry_after(response(**{"Retry-After": "Wed, 21 Oct 2026 07:28:00 GMT"}), now) == 2.0
    assert retry_after(response(**{"Retry-After": "soon"}), now) is None
    assert retry_after(response(), now) is None
    assert announced_rate(response(**{"X-Rate-Limit-Limit": "50", "X-Rate-Limit-Interval": "1s"})) == 50.0
    assert announced_rate(response(**{"X-Rate-Limit-Limit": "60", "X-Rate-Limit-Interval": "1m"})) == 1.0
    assert announced_rate(response(**{"X-Rate-Limit-Limit": "x"})) is None


# --- comparing metadata -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("short", "full", "same"),
    [
        ("Arch Gerontol Geriatr", "Archives of Gerontology and Geriatrics", True),
        ("J. Orthop. Sports Phys. Ther.", "Journal of Orthopaedic & Sports Physical Therapy", True),
        ("Am J Sports Med", "The American Journal of Sports Medicine", True),
        ("Arch Gerontol", "Archives of Gerontology and Geriatrics", False),
        ("Arch Gerontol Geriatr", "Journal of Imaginary Exercise Science", False),
    ],
)
def test_journal_abbreviations(short: str, full: str, same: bool) -> None:
    assert is_abbreviation(short, full) is same
    assert journal_matches([short], [full]) is same
    assert journal_matches([full], [short]) is same


def test_titles_compare_without_markup_case_or_punctuation() -> None:
    crossref = Metadata("crossref", title="Hip <i>flexor</i> strength &amp; gait", subtitle="a fictional study")
    assert normalize("Hip <i>Flexor</i> strength &amp; gait.") == "hip flexor strength gait"
    assert title_matches("HIP FLEXOR STRENGTH & GAIT: A FICTIONAL STUDY", crossref, 90)
    assert not title_matches("Ankle taping in imaginary marathon runners", crossref, 90)


def test_tolerances_for_years_and_author_names() -> None:
    theirs = Metadata("crossref", title=FICTIONAL_TITLE, years=(2021,), first_author="Müller", journals=("J Imag",))
    data = {"title": FICTIONAL_TITLE, "issued": {"date-parts": [[2020]]}, "author": [{"family": "Mueller"}]}
    assert disagreements(data, theirs, 90) == []
    data["issued"] = {"date-parts": [[2018]]}
    data["author"] = [{"family": "Ikezoe"}]
    assert [d.field for d in disagreements(data, theirs, 90)] == ["year", "first author"]


# --- progress ---------------------------------------------------------------------------------------


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_appears_only_on_a_terminal_after_a_moment() -> None:
    clock = FakeClock()
    stream = _Terminal()
    progress = Progress(4, stream=stream, clock=clock, delay=0.5)
    progress.advance()
    assert stream.getvalue() == ""  # a quick run shows nothing
    clock.now = 1.0
    progress.advance()
    assert stream.getvalue().endswith("[############------------] 2/4")
    progress.close()
    assert stream.getvalue().endswith("\r")
    piped = io.StringIO()
    quiet = Progress(4, stream=piped, clock=clock, delay=0)
    quiet.advance(4)
    quiet.close()
    assert piped.getvalue() == ""


# --- the rules and their fixtures -------------------------------------------------------------------


ONLINE_CODES = ("HC520", "HC521", "HC522", "HC523", "HC524", "HC525", "HC529")
FIXTURES = Path(__file__).parent / "fixtures" / "rules"


def test_online_rules_are_registered_with_full_docs() -> None:
    for code in ONLINE_CODES:
        rule = RULES[code]
        assert tuple(line[3:] for line in rule.doc.splitlines() if line.startswith("## ")) == DOC_HEADINGS
        assert all(rule.section(h) for h in DOC_HEADINGS) and rule.kinds == frozenset({"reference"})


def _fixture_cases() -> list[Any]:
    params = []
    for code in ONLINE_CODES:
        data = yaml.safe_load((FIXTURES / f"{code}.yaml").read_text("utf-8"))
        for case in data["cases"]:
            params.append(pytest.param(code, case, id=f"{code}-{case['name']}"))
    return params


@pytest.mark.parametrize(("code", "case"), _fixture_cases())
def test_rule_fixture_offline(tmp_path: Path, code: str, case: dict[str, Any]) -> None:
    """The HC52x fixtures, run the way tests/test_rules.py will run them once the engine is wired."""
    root = tmp_path / "content"
    write_tree(root, case.get("files", {}))
    records = load(root)
    results, messages = run(root, records, OnlineSettings(), online=False)
    assert not messages
    got = [f for f in findings(records, results) if f.code == code]
    expected = [e if isinstance(e, dict) else {"at": e} for e in case.get("expect", [])]
    assert [f.at for f in got] == [e["at"] for e in expected], [f.message for f in got]
    for want, finding in zip(expected, got, strict=True):
        assert want.get("message", "") in finding.message


def test_every_online_rule_has_passing_and_failing_fixtures() -> None:
    for code in ONLINE_CODES:
        cases = yaml.safe_load((FIXTURES / f"{code}.yaml").read_text("utf-8"))["cases"]
        assert any(c.get("expect") for c in cases) and any(not c.get("expect") for c in cases), code


def test_only_valid_identifiers_of_loaded_references_are_verified(tmp_path: Path) -> None:
    _, records = content(
        tmp_path,
        a=reference("a", doi="https://doi.org/10.5555/HIPCHECK.Case", pmid="PMID: 99999901"),
        b=reference("b", doi="10.5555/hipcheck.case"),  # the same DOI: asked about once
        c=reference("c", doi="not a doi", pmid="0"),
    )
    assert identifiers(records) == {"doi:10.5555/hipcheck.case": "10.5555/HIPCHECK.Case", "pmid:99999901": "99999901"}


def test_offline_runs_do_not_load_the_http_client(tmp_path: Path) -> None:
    root, _ = content(tmp_path, a=reference("a", doi=FICTIONAL))
    script = (
        "import sys\n"
        "from pathlib import Path\n"
        "import hipcheck.rules.online\n"
        "from hipcheck.loader.records import read_records\n"
        "from hipcheck.online import OnlineSettings, verify_references\n"
        f"root = Path({str(root)!r})\n"
        "records = read_records(root / 'references/a.yaml', 'reference', 'references/a.yaml')\n"
        "verify_references(records, root, OnlineSettings(), False, False)\n"
        "print('httpx' in sys.modules)\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"
