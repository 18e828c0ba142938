"""A claimed job as its handler sees it, and how the handler says its work cannot be done now:
later, never, or no longer needed."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class ClaimedJob:
    """A job this process holds until its lease ends."""

    id: int
    kind: str
    key: str
    payload: Mapping[str, Any]
    due_at: datetime
    attempts: int
    sending_since: datetime | None = None
    failures: int = 0
    context: Any = None  # what the kind's prefetch loaded for this job, if it has one


class RetryLater(Exception):
    """Raised by a handler that cannot finish now (quiet hours, a DM that failed)."""

    def __init__(self, when: datetime, reason: str = "", failed_delivery: bool = False):
        super().__init__(reason)
        self.when, self.reason, self.failed_delivery = when, reason, failed_delivery


class Cancelled(Exception):
    """Raised by a handler whose work no longer applies (the person left or paused)."""


class GaveUp(Exception):
    """A delivery that can never succeed; the job is recorded as failed with this reason."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason
