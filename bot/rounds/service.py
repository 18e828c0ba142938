"""Matching rounds: gather who is available, apply the current rules and history, plan with
the pure matching engine, and commit a round (groups stored, introductions queued); also the
rules admins set, participation figures, scheduled rounds, and each person's don't-pair list.

Every public method opens and commits its own unit of work.
"""

from __future__ import annotations

import asyncio
import secrets
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.kernel.clock import Clock
from bot.kernel.config import Config
from bot.kernel.errors import UserError
from bot.kernel.invocation import Actor
from bot.kernel.jobs import enqueue
from bot.kernel.people import require_member
from bot.kernel.similarity import Vectoriser
from bot.kernel.storage.database import Database
from bot.kernel.storage.models import Profile
from bot.rounds import rules as round_rules
from bot.rounds.models import Round, RuleSet
from bot.rounds.plans import AvoidRequest, Participation, PlannedRound, RecentRound, RoundInput
from bot.rounds.round_input import available_profiles, comparable_vectors, load_history, refresh_vectors
from bot.rounds.round_store import newest_round, pending_introductions, store_round
from bot.rounds.schedule import ROUND, scope_fires
from matching.rules import MatchRules, RuleError, rules_from_mapping, rules_to_mapping, with_rule
from matching.solver import plan_round


