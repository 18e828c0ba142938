"""The check-in service: every change to check-ins and answers, each in its own unit of work.

Commands and jobs call one method each; the rules they apply live in `rules.py` (pure) and
the reads and writes inside a transaction in `schedule.py` and `answers.py`.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.checkins import answers, rules, schedule
from bot.checkins.job_kinds import CONTINUE, continue_key
from bot.checkins.job_reads import CheckinContext, load_contexts
from bot.checkins.models import Checkin
from bot.kernel.clock import Clock
from bot.kernel.config import CheckinsSection
from bot.kernel.errors import UserError
from bot.kernel.groups import GroupView, load_group
from bot.kernel.invocation import Actor
from bot.kernel.jobs import ClaimedJob, enqueue
from bot.kernel.people import find_profile, require_member
from bot.kernel.storage.database import Database
from bot.kernel.storage.groups import GroupMember
from bot.kernel.storage.models import Profile

log = logging.getLogger(__name__)

STALE_BUTTON = "That button belongs to a check-in that isn't yours or no longer exists."
NONE_COMING = "You have no check-in coming up. You'll get one after your next introduction."


@dataclass(frozen=True)
class CheckinView:
    """One check-in as a person sees it: the check-in, its group, the viewer, and when."""

    checkin: Checkin
    group: GroupView
    viewer: Profile
    now: datetime

    @property
    def others(self) -> list[Profile]:
        """The viewer's peers in the group: whom messages name and changes are told to."""
        return self.group.others(self.viewer.id)


@dataclass(frozen=True)
class Skipped:
    """A skipped check-in's outcome: the group's next one, or None if the group has moved on."""

    viewer: Profile
    following: Checkin | None


@dataclass(frozen=True)
class Upcoming:
    """A person's check-ins still to come, soonest first, each with its group."""

    viewer: Profile
    checkins: list[tuple[Checkin, GroupView]]


@dataclass(frozen=True)
class NoticeFacts:
    """The person a notice is for (None if they are gone) and what it is about."""

    profile: Profile | None
    silent: int = 0
    checkin: Checkin | None = None
    group: GroupView | None = None


