"""Practitioner profiles: join with consent, edit, pause, resume, export and erase."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from sqlalchemy import delete, select

from bot.kernel.clock import Clock
from bot.kernel.errors import UserError
from bot.kernel.invocation import Actor
from bot.kernel.people import find_profile, owned_by, require_member
from bot.kernel.personal_data import PersonalDataPart
from bot.kernel.similarity import Vectoriser, vectors_and_backend
from bot.kernel.storage.database import Database
from bot.kernel.storage.models import Profile
from bot.profiles.form import PROFILE_FIELD_NAMES
from bot.profiles.privacy_notice import PRIVACY_NOTICE_VERSION

PROFILE_EXPORT_FIELDS = (
    "platform",
    "community",
    "user_id",
    *PROFILE_FIELD_NAMES,
    "status",
    "paused_until",
    "consented_at",
    "privacy_notice_version",
    "unreachable_reason",
    "unreachable_since",
    "created_at",
    "updated_at",
)


def profile_as_dict(profile: Profile) -> dict[str, Any]:
    """A profile as plain JSON-ready values (dates as ISO text)."""
    out: dict[str, Any] = {}
    for name in PROFILE_EXPORT_FIELDS:
        value = getattr(profile, name)
        out[name] = value.isoformat() if hasattr(value, "isoformat") else value
    return out


class ProfileService:
    """Reads and changes profiles; every change is one transaction."""

    def __init__(
        self,
        db: Database,
        clock: Clock,
        vectoriser: Vectoriser,
        parts: list[PersonalDataPart],
    ):
        self._db = db
        self._clock = clock
        self._vectoriser = vectoriser
        self._parts = parts

    async def find(self, actor: Actor) -> Profile | None:
        """The caller's profile, pending or not."""
        async with self._db.session() as session:
            return await find_profile(session, actor)

    async def require(self, actor: Actor) -> Profile:
        """The caller's consented profile, or a UserError telling them how to join."""
        async with self._db.session() as session:
            return await require_member(session, actor)

    async def _vector(self, challenge: str) -> tuple[Any, str]:
        [vector], backend = await vectors_and_backend(self._vectoriser, [challenge])
        return vector, backend

    async def save_pending(self, actor: Actor, values: Mapping[str, Any]) -> Profile:
        """Keep a filled-in join form until the person agrees to the privacy notice."""
        now = self._clock.now()
        async with self._db.session() as session, session.begin():
            profile = await find_profile(session, actor)
            if profile is not None and profile.status != "pending":
                raise UserError("You're already a member. Use `/peer profile edit` to change your profile.")
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

    async def consent(self, actor: Actor) -> Profile:
        """Record consent with its time and notice version, and make the profile active."""
        now = self._clock.now()
        async with self._db.session() as session, session.begin():
            profile = await find_profile(session, actor)
            if profile is None:
                raise UserError("There is no join form waiting. Start again with `/peer join`.")
            if profile.status != "pending":
                raise UserError("You have already joined.")
            profile.vector, profile.vector_backend = await self._vector(profile.challenge)
            profile.status = "active"
            profile.consented_at = now
            profile.privacy_notice_version = PRIVACY_NOTICE_VERSION
            profile.updated_at = now
        return profile

    async def cancel_pending(self, actor: Actor) -> bool:
        """Forget a join form that was not agreed to."""
        async with self._db.session() as session, session.begin():
            result = await session.execute(
                delete(Profile).where(owned_by(actor) & (Profile.status == "pending"))
            )
        return result.rowcount > 0

    async def update(self, actor: Actor, values: Mapping[str, Any]) -> Profile:
        """Save an edited profile; the challenge vector is recomputed only if the text changed."""
        async with self._db.session() as session, session.begin():
            profile = await require_member(session, actor)
            if values["challenge"] != profile.challenge or profile.vector is None:
                profile.vector, profile.vector_backend = await self._vector(values["challenge"])
            for name in PROFILE_FIELD_NAMES:
                setattr(profile, name, values[name])
            profile.updated_at = self._clock.now()
        return profile

    async def pause(self, actor: Actor, until: date | None) -> Profile:
        """Leave people out of rounds and scheduled messages until they resume (or a date)."""
        today = self._clock.now().date()
        if until is not None and until <= today:
            raise UserError(f"{until.isoformat()} is not in the future; give a later date.")
        async with self._db.session() as session, session.begin():
            profile = await require_member(session, actor)
            profile.status, profile.paused_until = "paused", until
            profile.updated_at = self._clock.now()
        return profile

    async def resume(self, actor: Actor) -> Profile:
        """Take part again."""
        async with self._db.session() as session, session.begin():
            profile = await require_member(session, actor)
            if profile.status != "paused":
                raise UserError("You're not paused, so there is nothing to resume.")
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
        return True

    async def subject_access(self, actor: Actor) -> dict[str, Any] | None:
        """Everything stored about the person, from every feature (a subject access request)."""
        async with self._db.session() as session:
            profile = await find_profile(session, actor)
            if profile is None:
                return None
            data = {"profile": profile_as_dict(profile)}
            data["profile"]["dont_pair_with"] = list(profile.dont_pair_with)
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
