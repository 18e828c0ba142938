"""Matching rounds: gather who is available, apply the current rules and history, plan with
the pure matching engine, and commit a round (groups stored, introductions queued)."""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from itertools import combinations

from sqlalchemy import func, or_, select

from bot.kernel.clock import Clock
from bot.kernel.config import Config
from bot.kernel.errors import UserError
from bot.kernel.jobs import enqueue
from bot.kernel.similarity import TfidfVectoriser, Vectoriser, vector_from_storage, vectors_and_backend
from bot.kernel.storage.database import Database
from bot.kernel.storage.groups import GroupMember, MatchGroup
from bot.kernel.storage.job_models import Job
from bot.kernel.storage.models import Profile
from bot.rounds.models import Round, RuleSet
from matching.model import PairHistory, Person, RoundPlan
from matching.rules import MatchRules, RuleError, rules_from_mapping, rules_to_mapping, with_rule
from matching.solver import plan_round


@dataclass(frozen=True)
class RoundInput:
    """Everything a plan was made from, with the profiles to name people in reports."""

    scope: str
    rules: MatchRules
    rules_version: int
    people: tuple[Person, ...]
    profiles: dict[str, Profile]
    history: PairHistory


@dataclass(frozen=True)
class PlannedRound:
    """A plan and what it was made from (a preview, or a committed round with its id)."""

    input: RoundInput
    plan: RoundPlan
    round_id: int | None = None


