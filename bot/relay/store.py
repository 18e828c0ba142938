"""Reading and writing relay rows inside a caller's unit of work, decrypting as it goes.

Everything a person writes and every link from a handle to a person is stored as a Fernet
token (bot/kernel/crypto.py). Nothing here opens or commits a transaction: the services
do, and pass their session in.
"""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.kernel.clock import Clock
from bot.kernel.errors import UserError
from bot.kernel.invocation import Actor
from bot.kernel.jobs import delete_by_prefix
from bot.kernel.similarity import TfidfVectoriser, vector_from_storage
from bot.kernel.storage.models import Profile
from bot.kernel.storage.sealed import data_keys_of
from bot.relay.job_keys import message_job, question_job, thread_jobs
from bot.relay.keys import RelayKeys
from bot.relay.models import RelayMessage, RelayParticipant, RelaySuspension, RelayThread
from bot.relay.parties import Identity, Party, ThreadView
from bot.relay.report_rows import fold_reports, of_participants, of_threads
from bot.relay.routing import Candidate
from bot.relay.rules import NOT_YOURS, received_by


def new_id() -> str:
    """A random id for a row: never derived from anything about a person."""
    return secrets.token_urlsafe(16)


class ThreadStore:
    """The relay's rows as decrypted views; every lookup checks the caller owns what they name."""

    def __init__(self, keys: RelayKeys, clock: Clock):
        self.keys, self._clock = keys, clock

    # --- reading ---------------------------------------------------------------------------

    def party(self, row: RelayParticipant) -> Party:
        """A participant row, decrypted."""
        box = self.keys.content(row)
        identity = Identity.from_json(box.decrypt_json(row.identity_token))
        return Party(row, identity, box.decrypt(row.handle_token))

    async def view(self, session: AsyncSession, thread_id: str) -> ThreadView:
        """A thread with all its participants decrypted."""
        thread = await session.get(RelayThread, thread_id)
        if thread is None:
            raise UserError("That question thread no longer exists: threads are deleted after a while.")
        rows = (
            await session.execute(select(RelayParticipant).where(RelayParticipant.thread_id == thread_id))
        ).scalars()
        return ThreadView(thread, {row.id: self.party(row) for row in rows})

    async def own_party(
        self, session: AsyncSession, actor: Actor, participant_id: str
    ) -> tuple[ThreadView, Party]:
        """The caller's own place in a thread; anyone else gets the same "not yours" answer."""
        row = await session.get(RelayParticipant, participant_id)
        if row is None or row.tag not in self.keys.tags(Identity.of(actor)):
            raise UserError(NOT_YOURS)
        view = await self.view(session, row.thread_id)
        return view, view.parties[row.id]

    async def own_party_of_thread(
        self, session: AsyncSession, actor: Actor, thread_id: str
    ) -> tuple[ThreadView, Party]:
        """The caller's party in a thread given by its id (asker's buttons carry thread ids)."""
        tags = set(self.keys.tags(Identity.of(actor)))
        thread = await session.get(RelayThread, thread_id)
        if thread is not None:
            view = await self.view(session, thread_id)
            for party in view.parties.values():
                if party.row.tag in tags:
                    return view, party
        raise UserError(NOT_YOURS)

    async def own_message(
        self, session: AsyncSession, actor: Actor, message_id: str
    ) -> tuple[ThreadView, RelayMessage, Party]:
        """A message the caller received, with the caller's party."""
        message = await session.get(RelayMessage, message_id)
        if message is None:
            raise UserError("That message no longer exists: threads are deleted after a while.")
        view = await self.view(session, message.thread_id)
        tags = set(self.keys.tags(Identity.of(actor)))
        parties = ((p.id, p.role, p.row.tag in tags) for p in view.parties.values())
        receiver = received_by(parties, message.sender_id, message.recipient_id)
        if receiver is None:
            raise UserError("That isn't a message you received.")
        return view, message, view.parties[receiver]

    async def own_parties(self, session: AsyncSession, actor: Actor) -> list[RelayParticipant]:
        """Every participant row of the caller, in any thread."""
        return list((await session.execute(self.keys.select_owned(Identity.of(actor)))).scalars())

    async def question_of(self, session: AsyncSession, thread_id: str) -> RelayMessage:
        """A thread's question row."""
        query = select(RelayMessage).where(
            (RelayMessage.thread_id == thread_id) & (RelayMessage.kind == "question")
        )
        return (await session.execute(query)).scalar_one()

    async def question_text(self, session: AsyncSession, thread_id: str) -> str:
        """A thread's question, decrypted."""
        return self.body(await self.question_of(session, thread_id))

    def body(self, message: RelayMessage) -> str:
        """A message's text, decrypted."""
        return self.keys.content(message).decrypt(message.body_token)

    def context(self, thread: RelayThread) -> dict[str, Any]:
        """The facts the asker chose to share, decrypted."""
        return self.keys.content(thread).decrypt_json(thread.context_token)

    async def answer_count(self, session: AsyncSession, thread_id: str) -> int:
        """How many answers a thread has had (a count, for the asker's lists)."""
        query = (
            select(func.count())
            .select_from(RelayMessage)
            .where((RelayMessage.thread_id == thread_id) & (RelayMessage.kind == "answer"))
        )
        return (await session.execute(query)).scalar_one()

    async def asks_since(self, session: AsyncSession, actor: Actor, since: datetime) -> list[datetime]:
        """When the caller's questions sent after `since` went, oldest first (for the daily limit)."""
        query = (
            select(RelayThread.sent_at)
            .join(RelayParticipant, RelayParticipant.thread_id == RelayThread.id)
            .where(
                (RelayParticipant.role == "asker")
                & self.keys.owned_by(Identity.of(actor))
                & (RelayThread.sent_at > since)
            )
            .order_by(RelayThread.sent_at)
        )
        return list((await session.execute(query)).scalars())

    async def candidates(self, session: AsyncSession, asker: Profile, scope: set[str]) -> list[Candidate]:
        """Active people in the asker's community scope who accept anonymous questions and are
        not suspended from the relay (so an asker is never told a peer will get it who won't)."""
        rows = await session.execute(
            select(Profile).where(
                (Profile.status == "active") & Profile.accepts_questions.is_(True) & (Profile.id != asker.id)
            )
        )
        suspended = set(
            await session.scalars(
                select(RelaySuspension.tag).where(RelaySuspension.ends_at > self._clock.now())
            )
        )
        crypto = self.keys.require()
        return [
            Candidate(p.id, p.organisation, p.challenge, _hashed_vector(p.vector, p.vector_backend))
            for p in rows.scalars()
            if f"{p.platform}:{p.community}" in scope
            and not suspended.intersection(
                crypto.tags(Identity(p.platform, p.community, p.user_id, p.id).key)
            )
        ]

    # --- writing ---------------------------------------------------------------------------

    def participant(
        self, thread: RelayThread, role: str, identity: Identity, handle: str, now: datetime
    ) -> RelayParticipant:
        """A new participant row: identity and handle under the thread's key, tagged for the
        person's lookups."""
        box = self.keys.content(thread)
        return RelayParticipant(
            id=new_id(),
            thread_id=thread.id,
            key_id=thread.key_id,
            data_key=thread.data_key,
            role=role,
            tag=self.keys.require().tag(identity.key),
            identity_token=box.encrypt_json(identity.as_json()),
            handle_token=box.encrypt(handle),
            blocked=False,
            asker_offers_reveal=False,
            peer_offers_reveal=False,
            created_at=now,
        )

    def add_message(
        self, session: AsyncSession, view: ThreadView, sender: Party, recipient: Party, kind: str, body: str
    ) -> RelayMessage:
        """Store an answer, follow-up or thanks (encrypted) and mark the thread active."""
        now = self._clock.now()
        message = RelayMessage(
            id=new_id(),
            thread_id=view.thread.id,
            key_id=view.thread.key_id,
            data_key=view.thread.data_key,
            sender_id=sender.id,
            recipient_id=recipient.id,
            kind=kind,
            body_token=self.keys.content(view.thread).encrypt(body),
            created_at=now,
        )
        session.add(message)
        view.thread.last_activity_at = now
        return message


