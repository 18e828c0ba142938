"""What a scheduled message does when a platform does not take it.

- A temporary failure (a 5xx, a dropped connection, a 429) is retried with jittered
  backoff: seconds at first, then minutes, at most an hour apart, until it is delivered.
  A platform's Retry-After is respected.
- A permanent failure (the user does not exist, the account is deactivated) is not
  retried: the job fails with the reason, and the person is marked unreachable so that
  nobody is matched with someone the bot cannot reach.
- A refusal by the privacy guard is final: the job is cancelled.
"""

from __future__ import annotations

import random
from datetime import timedelta
from typing import Protocol

from bot.kernel.clock import Clock
from bot.kernel.job_outcomes import Cancelled, ClaimedJob, GaveUp, RetryLater
from bot.kernel.outbox import Delivery


class Clocked(Protocol):
    """Anything with the clock (the core)."""

    clock: Clock


# Seconds before retry number 1, 2, 3, …; the last repeats.
BACKOFF_STEPS = (2, 5, 15, 45, 120, 300, 900, 1800, 3600)
_jitter = random.SystemRandom()


def backoff(failures: int, retry_after: float | None) -> timedelta:
    """How long to wait after the `failures`-th failure: jittered, and never under Retry-After.

    The jitter (±25 %) spreads the retries of a whole round that failed together, so they
    do not all come back to the platform in the same second.
    """
    step = BACKOFF_STEPS[min(failures, len(BACKOFF_STEPS) - 1)]
    seconds = step * _jitter.uniform(0.75, 1.25)
    return timedelta(seconds=max(seconds, retry_after or 0))


def settle_delivery(core: Clocked, job: ClaimedJob, delivery: Delivery) -> None:
    """Turn a delivery's outcome into the job's: return if sent, else raise what the job should do."""
    if delivery.sent:
        return
    if delivery.status == "refused":
        raise Cancelled()
    if delivery.permanent:
        raise GaveUp(delivery.reason)
    raise RetryLater(
        core.clock.now() + backoff(job.failures, delivery.retry_after), delivery.reason, failed_delivery=True
    )
