"""Events that can happen thousands of times a minute (rate-limit retries, failed sends,
skipped scheduler ticks) are counted and summarised in one log line a minute at most,
instead of one line each: under load the log stays readable and its volume bounded."""

from __future__ import annotations

import logging
import threading
import time
from collections import Counter


class CountedLog:
    """Counts events by a short description and logs a summary at most once per `every` seconds."""

    def __init__(self, logger: logging.Logger, what: str, every: float = 60.0, level: int = logging.WARNING):
        self.logger, self.what, self.every, self.level = logger, what, every, level
        self.counts: Counter = Counter()
        self.total = 0
        self._lock = threading.Lock()
        self._last = float("-inf")

    def add(self, event: str) -> None:
        """Count one event; log the summary now if the last one was long enough ago."""
        with self._lock:
            self.counts[event] += 1
            self.total += 1
            due = time.monotonic() - self._last >= self.every
        if due:
            self.flush()

    def flush(self) -> None:
        """Log what was counted since the last summary (nothing if nothing happened)."""
        with self._lock:
            counts, self.counts = self.counts, Counter()
            self._last = time.monotonic()
        if counts:
            listed = "; ".join(f"{n} × {event}" for event, n in counts.most_common(5))
            more = len(counts) - 5
            self.logger.log(
                self.level,
                "%s %s: %s%s",
                sum(counts.values()),
                self.what,
                listed,
                f" (+{more} other kinds)" if more > 0 else "",
            )