def _hashed_vector(stored: Any, backend: str | None) -> dict[int, float] | None:
    """A profile's stored vector when it is the offline hashed kind the relay ranks with."""
    if backend != TfidfVectoriser.name or not isinstance(stored, dict):
        return None
    return vector_from_storage(stored)


async def delete_threads(session: AsyncSession, thread_ids: list[str]) -> tuple[int, int, int]:
    """Delete threads with everything about them: their data keys (so every old copy of their
    content is unreadable; compact after the commit), messages, participants, every job (done
    ones too) and every report row, the reports kept only as counts per community and category."""
    threads = messages = participants = 0
    for start in range(0, len(thread_ids), 500):
        chunk = thread_ids[start : start + 500]
        key_ids = (
            await session.execute(select(RelayThread.key_id).where(RelayThread.id.in_(chunk)))
        ).scalars()
        await data_keys_of(session.sync_session).shred(session, list(key_ids))
        await delete_by_prefix(session, [thread_jobs(thread_id) for thread_id in chunk])
        await fold_reports(session, of_threads(chunk))
        messages += (
            await session.execute(delete(RelayMessage).where(RelayMessage.thread_id.in_(chunk)))
        ).rowcount
        participants += (
            await session.execute(delete(RelayParticipant).where(RelayParticipant.thread_id.in_(chunk)))
        ).rowcount
        threads += (await session.execute(delete(RelayThread).where(RelayThread.id.in_(chunk)))).rowcount
    return threads, messages, participants


async def delete_participants(session: AsyncSession, rows: list[RelayParticipant]) -> None:
    """Delete people's parts in threads that stay: their rows, what they sent or received, the
    jobs that would deliver any of it, and reports by or about them (kept only as counts)."""
    ids = [row.id for row in rows]
    if not ids:
        return
    touching = RelayMessage.sender_id.in_(ids) | RelayMessage.recipient_id.in_(ids)
    sent = await session.execute(select(RelayMessage.id, RelayMessage.thread_id).where(touching))
    keys = [message_job(thread_id, message_id) for message_id, thread_id in sent]
    keys += [question_job(row.thread_id, row.id) for row in rows]
    await delete_by_prefix(session, keys)
    await fold_reports(session, of_participants(ids))
    await session.execute(delete(RelayMessage).where(touching))
    await session.execute(delete(RelayParticipant).where(RelayParticipant.id.in_(ids)))
