"""Practitioner profiles: join with consent, edit, pause, resume, export and erase.

Each method is one unit of work (its own session and transaction); the rules it applies
are the pure functions in bot/profiles/rules.py.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from sqlalchemy import select

from bot.kernel.clock import Clock
from bot.kernel.invocation import Actor
from bot.kernel.people import People, find_profile, owned_by, require_member
from bot.kernel.personal_data import PersonalDataPart
from bot.kernel.similarity import Vectoriser, vectors_and_backend
from bot.kernel.storage.database import Database
from bot.kernel.storage.models import Profile
from bot.profiles import rules
from bot.profiles.form import PROFILE_FIELD_NAMES
from bot.profiles.privacy_notice import PRIVACY_NOTICE_VERSION
from bot.profiles.suggestions import SuggestedAreas, TagSuggester
from bot.profiles.views import profile_as_dict


class ProfileService(People):
    """Reads and changes profiles; every change is one transaction (lookups are the kernel's)."""

    def __init__(
        self,
        db: Database,
        clock: Clock,
        vectoriser: Vectoriser,
        parts: list[PersonalDataPart],
        suggester: TagSuggester,
    ):
        super().__init__(db)
        self._clock = clock
        self._vectoriser = vectoriser
        self._parts = parts
        self._suggester = suggester

    async def _vector(self, challenge: str) -> tuple[Any, str]:
        [vector], backend = await vectors_and_backend(self._vectoriser, [challenge])
        return vector, backend

    async def save_pending(self, actor: Actor, values: Mapping[str, Any]) -> Profile:
        """Keep a filled-in join form until the person agrees to the privacy notice."""
        now = self._clock.now()
        async with self._db.session() as session, session.begin():
            profile = await find_profile(session, actor)
            rules.check_may_keep_join_form(profile.status if profile else None)
            if profile is None:
                profile = Profile(
                    platform=actor.platform,
                    community=actor.community,
                    user_id=actor.user_id,
                    status="pending",
                    dont_pair_with=[],
                    created_at=now,
                )
                session.add(profile)
            for name in PROFILE_FIELD_NAMES:
                setattr(profile, name, values[name])
            profile.updated_at = now
        return profile

    async def open_join_form(self, actor: Actor) -> Profile | None:
        """The waiting join form to fill in again, None for a newcomer; members are refused."""
        profile = await self.find(actor)
        rules.check_may_open_join_form(profile.status if profile else None)
        return profile

    async def submit_join(
        self, actor: Actor, values: Mapping[str, Any], reviewed: bool
    ) -> SuggestedAreas | None:
        """Keep the join form, then suggested areas worth offering (None: ask for consent).

        No suggestion is sought once the person has reviewed one; the suggester removes
        their own name and organisation from the challenge before it leaves the bot.
        """
        await self.save_pending(actor, values)
        if reviewed:
            return None
        suggestion = await self._suggester.suggest_tags(
            values["challenge"], name=values["display_name"], organisation=values["organisation"]
        )
        if suggestion is None or not rules.suggestion_differs(suggestion.areas, values["areas"]):
            return None
        return suggestion

    async def waiting_join_form(self, actor: Actor) -> Profile:
        """The join form still waiting for consent, or a UserError saying to start again."""
        profile = await self.find(actor)
        rules.check_join_form_waiting(profile.status if profile else None)
        return profile

    async def choose_areas(self, actor: Actor, areas: Sequence[str]) -> Profile:
        """Put the chosen areas on the waiting join form; none chosen keeps the person's own."""
        rules.check_areas(areas)
        async with self._db.session() as session, session.begin():
            profile = await find_profile(session, actor)
            rules.check_join_form_waiting(profile.status if profile else None)
            if areas:
                profile.areas = list(dict.fromkeys(areas))
                profile.updated_at = self._clock.now()
        return profile

    async def consent(self, actor: Actor) -> Profile:
        """Record consent with its time and notice version, and make the profile active."""
        now = self._clock.now()
        async with self._db.session() as session, session.begin():
            profile = await find_profile(session, actor)
            rules.check_may_consent(profile.status if profile else None)
            profile.vector, profile.vector_backend = await self._vector(profile.challenge)
            profile.status = "active"
            profile.consented_at = now
            profile.privacy_notice_version = PRIVACY_NOTICE_VERSION
            profile.updated_at = now
        return profile

    async def cancel_pending(self, actor: Actor) -> bool:
        """Forget a join form that was not agreed to."""
        async with self._db.session() as session, session.begin():
            query = select(Profile).where(owned_by(actor) & (Profile.status == "pending"))
            pending = list((await session.execute(query)).scalars())
            for profile in pending:
                await session.delete(profile)
        await self._db.compact_data_keys()
        return bool(pending)

    async def update(self, actor: Actor, values: Mapping[str, Any]) -> Profile:
        """Save an edited profile; the challenge vector is recomputed only if the text changed."""
        async with self._db.session() as session, session.begin():
            profile = await require_member(session, actor)
            if rules.needs_new_vector(profile.challenge, values["challenge"], profile.vector is not None):
                profile.vector, profile.vector_backend = await self._vector(values["challenge"])
            for name in PROFILE_FIELD_NAMES:
                setattr(profile, name, values[name])
            profile.updated_at = self._clock.now()
        return profile

    async def pause(self, actor: Actor, until: date | None) -> Profile:
        """Leave people out of rounds and scheduled messages until they resume (or a date)."""
        rules.check_pause_end(until, self._clock.now().date())
        async with self._db.session() as session, session.begin():
            profile = await require_member(session, actor)
            profile.status, profile.paused_until = "paused", until
            profile.updated_at = self._clock.now()
        return profile

    async def resume(self, actor: Actor) -> Profile:
        """Take part again."""
        async with self._db.session() as session, session.begin():
            profile = await require_member(session, actor)
            rules.check_may_resume(profile.status)
            profile.status, profile.paused_until = "active", None
            profile.updated_at = self._clock.now()
        return profile

    async def resume_expired_pauses(self) -> int:
        """Bring back people whose pause-until date has passed."""
        today = self._clock.now().date()
        async with self._db.session() as session, session.begin():
            paused = (
                (
                    await session.execute(
                        select(Profile).where((Profile.status == "paused") & (Profile.paused_until <= today))
                    )
                )
                .scalars()
                .all()
            )
            for profile in paused:
                profile.status, profile.paused_until = "active", None
        return len(paused)

    async def erase(self, actor: Actor) -> bool:
        """Erase the person's data from every feature, in one transaction."""
        async with self._db.session() as session, session.begin():
            profile = await find_profile(session, actor)
            if profile is None:
                return False
            for part in self._parts:
                await part.erase(session, profile)
            await session.delete(profile)
        await self._db.compact_data_keys()
        return True

    async def subject_access(self, actor: Actor) -> dict[str, Any] | None:
        """Everything stored about the person, from every feature (a subject access request)."""
        async with self._db.session() as session:
            profile = await find_profile(session, actor)
            if profile is None:
                return None
            data = {"profile": profile_as_dict(profile)}
            avoided = [await session.get(Profile, pid) for pid in profile.dont_pair_with]
            data["profile"]["dont_pair_with"] = [
                other.display_name if other is not None else "someone who has left" for other in avoided
            ]
            for part in self._parts:
                data[part.name] = await part.export(session, profile)
        return data

    async def existing_keys(self) -> set[tuple[str, str, str]]:
        """(platform, community, user_id) of every profile, to spot duplicates on import."""
        async with self._db.session() as session:
            rows = await session.execute(select(Profile.platform, Profile.community, Profile.user_id))
            return {tuple(row) for row in rows}

    async def insert_many(self, records: Sequence[Mapping[str, Any]]) -> int:
        """Store checked, consented profiles in one transaction: all of them or none."""
        now = self._clock.now()
        vectors, backend = (
            await vectors_and_backend(self._vectoriser, [r["challenge"] for r in records])
            if records
            else ([], self._vectoriser.name)
        )
        async with self._db.session() as session, session.begin():
            for record, vector in zip(records, vectors, strict=True):
                session.add(
                    Profile(
                        **{name: record[name] for name in PROFILE_FIELD_NAMES},
                        platform=record["platform"],
                        community=record["community"],
                        user_id=record["user_id"],
                        status="active",
                        dont_pair_with=[],
                        consented_at=record["consented_at"],
                        privacy_notice_version=PRIVACY_NOTICE_VERSION,
                        vector=vector,
                        vector_backend=backend,
                        created_at=now,
                        updated_at=now,
                    )
                )
        return len(records)

    async def listing(self, platform: str | None = None, community: str | None = None) -> list[Profile]:
        """Consented profiles, optionally of one community, in a stable order."""
        query = select(Profile).where(Profile.status != "pending").order_by(Profile.id)
        if platform:
            query = query.where(Profile.platform == platform)
        if community:
            query = query.where(Profile.community == community)
        async with self._db.session() as session:
            return list((await session.execute(query)).scalars())