class RoundService:
    """Plans, previews and commits rounds for a community scope."""

    def __init__(self, config: Config, db: Database, clock: Clock, vectoriser: Vectoriser):
        self._config = config
        self._db = db
        self._clock = clock
        self._vectoriser = vectoriser
        self._committing = asyncio.Lock()  # one commit at a time in this process

    def scope_of(self, platform: str, community: str) -> str:
        """The scope a community is matched in: its federation, or the community itself."""
        return round_rules.scope_of(self._config.matching.federations, platform, community)

    def communities_in(self, scope: str) -> list[tuple[str, str]]:
        """(platform, community) pairs belonging to a scope."""
        return round_rules.communities_in(self._config.matching.federations, scope)

    async def scopes(self) -> list[str]:
        """Every scope that has consented profiles."""
        async with self._db.session() as session:
            rows = await session.execute(
                select(Profile.platform, Profile.community).where(Profile.status != "pending").distinct()
            )
            return sorted({self.scope_of(platform, community) for platform, community in rows})

    async def current_rules(self, scope: str) -> tuple[MatchRules, int]:
        """The newest rules an admin set for the scope, or the config's (version 0)."""
        async with self._db.session() as session:
            latest = (
                await session.execute(
                    select(RuleSet).where(RuleSet.scope == scope).order_by(RuleSet.version.desc()).limit(1)
                )
            ).scalar_one_or_none()
        if latest is None:
            return rules_from_mapping(self._config.matching.rules), 0
        return rules_from_mapping(latest.rules), latest.version

    async def set_rule(self, scope: str, key: str, raw_value: str, changed_by: str) -> tuple[MatchRules, int]:
        """Change one rule, keeping every earlier version; a bad value changes nothing."""
        rules, version = await self.current_rules(scope)
        try:
            changed = with_rule(rules, key, raw_value)
        except RuleError as problem:
            raise UserError(f"Not changed: {problem}.") from None
        async with self._db.session() as session, session.begin():
            session.add(
                RuleSet(
                    scope=scope,
                    version=version + 1,
                    rules=rules_to_mapping(changed),
                    created_at=self._clock.now(),
                    created_by=changed_by[:200],
                )
            )
        return changed, version + 1

    async def gather(self, scope: str) -> RoundInput:
        """Who is available in the scope, under which rules, with which history."""
        rules, version = await self.current_rules(scope)
        profiles = await available_profiles(self._db, self.communities_in(scope))
        await refresh_vectors(self._db, self._vectoriser, profiles)
        vectors = await comparable_vectors(profiles)
        people = round_rules.people_for_round(profiles, vectors, scope)
        history = await load_history(self._db, scope, rules, profiles)
        return RoundInput(scope, rules, version, people, {str(p.id): p for p in profiles}, history)

    async def preview(self, scope: str, seed: int | None = None) -> PlannedRound:
        """Plan a round without storing or sending anything."""
        found = await self.gather(scope)
        if len(found.people) < 2:
            raise UserError(
                f"Not enough people to match in {scope}: {len(found.people)} available. People join "
                "with `/peer join` (in the console, `/demo` loads a demo community)."
            )
        seed = secrets.randbits(31) if seed is None else seed
        return PlannedRound(found, plan_round(found.people, found.rules, found.history, seed))

    async def commit(
        self, scope: str, started_by: str, seed: int | None = None, again: bool = False
    ) -> PlannedRound:
        """Plan and store a round in one transaction, queueing an introduction per group and a
        note to each person who could not be matched.

        A second round soon after the last one would give everyone two partners at once, so
        unless `again` says the admin confirmed, it raises RecentRound. Commits of one scope
        take turns (in this process, and across replicas through a database lock), so two
        admins pressing "round" together cannot both get through.
        """
        async with self._committing:
            return await self._commit_in_turn(scope, started_by, seed, again)

    async def _commit_in_turn(
        self, scope: str, started_by: str, seed: int | None, again: bool
    ) -> PlannedRound:
        if not again:
            async with self._db.session() as session:
                await self._refuse_if_recent(session, scope)
        planned = await self.preview(scope, seed)
        async with self._db.session() as session, session.begin():
            await self._db.lock_for_transaction(session, f"round:{scope}")
            if not again:
                await self._refuse_if_recent(session, scope)
            round_id = await store_round(session, planned.input, planned.plan, started_by, self._clock.now())
        return PlannedRound(planned.input, planned.plan, round_id)

    async def _refuse_if_recent(self, session: AsyncSession, scope: str) -> None:
        """Raise RecentRound when the scope's newest round is within [rounds] confirm_repeat_within."""
        newest = await newest_round(session, scope)
        within = self._config.rounds.confirm_repeat_within
        if newest is None or not round_rules.needs_repeat_confirmation(
            newest.created_at, self._clock.now(), within
        ):
            return
        raise RecentRound(newest.id, newest.created_at, await pending_introductions(session, newest.id))

    async def round_count(self, scope: str) -> int:
        """How many rounds the scope has had."""
        async with self._db.session() as session:
            return (await session.execute(select(func.count()).where(Round.scope == scope))).scalar_one()

    async def participation(self, platform: str, community: str) -> Participation:
        """A community's members by status, and its scope's round count (never any content)."""
        async with self._db.session() as session:
            counts = dict(
                (
                    await session.execute(
                        select(Profile.status, func.count())
                        .where((Profile.platform == platform) & (Profile.community == community))
                        .group_by(Profile.status)
                    )
                ).all()
            )
        scope = self.scope_of(platform, community)
        return Participation(
            active=counts.get("active", 0),
            paused=counts.get("paused", 0),
            pending=counts.get("pending", 0),
            scope=scope,
            rounds=await self.round_count(scope),
        )

    async def enqueue_due_rounds(self, since: datetime, until: datetime) -> int:
        """Add a "round" job for every scheduled fire in (since, until]; returns how many fires.

        Each job's key names the scope and the local date, so two processes (or a restart that
        catches up) add it once.
        """
        if not self._config.rounds.enabled:
            return 0
        now = self._clock.now()
        count = 0
        scopes = await self.scopes()
        async with self._db.session() as session, session.begin():
            for scope in scopes:
                for due, key in scope_fires(self._config.rounds, scope, since, until):
                    await enqueue(session, ROUND, key, due, {"scope": scope}, now)
                    count += 1
        return count

    async def dont_pair_names(self, actor: Actor) -> list[str]:
        """The names on the person's own don't-pair list (only they ever see it)."""
        async with self._db.session() as session:
            me = await require_member(session, actor)
            return [
                (await session.get(Profile, pid)).display_name
                for pid in me.dont_pair_with
                if await session.get(Profile, pid) is not None
            ]

    async def change_dont_pair(self, actor: Actor, request: AvoidRequest) -> str:
        """Add someone in the person's scope to their don't-pair list, or take them off it;
        returns that person's display name."""
        async with self._db.session() as session, session.begin():
            me = await require_member(session, actor)
            other = await self._find_in_scope(
                session, self.scope_of(actor.platform, actor.community), request.name
            )
            if other.id == me.id:
                raise UserError("That's you.")
            current = [pid for pid in me.dont_pair_with if pid != other.id]
            me.dont_pair_with = current if request.remove else [*current, other.id]
            return other.display_name

    async def _find_in_scope(self, session: AsyncSession, scope: str, name: str) -> Profile:
        rows = (await session.execute(select(Profile).where(Profile.status != "pending"))).scalars()
        here = [p for p in rows if self.scope_of(p.platform, p.community) == scope]
        found = [p for p in here if round_rules.same_name(name, p.display_name)]
        if not found:
            wanted = name.strip().casefold()
            found = [p for p in here if (p.display_name.split() or [""])[0].casefold() == wanted]
            if len(found) > 1:
                listed = " or ".join(f"“{p.display_name}”" for p in found)
                raise UserError(f"Did you mean {listed}? Write the full name.")
        if not found:
            raise UserError(
                f"Nobody called “{name}” has joined here. Check the spelling of their display name."
            )
        return found[0]
