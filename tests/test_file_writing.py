"""The one atomic write (hipcheck.file_writing) and the bounded read the caches share with content files.

Every cache, `hipcheck refs import` and `--fix` write through `write_atomically`; these tests pin what
each caller relies on: the bytes as given, the mode asked for, nothing left behind on failure, and the
old file whole until the rename.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

import pytest

from hipcheck.caching.answers import AnswerCache
from hipcheck.caching.codec import Invalid, loads
from hipcheck.caching.files import read_bounded
from hipcheck.file_reading import FileTooLarge, read_bytes
from hipcheck.file_writing import CHUNK_BYTES, mode_of, write_atomically


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


@pytest.mark.parametrize(
    "data, expected",
    [
        ("a\r\nb\rc\n", b"a\r\nb\rc\n"),  # text as given: no newline translation
        ("é ✓\n", "é ✓\n".encode()),
        (b"\x00\xff raw", b"\x00\xff raw"),
        (iter(["x" * CHUNK_BYTES, "y\n", "z"]), b"x" * CHUNK_BYTES + b"y\nz"),  # lines gathered into chunks
        ("", b""),
    ],
)
def test_writes_exactly_the_data(tmp_path: Path, data: object, expected: bytes) -> None:
    path = tmp_path / "out"
    path.write_bytes(b"old")
    write_atomically(path, data)  # type: ignore[arg-type]
    assert path.read_bytes() == expected
    assert _leftovers(tmp_path) == []


@pytest.mark.skipif(os.name != "posix", reason="POSIX modes")
def test_a_new_file_is_private_unless_a_mode_is_asked_for(tmp_path: Path) -> None:
    write_atomically(tmp_path / "cache", "x")
    assert stat.S_IMODE((tmp_path / "cache").stat().st_mode) == 0o600
    write_atomically(tmp_path / "record", "x", mode=mode_of(tmp_path / "record"))
    assert stat.S_IMODE((tmp_path / "record").stat().st_mode) == 0o644
    (tmp_path / "record").chmod(0o640)
    write_atomically(tmp_path / "record", "y", mode=mode_of(tmp_path / "record"), durable=True)
    assert stat.S_IMODE((tmp_path / "record").stat().st_mode) == 0o640


@pytest.mark.parametrize("where", ["write", "replace"])
def test_a_failed_write_leaves_the_old_file_and_no_temporary(
    tmp_path: Path, where: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "out"
    path.write_bytes(b"old")

    def fail(*args: object) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, where, fail)
    with pytest.raises(OSError):
        write_atomically(path, "new")
    monkeypatch.undo()
    assert path.read_bytes() == b"old"
    assert _leftovers(tmp_path) == []


def test_an_interrupted_line_writer_leaves_the_old_file(tmp_path: Path) -> None:
    path = tmp_path / "records"
    path.write_bytes(b"old")

    def lines() -> object:
        yield "first\n"
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        write_atomically(path, lines())  # type: ignore[arg-type]
    assert path.read_bytes() == b"old" and _leftovers(tmp_path) == []


def test_reads_stop_at_the_limit(tmp_path: Path) -> None:
    path = tmp_path / "big"
    path.write_bytes(b"x" * 101)
    assert read_bytes(path, 101) == b"x" * 101
    with pytest.raises(FileTooLarge):
        read_bytes(path, 100)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="FIFOs")
def test_a_fifo_at_a_cache_path_is_refused_not_waited_on(tmp_path: Path) -> None:
    fifo = tmp_path / "verification.json"
    os.mkfifo(fifo)
    with pytest.raises(Invalid):
        read_bounded(fifo)  # a user-folder cache file
    cache = AnswerCache.load(fifo)  # the answers cache a pull request could replace with a FIFO
    assert cache.entries == {}
    assert [p for p in cache.problems if "not a regular file" in p]


@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity"])
def test_caches_accept_json_only(tmp_path: Path, constant: str) -> None:
    with pytest.raises(Invalid):
        loads(f"[{constant}]")
    path = tmp_path / "verification.json"
    path.write_text(f'{{"version": 1, "entries": {{}}, "x": {constant}}}')
    cache = AnswerCache.load(path)
    assert [p for p in cache.problems if "not valid JSON" in p]
