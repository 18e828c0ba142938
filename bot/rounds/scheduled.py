"""Running a scheduled round: the job queue hands over a due "round" job, the rounds service
commits it (which queues the introductions)."""

from __future__ import annotations

import logging

from bot.kernel.core import Core
from bot.kernel.errors import UserError
from bot.kernel.jobs import Cancelled, ClaimedJob
from bot.rounds.plans import RecentRound
from bot.rounds.service import RoundService

log = logging.getLogger(__name__)


async def run_scheduled_round(service: RoundService, core: Core, job: ClaimedJob) -> None:
    """Commit the job's round; one the service declines, or one an admin just started, is
    cancelled rather than retried."""
    try:
        await service.commit(job.payload["scope"], started_by="schedule")
    except UserError:
        log.info("a scheduled round was not started: the rounds service declined")
        raise Cancelled() from None
    except RecentRound:
        log.info("a scheduled round was not started: an admin started one shortly before")
        raise Cancelled() from None
