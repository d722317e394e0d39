"""The online answers caches: what doi.org, Crossref and PubMed said (`AnswerCache`) and what the hosts
of external links said (hipcheck.online.links.LinkAnswers), each a JSON file in the content repository
(`AnswerFile`), reviewed and committed like content (unlike the user-folder caches,
hipcheck.caching.files, its layout is for people: indented, sorted, with an `about` line).

Sorted keys and a stable layout keep its diffs small; it is written atomically so an interrupted run
never leaves half a file. A cache that cannot be read is treated as empty (and the user is told): it
is a cache, and the next online run rebuilds it.

The file comes from the repository, so it is read as hostile: any shape, any size up to a cap, any
nesting. Each verdict says what was asked, of which service, and when; an entry that does not, that
asked another question than this configuration asks, or that was checked in the future, is dropped
and named, so a forged entry cannot quietly make a non-existent DOI look verified.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any, Generic, Self, TypeVar

from hipcheck.caching.codec import strict_json
from hipcheck.file_reading import FileTooLarge, read_bytes
from hipcheck.file_writing import mode_of, write_atomically
from hipcheck.online.questions import question
from hipcheck.online.results import Result, shown
from hipcheck.online.settings import OnlineSettings

VERSION = 1  # of the verification answers file
ABOUT = (
    "hipcheck online verification results (hipcheck check --online), keyed by identifier; each aspect "
    "records the service asked, the URL asked and when. Review changes like content; delete an entry "
    "to have it checked again."
)
MAX_ANSWERS_BYTES = 64 * 1024 * 1024  # some 200,000 entries; a larger file is not one hipcheck wrote
CLOCK_SKEW = dt.timedelta(days=1)  # a check this far "in the future" is a clock's error, not a forgery
SHOWN_KEYS = 3  # entry keys named in a problem message

T = TypeVar("T")


class AnswerFile(Generic[T]):
    """A committed file of online answers, `{"about": ..., "version": N, "entries": {key: answer}}`: read
    bounded and strictly (an entry its subclass cannot decode is dropped and named), written sorted and
    atomically. Subclasses say what it holds (`WHAT`, `ABOUT`, `VERSION`, `MAX_BYTES`) and how an
    answer is read and written (`decode`, `encode`)."""

    WHAT = "answers file"  # in messages: "cannot read the {WHAT}"
    ABOUT = ""
    VERSION = 1
    MAX_BYTES = MAX_ANSWERS_BYTES
    MALFORMED = "malformed"  # how a dropped undecodable entry is named: "ignored 2 {MALFORMED} entries"

    def __init__(self, path: Path, entries: dict[str, T] | None = None) -> None:
        self.path = path
        self.entries: dict[str, T] = entries or {}
        self.problems: list[str] = []  # what was wrong with the file when it was read

    @classmethod
    def decode(cls, key: str, value: Any) -> T:
        """An entry as read; raise KeyError, TypeError, ValueError or OverflowError when it is malformed."""
        raise NotImplementedError

    @classmethod
    def encode(cls, answer: T) -> Any:
        raise NotImplementedError

    @classmethod
    def load(cls, path: Path) -> Self:
        cache = cls(path)
        try:
            text = read_bytes(path, cls.MAX_BYTES).decode("utf-8")  # a regular file only: no FIFO to hang on
        except FileNotFoundError:
            return cache
        except FileTooLarge:
            limit = f"{cls.MAX_BYTES // (1024 * 1024)} MiB"
            cache.problems.append(f"{path}: the {cls.WHAT} is larger than {limit}; treating it as empty")
            return cache
        except (OSError, UnicodeDecodeError) as error:
            cache.problems.append(f"{path}: cannot read the {cls.WHAT} ({_why(error)}); treating it as empty")
            return cache
        try:
            data = strict_json(text)
        except (ValueError, RecursionError) as error:
            why = "nested too deeply" if isinstance(error, RecursionError) else str(error)
            cache.problems.append(f"{path}: the {cls.WHAT} is not valid JSON ({why}); treating it as empty")
            return cache
        entries = data.get("entries") if isinstance(data, dict) else None
        if not isinstance(data, dict) or data.get("version") != cls.VERSION or not isinstance(entries, dict):
            cache.problems.append(
                f"{path}: not a version {cls.VERSION} {cls.WHAT} (no 'version' and 'entries'); treating it as empty"
            )
            return cache
        bad: list[str] = []
        why = ""
        for key, value in entries.items():
            try:
                cache.entries[key] = cls.decode(key, value)
            except (KeyError, TypeError, ValueError, OverflowError) as error:
                bad.append(key)
                why = why or shown(str(error), 120)
        cache._dropped(bad, cls.MALFORMED, f" (first: {why})" if why else "")
        return cache

    def drop_future(self, now: dt.datetime, checked: Callable[[T], dt.datetime]) -> None:
        """Drop the entries whose answer (`checked`) came after `now` (beyond a clock's error): forged."""
        future = [key for key, answer in self.entries.items() if checked(answer) > now + CLOCK_SKEW]
        for key in future:
            del self.entries[key]
        self._dropped(future, "", " checked in the future")

    def _dropped(self, keys: list[str], what: str, why: str) -> None:
        if keys:
            named = ", ".join(shown(k) for k in keys[:SHOWN_KEYS]) + (", ..." if len(keys) > SHOWN_KEYS else "")
            entries = f"entr{'y' if len(keys) == 1 else 'ies'}"
            what = f"{what} {entries}" if what else entries
            self.problems.append(f"{self.path}: ignored {len(keys)} {what}{why}: {named}")

    def render(self) -> str:
        document: dict[str, Any] = {
            "about": self.ABOUT,
            "version": self.VERSION,
            "entries": {key: self.encode(self.entries[key]) for key in sorted(self.entries)},
        }
        return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"

    def save(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        write_atomically(self.path, self.render(), mode=mode_of(self.path))


class AnswerCache(AnswerFile[Result]):
    """What doi.org, Crossref and PubMed said about the references' identifiers."""

    WHAT = "verification cache"
    ABOUT = ABOUT
    VERSION = VERSION
    MAX_BYTES = MAX_ANSWERS_BYTES
    MALFORMED = "malformed cache"

    @classmethod
    def decode(cls, key: str, value: Any) -> Result:
        return Result.from_json(key, value)

    @classmethod
    def encode(cls, answer: Result) -> Any:
        return answer.to_json()

    def vet(self, settings: OnlineSettings, now: dt.datetime) -> None:
        """Drop the entries that do not answer this configuration's questions, or were verified in the future."""
        foreign, future = [], []
        for key, result in self.entries.items():
            value = key.partition(":")[2]
            for name, aspect in result.aspects.items():
                service, url = question(key, name, value, settings)
                if aspect.service != service or aspect.asked.casefold() != url.casefold():  # DOIs ignore case
                    foreign.append(key)
                    break
                if aspect.checked > now + CLOCK_SKEW:  # when the verdict was reached; `checked` is the last attempt
                    future.append(key)
                    break
        for key in foreign + future:
            del self.entries[key]
        self._dropped(foreign, "cache", " whose question is not what this configuration asks (service and URL)")
        self._dropped(future, "cache", " verified in the future")


def _why(error: BaseException) -> str:
    return getattr(error, "strerror", None) or type(error).__name__


def answers_path(root: Path, setting: str) -> Path | None:
    """The answers file `setting` names, when it is relative and stays inside `root` (symlinks resolved)."""
    try:
        relative = Path(setting)
        path = root / relative
        inside = not relative.is_absolute() and path.resolve().is_relative_to(root.resolve())
    except (OSError, ValueError, RuntimeError):  # a NUL byte, a symlink loop
        return None
    return path if inside and path.resolve() != root.resolve() else None
