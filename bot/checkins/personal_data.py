"""The check-in part of a person's data: shown by /peer mydata, erased by /peer leave."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.checkins.models import Checkin, CheckinResponse
from bot.checkins.schedule import member_checkins
from bot.kernel.jobs import cancel
from bot.kernel.storage.models import Profile


class CheckinData:
    """Check-in answers and notes in /peer mydata; erased (and pending messages cancelled) on leave."""

    name = "checkins"

    async def export(self, session: AsyncSession, profile: Profile) -> Any:
        """The person's answers (with their private notes) and their upcoming check-ins."""
        rows = await session.execute(
            select(CheckinResponse, Checkin)
            .join(Checkin, Checkin.id == CheckinResponse.checkin_id)
            .where(CheckinResponse.profile_id == profile.id)
            .order_by(Checkin.scheduled_at)
        )
        answers = [
            {
                "checkin_at": checkin.scheduled_at.isoformat(),
                "met": response.met,
                "rating": response.rating,
                "private_note": response.private_note,
                "wants_continue": response.wants_continue,
                "responded_at": response.responded_at.isoformat(),
            }
            for response, checkin in rows
        ]
        upcoming = [
            {"checkin_at": c.scheduled_at.isoformat(), "cadence": c.cadence}
            for c in await member_checkins(session, profile.id, ("scheduled",))
        ]
        return {"answers": answers, "upcoming": upcoming}

    async def erase(self, session: AsyncSession, profile: Profile) -> None:
        """Delete the person's answers and cancel every message still waiting for them."""
        await session.execute(delete(CheckinResponse).where(CheckinResponse.profile_id == profile.id))
        await cancel(session, f"p{profile.id}:")
