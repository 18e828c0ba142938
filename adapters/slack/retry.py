"""How Slack calls are retried, and what a Slack error means for a message.

Outside a job (replies to a person's command) slack_sdk retries a dropped connection and
waits out a 429's Retry-After, as before. Inside a job the job's lease decides: after a
short Retry-After the fence renews the lease before the call goes again; a long one ends
the attempt, and the job comes back after Retry-After without holding its lease meanwhile. A
connection that broke mid-call is not retried blindly there: the message may have been
posted, so the job's next attempt first asks Slack (see SlackPlatform.deliver_once).
"""

from __future__ import annotations

import logging

from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.async_handler import AsyncRetryHandler
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
)

from bot.kernel.counted_log import CountedLog
from bot.kernel.outbox import DeliveryFailed
from bot.kernel.send_fence import current_fence, renew_current_fence

log = logging.getLogger(__name__)

RATE_LIMIT_RETRIES = 100  # in effect, never give up on a rate-limited reply
# Slack errors that no retry can mend: the person is gone, or cannot be messaged.
PERMANENT_ERRORS = frozenset(
    {
        "user_not_found",
        "users_not_found",
        "account_inactive",
        "user_disabled",
        "cannot_dm_bot",
        "is_archived",
        "messages_tab_disabled",
        "user_is_restricted",
    }
)


def retry_after_of(response) -> float | None:
    """The Retry-After a 429 carried, in seconds, if any."""
    if response is None:
        return None
    value = (response.headers or {}).get("Retry-After") or (response.headers or {}).get("retry-after")
    if isinstance(value, list):
        value = value[0] if value else None
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None


class CountingRateLimitHandler(AsyncRateLimitErrorRetryHandler):
    """slack_sdk's 429 handler (waits Retry-After, then retries), counting each retry.

    In a job, a wait longer than a third of the lease is not waited here: the call fails
    with the Retry-After, and the job is retried then.
    """

    def __init__(self, longest_wait_in_job: float = 20.0) -> None:
        super().__init__(max_retry_count=RATE_LIMIT_RETRIES)
        self.longest_wait_in_job = longest_wait_in_job
        self.counted = CountedLog(log, "Slack calls were rate-limited (waited Retry-After, then retried)")

    @property
    def retries(self) -> int:
        return self.counted.total

    async def _can_retry_async(self, *, state, request, response=None, error=None) -> bool:
        if not await super()._can_retry_async(state=state, request=request, response=response, error=error):
            return False
        wait = retry_after_of(response) or 1.0
        return current_fence.get() is None or wait <= self.longest_wait_in_job

    async def prepare_for_next_attempt_async(self, *, state, request, response=None, error=None) -> None:
        self.counted.add(request.url.rsplit("/", 1)[-1])
        await super().prepare_for_next_attempt_async(
            state=state, request=request, response=response, error=error
        )
        await renew_current_fence()


class UnfencedConnectionRetryHandler(AsyncConnectionErrorRetryHandler):
    """Retry a dropped connection only outside a job, where a repeat cannot double a message."""

    async def _can_retry_async(self, *, state, request, response=None, error=None) -> bool:
        if current_fence.get() is not None:
            return False
        return await super()._can_retry_async(state=state, request=request, response=response, error=error)


def retry_handlers(rate_limits: CountingRateLimitHandler) -> list[AsyncRetryHandler]:
    """Retries for every Slack call: dropped connections, and 429s after Retry-After."""
    return [UnfencedConnectionRetryHandler(max_retry_count=2), rate_limits]


def delivery_failure(problem: SlackApiError) -> DeliveryFailed:
    """A content-free DeliveryFailed for a Slack error: permanent or not, and any Retry-After."""
    response = problem.response
    error = str(response.get("error", "unknown")) if response is not None else "unknown"
    status = getattr(response, "status_code", 0) if response is not None else 0
    if status >= 500 or error in ("internal_error", "fatal_error", "service_unavailable", "request_timeout"):
        error = f"server error {status}" if status >= 500 else error
    return DeliveryFailed(
        f"slack error {error[:60]}",
        retryable=error not in PERMANENT_ERRORS,
        retry_after=retry_after_of(response),
    )