class CheckinService:
    """Schedules check-ins, moves and skips them, records answers, and closes follow-ups."""

    def __init__(self, settings: CheckinsSection, db: Database, clock: Clock):
        self._settings = settings
        self._db = db
        self._clock = clock

    async def job_contexts(self, jobs: Sequence[ClaimedJob]) -> dict[int, CheckinContext]:
        """What a batch of per-person jobs needs, read afresh in a few queries (job id → context)."""
        async with self._db.session() as session:
            return await load_contexts(session, [(job.id, job.payload) for job in jobs])

    async def group(self, group_id: int) -> GroupView | None:
        """A group with its members, read afresh, or None if it is gone."""
        async with self._db.session() as session:
            return await load_group(session, group_id)

    async def notice_facts(self, profile_id: int, checkin_id: int, paused: bool) -> NoticeFacts:
        """What a notice to one person needs: for a pause, how long they were silent; for a
        change, the check-in and its group."""
        async with self._db.session() as session:
            profile = await session.get(Profile, profile_id)
            if profile is None:
                return NoticeFacts(None)
            if paused:
                return NoticeFacts(profile, silent=await answers.silent_introductions(session, profile.id))
            checkin = await session.get(Checkin, checkin_id)
            view = await load_group(session, checkin.group_id) if checkin else None
            return NoticeFacts(profile, checkin=checkin, group=view)

    async def next_checkin(self, actor: Actor) -> CheckinView:
        """The person's next check-in (for /peer checkin)."""
        now = self._clock.now()
        async with self._db.session() as session:
            profile = await require_member(session, actor)
            return await self._chosen(session, profile, None, now, lock=False)

    async def upcoming(self, actor: Actor) -> Upcoming:
        """Every check-in the person has still to come (for /peer checkins)."""
        now = self._clock.now()
        async with self._db.session() as session:
            profile = await require_member(session, actor)
            return Upcoming(profile, await schedule.upcoming_checkins(session, profile.id, now))

    async def next_for_home(self, actor: Actor) -> CheckinView | None:
        """The person's next check-in, or None if they have none or have not joined (home page)."""
        now = self._clock.now()
        async with self._db.session() as session:
            profile = await find_profile(session, actor)
            found = await schedule.next_upcoming(session, profile.id, now) if profile else None
        return CheckinView(found[0], found[1], profile, now) if found else None

    async def calendar(self, actor: Actor, raw_id: str | None) -> CheckinView:
        """The next check-in, or the one a button names, for its calendar file."""
        now = self._clock.now()
        async with self._db.session() as session:
            profile = await require_member(session, actor)
            return await self._chosen(session, profile, raw_id, now, lock=raw_id is not None)

    async def reschedule(self, actor: Actor, day: date, at: time) -> CheckinView:
        """Move the person's next check-in to a local day and time; the others are told."""
        now = self._clock.now()
        async with self._db.session() as session, session.begin():
            profile = await require_member(session, actor)
            when = rules.reschedule_moment(day, at, profile.timezone, now)
            seen = await self._chosen(session, profile, None, now)
            await schedule.reschedule(session, self._settings, seen.checkin, seen.group, when, now)
            await schedule.notify_members(session, seen.checkin, seen.others, "rescheduled", profile.id, now)
        return seen

    async def skip(self, actor: Actor, raw_id: str | None) -> Skipped:
        """Skip the next check-in (or the one a button names); the group's next one is made."""
        now = self._clock.now()
        async with self._db.session() as session, session.begin():
            profile = await require_member(session, actor)
            seen = await self._chosen(session, profile, raw_id, now)
            checkin, view = seen.checkin, seen.group
            if not rules.may_skip(checkin.status, checkin.scheduled_at, now):
                raise UserError("That check-in can no longer be skipped.")
            await schedule.cancel_checkin_jobs(session, checkin, view)
            checkin.status, checkin.updated_at = "skipped", now
            await session.flush()
            following = await schedule.schedule_next(session, self._settings, checkin, view, now)
            if following is not None:
                await schedule.notify_members(session, following, seen.others, "skipped", profile.id, now)
        return Skipped(profile, following)

    async def change_cadence(self, actor: Actor, wanted: str) -> CheckinView | None:
        """Change how often the group meets, from the check-in after the next; the others are told.
        With no check-in coming up, the person's own preference is kept for their first one (None)."""
        now = self._clock.now()
        async with self._db.session() as session, session.begin():
            profile = await require_member(session, actor)
            if await schedule.next_upcoming(session, profile.id, now) is None:
                profile.cadence, profile.updated_at = wanted, now
                return None
            seen = await self._chosen(session, profile, None, now)
            rules.refuse_unchanged_cadence(wanted, seen.checkin.cadence)
            seen.checkin.cadence, seen.checkin.updated_at = wanted, now
            what = f"cadence-{wanted}"
            await schedule.notify_members(session, seen.checkin, seen.others, what, profile.id, now)
        return seen

    async def answer(self, actor: Actor, raw_id: str, choice: str) -> Checkin:
        """Record whether the group met; one "met" makes the round count as met at once."""
        now = self._clock.now()
        async with self._db.session() as session, session.begin():
            profile = await require_member(session, actor)
            seen = await self._own(session, profile, raw_id, now)
            if not rules.may_answer(seen.checkin.status):
                raise UserError("That check-in was skipped, so there is nothing to answer.")
            await answers.record_answer(session, seen.checkin, profile.id, now, met=choice)
            group = seen.group.group
            group.outcome = rules.outcome_after_answer(group.outcome, choice)
        return seen.checkin

    async def rate(self, actor: Actor, raw_id: str, rating: int) -> Checkin:
        """Record a 1–5 rating; once every member rated highly, each is offered to continue."""
        now = self._clock.now()
        async with self._db.session() as session, session.begin():
            profile = await require_member(session, actor)
            seen = await self._own(session, profile, raw_id, now)
            await answers.record_answer(session, seen.checkin, profile.id, now, rating=rating)
            given = await answers.ratings(session, seen.checkin)
            group_id = seen.group.group.id
            for member_id in rules.continue_offer_recipients([m.id for m in seen.group.members], given):
                payload = {"group_id": group_id, "profile_id": member_id}
                await enqueue(session, CONTINUE, continue_key(member_id, group_id), now, payload, now)
        return seen.checkin

    async def save_note(self, actor: Actor, raw_id: str, text: str | None) -> None:
        """Save (or clear, with None) the person's private note on a check-in."""
        now = self._clock.now()
        async with self._db.session() as session, session.begin():
            profile = await require_member(session, actor)
            seen = await self._own(session, profile, raw_id, now)
            await answers.record_answer(session, seen.checkin, profile.id, now, private_note=text)

    async def choose_continue(self, actor: Actor, group_id: int, wants: bool) -> list[Profile]:
        """Record whether the person wants to stay with their group; returns the others in it."""
        now = self._clock.now()
        async with self._db.session() as session, session.begin():
            profile = await require_member(session, actor)
            member = await session.get(GroupMember, (group_id, profile.id))
            if member is None:
                raise UserError(STALE_BUTTON)
            member.wants_continue = wants
            view = await load_group(session, group_id)
            mine = await schedule.member_checkins(session, profile.id, ("done", "scheduled"))
            latest = rules.latest_checkin_of_group(mine, group_id)
            if latest is not None:
                await answers.record_answer(session, latest, profile.id, now, wants_continue=wants)
        return view.others(profile.id)

    async def schedule_first(self, group_id: int) -> None:
        """Schedule a group's first check-in once its introduction has gone out.

        Listens to the kernel's "group introduced" hook. Calling it again does nothing, so a
        retried introduction cannot create a second first check-in.
        """
        now = self._clock.now()
        try:
            async with self._db.session() as session, session.begin():
                existing = await session.execute(
                    select(Checkin.id).where((Checkin.group_id == group_id) & (Checkin.sequence == 1))
                )
                view = await load_group(session, group_id)
                if existing.first() is not None or view is None or len(view.members) < 2:
                    return
                timezone = rules.group_timezone([m.timezone for m in view.members])
                cadence = rules.agreed_cadence([m.cadence for m in view.members])
                first = rules.first_checkin_moment(now, self._settings, timezone)
                await schedule.end_superseded_checkins(session, view, now)
                await schedule.create_checkin(session, self._settings, view, 1, first, cadence, timezone, now)
        except IntegrityError:
            log.info("group %s already had its first check-in", group_id)

    async def close_followup(self, checkin_id: int, version: int) -> bool:
        """End a check-in's follow-up: record the outcome, pause the silent, schedule the next one.

        Returns False if the check-in changed (rescheduled, skipped, gone) since the job was made.
        """
        now = self._clock.now()
        async with self._db.session() as session, session.begin():
            checkin = await session.get(Checkin, checkin_id, with_for_update=True)
            if checkin is None or checkin.version != version or checkin.status != "scheduled":
                return False
            view = await load_group(session, checkin.group_id)
            if view is None:
                return False
            checkin.status, checkin.updated_at = "done", now
            outcome = rules.outcome_after_followup(
                view.group.outcome, await answers.met_answers(session, checkin)
            )
            view.group.outcome = outcome
            await session.flush()
            if checkin.sequence == 1:
                await answers.pause_silent_members(
                    session, view, self._settings.pause_after_silent_introductions, now
                )
            await schedule.schedule_next(session, self._settings, checkin, view, now)
        return True

    async def _chosen(
        self, session: AsyncSession, profile: Profile, raw_id: str | None, now: datetime, lock: bool = True
    ) -> CheckinView:
        """The check-in a button names (always locked), else the person's next one (locked for a
        change if `lock`); a UserError if there is none."""
        if raw_id is not None:
            return await self._own(session, profile, raw_id, now)
        found = await schedule.next_upcoming(session, profile.id, now)
        if found is None:
            raise UserError(NONE_COMING)
        checkin, view = found
        if lock:
            checkin = await session.get(Checkin, checkin.id, with_for_update=True)
        return CheckinView(checkin, view, profile, now)

    async def _own(self, session: AsyncSession, profile: Profile, raw_id: str, now: datetime) -> CheckinView:
        """A check-in named by a button (locked for a change), after checking the person is in its group."""
        if not raw_id.isdigit():
            raise UserError(STALE_BUTTON)
        checkin = await session.get(Checkin, int(raw_id), with_for_update=True)
        view = await load_group(session, checkin.group_id) if checkin else None
        if view is None or profile.id not in {m.id for m in view.members}:
            raise UserError(STALE_BUTTON)
        return CheckinView(checkin, view, profile, now)
