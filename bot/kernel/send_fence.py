"""Fencing: a scheduled message is sent only by the process that holds its job's lease.

A job runner wraps each job in a SendFence, carried in a context variable so that the
outbox (and a platform's rate-limit retry) can reach it without every handler passing it
down. Before each platform call the fence renews the job's lease in the database, on the
condition that this process still owns it, and checks on a monotonic clock that the renewal
came back with enough of the lease left to finish the call. A process whose database
stalled, or whose lease ran out while it waited on a 429, stops instead of sending a message
another process has taken over.

The fence also gives every send a stable idempotency key (the job's key and the
destination), and says whether an earlier holder may already have sent it (the job's
`sending_since` was set and never cleared by a finish): platforms that can check (Slack
message metadata) or de-duplicate (Discord nonces) use both, so a crash mid-send repeats
nothing.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.kernel.job_outcomes import ClaimedJob


class LeaseLost(Exception):
    """This process no longer holds the job: another may be running it. Stop without sending."""


@dataclass
class SendFence:
    """The right to send for one claimed job, checked and renewed before every send."""

    renew_lease: Callable[[], Awaitable[bool]]  # the queue's conditional renewal for this job
    lease: timedelta
    job: ClaimedJob
    margin: timedelta
    lost: bool = False

    @property
    def verify_since(self) -> datetime | None:
        """When an earlier attempt's send may have started; None when none can have."""
        return self.job.sending_since

    def key_for(self, destination: object) -> str:
        """A stable key for this job's message to one destination (24 characters: a Discord nonce)."""
        text = f"{self.job.key}|{destination!r}"
        return hashlib.blake2b(text.encode(), digest_size=12).hexdigest()

    async def renew(self) -> None:
        """Renew the lease before a send, or raise LeaseLost if it is no longer ours to use."""
        if self.lost:
            raise LeaseLost()
        started = time.monotonic()
        held = await self.renew_lease()
        elapsed = time.monotonic() - started
        if not held or elapsed > (self.lease - self.margin).total_seconds():
            self.lost = True
            raise LeaseLost()


current_fence: ContextVar[SendFence | None] = ContextVar("peerbot_send_fence", default=None)


async def renew_current_fence() -> None:
    """Before a platform retries a call itself (after a 429), check the job is still ours."""
    fence = current_fence.get()
    if fence is not None:
        await fence.renew()
