"""A one-line progress bar on stderr, shown only on a terminal and only once a run takes a moment."""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable
from typing import TextIO


class Progress:
    WIDTH = 24

    def __init__(
        self,
        total: int,
        label: str = "verifying references online",
        *,
        stream: TextIO | None = None,
        enabled: bool = True,
        delay: float = 0.5,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.total = total
        self.done = 0
        self.label = label
        self.stream = stream if stream is not None else sys.stderr
        # Not on a pipe or in CI logs: there a redrawn line is just noise.
        self.enabled = enabled and total > 0 and _is_terminal(self.stream)
        self.delay = delay
        self._clock = clock
        self._start = clock()
        self._drawn_at: float | None = None
        self._lock = threading.Lock()

    def advance(self, count: int = 1) -> None:
        with self._lock:
            self.done = min(self.total, self.done + count)
            now = self._clock()
            if not self.enabled or now - self._start < self.delay:
                return
            if self._drawn_at is not None and now - self._drawn_at < 0.1 and self.done < self.total:
                return  # redraw at most ten times a second
            filled = self.WIDTH * self.done // self.total
            bar = "#" * filled + "-" * (self.WIDTH - filled)
            self.stream.write(f"\r{self.label} [{bar}] {self.done}/{self.total}")
            self.stream.flush()
            self._drawn_at = now

    def close(self) -> None:
        with self._lock:
            if self._drawn_at is not None:
                width = len(self.label) + self.WIDTH + 2 * len(str(self.total)) + 5
                self.stream.write("\r" + " " * width + "\r")
                self.stream.flush()
                self._drawn_at = None


def _is_terminal(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False