class RecentRound(Exception):
    """A round was committed in this scope moments ago; starting another needs a yes."""

    def __init__(self, round_id: int, committed_at: datetime, introductions_pending: int):
        super().__init__(f"round {round_id} was committed at {committed_at.isoformat()}")
        self.round_id, self.committed_at = round_id, committed_at
        self.introductions_pending = introductions_pending


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
        key = f"{platform}:{community}"
        for name, members in self._config.matching.federations.items():
            if key in members:
                return f"federation:{name}"
        return key

    def communities_in(self, scope: str) -> list[tuple[str, str]]:
        """(platform, community) pairs belonging to a scope."""
        if scope.startswith("federation:"):
            members = self._config.matching.federations.get(scope.split(":", 1)[1], ())
        else:
            members = (scope,)
        return [tuple(member.split(":", 1)) for member in members if ":" in member]

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

    async def _available(self, scope: str) -> list[Profile]:
        communities = self.communities_in(scope)
        if not communities:
            return []
        condition = or_(
            *(
                (Profile.platform == platform) & (Profile.community == community)
                for platform, community in communities
            )
        )
        async with self._db.session() as session:
            profiles = list(
                (
                    await session.execute(
                        select(Profile)
                        .where(
                            condition & (Profile.status == "active") & Profile.unreachable_reason.is_(None)
                        )
                        .order_by(Profile.id)
                    )
                ).scalars()
            )
        await self._refresh_vectors(profiles)
        return profiles

    async def _refresh_vectors(self, profiles: Sequence[Profile]) -> None:
        """Vectors are made when a profile changes; only those from another backend are redone."""
        stale = [p for p in profiles if p.vector is None or p.vector_backend != self._vectoriser.name]
        if not stale:
            return
        vectors, backend = await vectors_and_backend(self._vectoriser, [p.challenge for p in stale])
        async with self._db.session() as session, session.begin():
            for profile, vector in zip(stale, vectors, strict=True):
                stored = await session.get(Profile, profile.id)
                stored.vector, stored.vector_backend = vector, backend
                profile.vector, profile.vector_backend = vector, backend

    @staticmethod
    async def _comparable_vectors(profiles: Sequence[Profile]) -> list:
        """Vectors of one kind for everyone: if an embedding server failed for some, this round
        compares everyone by the offline TF-IDF vectors instead."""
        if len({p.vector_backend for p in profiles}) <= 1:
            return [vector_from_storage(p.vector) for p in profiles]
        offline = await TfidfVectoriser().vectors([p.challenge for p in profiles])
        return [vector_from_storage(v) for v in offline]

    async def _history(self, scope: str, rules: MatchRules, profiles: Sequence[Profile]) -> PairHistory:
        ids = {p.id for p in profiles}
        async with self._db.session() as session:
            recent = list(
                (
                    await session.execute(
                        select(Round.id)
                        .where(Round.scope == scope)
                        .order_by(Round.id.desc())
                        .limit(max(rules.no_repeat_rounds, 1))
                    )
                ).scalars()
            )
            rows = (
                await session.execute(
                    select(
                        MatchGroup.round_id,
                        MatchGroup.id,
                        MatchGroup.outcome,
                        GroupMember.profile_id,
                        GroupMember.wants_continue,
                    )
                    .join(GroupMember, GroupMember.group_id == MatchGroup.id)
                    .where(MatchGroup.round_id.in_(recent))
                )
            ).all()
        groups: dict[int, dict] = {}
        for round_id, group_id, outcome, profile_id, wants in rows:
            group = groups.setdefault(group_id, {"round": round_id, "outcome": outcome, "members": []})
            group["members"].append((str(profile_id), wants))
        by_round: dict[int, list[frozenset[str]]] = {r: [] for r in recent}
        continuing: set[frozenset[str]] = set()
        for group in groups.values():
            members = [m for m, _ in group["members"]]
            if group["outcome"] != "not_met":
                by_round[group["round"]].extend(frozenset(p) for p in combinations(members, 2))
            if recent and group["round"] == recent[0]:
                keen = [m for m, wants in group["members"] if wants]
                continuing.update(frozenset(p) for p in combinations(keen, 2) if len(keen) >= 2)
        blocked = {
            frozenset((str(p.id), str(other)))
            for p in profiles
            for other in p.dont_pair_with
            if other in ids and other != p.id
        }
        return PairHistory(
            recent_rounds=tuple(tuple(by_round[r]) for r in recent),
            blocked=frozenset(blocked),
            continuing=frozenset(continuing),
        )

    async def gather(self, scope: str) -> RoundInput:
        """Who is available in the scope, under which rules, with which history."""
        rules, version = await self.current_rules(scope)
        profiles = await self._available(scope)
        vectors = await self._comparable_vectors(profiles)
        people = tuple(
            Person(
                id=str(p.id),
                name=p.display_name,
                organisation=p.organisation,
                org_type=p.org_type,
                region=p.region,
                areas=frozenset(p.areas),
                stage=p.stage,
                challenge=p.challenge,
                vector=vector,
                scope=scope,
            )
            for p, vector in zip(profiles, vectors, strict=True)
        )
        history = await self._history(scope, rules, profiles)
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
        plan, found = planned.plan, planned.input
        now = self._clock.now()
        async with self._db.session() as session, session.begin():
            await self._db.lock_for_transaction(session, f"round:{scope}")
            if not again:
                await self._refuse_if_recent(session, scope)
            rule_set = (
                await session.execute(
                    select(RuleSet.id).where(
                        (RuleSet.scope == scope) & (RuleSet.version == found.rules_version)
                    )
                )
            ).scalar_one_or_none()
            stored = Round(
                scope=scope,
                seed=plan.seed,
                rule_set_id=rule_set,
                rules=rules_to_mapping(plan.rules),
                started_by=started_by[:200],
                created_at=now,
                metrics=plan.metrics.__dict__,
                baseline=plan.baseline.__dict__,
            )
            session.add(stored)
            await session.flush()
            for group in plan.groups:
                row = MatchGroup(
                    round_id=stored.id,
                    score=group.score,
                    similarity=group.similarity,
                    reasons=list(group.reasons),
                    created_at=now,
                )
                session.add(row)
                await session.flush()
                session.add_all(GroupMember(group_id=row.id, profile_id=int(m)) for m in group.members)
                await enqueue(session, "introduction", f"intro:{row.id}", now, {"group_id": row.id}, now)
            for unmatched in plan.unmatched:
                await enqueue(
                    session,
                    "unmatched",
                    f"unmatched:{stored.id}:{unmatched.person_id}",
                    now,
                    {"profile_id": int(unmatched.person_id), "reason": unmatched.reason},
                    now,
                )
        return PlannedRound(found, plan, stored.id)

    async def _refuse_if_recent(self, session, scope: str) -> None:
        """Raise RecentRound when the scope's newest round is within [rounds] confirm_repeat_within."""
        within = self._config.rounds.confirm_repeat_within
        newest = (
            await session.execute(
                select(Round.id, Round.created_at)
                .where(Round.scope == scope)
                .order_by(Round.id.desc())
                .limit(1)
            )
        ).first()
        if newest is None or not within or self._clock.now() - newest.created_at >= within:
            return
        groups = (
            await session.execute(select(MatchGroup.id).where(MatchGroup.round_id == newest.id))
        ).scalars()
        pending = await session.execute(
            select(func.count()).where(
                Job.key.in_([f"intro:{group_id}" for group_id in groups]) & (Job.status == "pending")
            )
        )
        raise RecentRound(newest.id, newest.created_at, pending.scalar_one())

    async def round_count(self, scope: str) -> int:
        async with self._db.session() as session:
            return (await session.execute(select(func.count()).where(Round.scope == scope))).scalar_one()
