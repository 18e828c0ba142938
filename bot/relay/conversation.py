"""Talking in a thread: listing one's threads, answers, follow-ups, thanks and closing.

Every action first checks that the id it was given belongs to the caller; each opens and
commits its own unit of work, then sends what it stored through the sender.

Answers and follow-ups get the question's identifying-details check. When it finds something
the text is held, encrypted, as a "draft" message of the thread (sender and recipient already
set) and the writer chooses, as for a question: edit, send anyway, or cancel. Sending turns
the draft into the answer or follow-up it was written as (`sent_kind`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select

from bot.kernel.clock import Clock
from bot.kernel.durations import describe_duration
from bot.kernel.errors import UserError
from bot.kernel.invocation import Actor
from bot.kernel.storage.database import Database
from bot.relay import texts
from bot.relay.detail_check import Checked, DetailCheck
from bot.relay.keys import RelayKeys
from bot.relay.models import RelayMessage
from bot.relay.parties import Party, ThreadView
from bot.relay.report_rows import silenced
from bot.relay.rules import (
    check_can_answer,
    check_can_close,
    check_can_write,
    check_not_blocked,
    check_reply_to_answer,
    handle_number,
    is_listed,
    sent_kind,
)
from bot.relay.sending import RelaySender
from bot.relay.store import ThreadStore


@dataclass(frozen=True)
class OpenThread:
    """One of the caller's open threads, as their lists show it."""

    thread_id: str
    party_id: str
    role: str
    handle: str
    asker_handle: str
    answers: int  # for the asker's own questions; 0 for a peer
    question: str  # decrypted only when asked for


@dataclass(frozen=True)
class Target:
    """Whom the caller is writing to, for the form: their handle, and the id the form carries."""

    handle: str
    form_id: str


@dataclass(frozen=True)
class HeldDraft:
    """A held answer or follow-up as its writer edits it again: the form to fill, and the text."""

    what: str  # "answer" | "follow-up"
    target: Target
    text: str


@dataclass(frozen=True)
class Delivered:
    """A stored message's fate: "sent", "failed" (retried later) or "refused"; who wrote to whom."""

    status: str
    recipient: str
    sender: str


class ConversationService:
    """Answers, follow-ups, thanks and closing, for the people in a thread."""

    def __init__(
        self,
        db: Database,
        clock: Clock,
        keys: RelayKeys,
        store: ThreadStore,
        sender: RelaySender,
        check: DetailCheck,
        retention: timedelta,
    ):
        self._db, self._clock, self._keys = db, clock, keys
        self._store, self._sender, self._retention = store, sender, retention
        self._check = check

    async def open_threads(self, actor: Actor, with_questions: bool) -> list[OpenThread]:
        """The caller's open threads (a peer's only once the question reached them)."""
        found = []
        async with self._db.session() as session:
            for row in await self._store.own_parties(session, actor):
                view = await self._store.view(session, row.thread_id)
                me = view.parties[row.id]
                if not is_listed(view.thread.status, me.delivered):
                    continue
                question = await self._store.question_text(session, row.thread_id) if with_questions else ""
                answers = await self._store.answer_count(session, row.thread_id) if me.role == "asker" else 0
                found.append(
                    OpenThread(
                        row.thread_id, row.id, me.role, me.handle, view.asker.handle, answers, question
                    )
                )
        return found

    async def find_by_handle(self, actor: Actor, args: Sequence[str]) -> Target:
        """The caller's open question from the asker "Peer NNNN", to answer it."""
        self._keys.require()
        number = handle_number(args)
        async with self._db.session() as session:
            for row in await self._store.own_parties(session, actor):
                if row.role != "peer" or row.delivered_at is None:
                    continue
                view = await self._store.view(session, row.thread_id)
                if view.thread.status == "open" and view.asker.handle == f"Peer {number}":
                    break
            else:
                raise UserError(texts.no_question_from(number))
        return await self.answer_target(actor, row.id)

    async def answer_target(self, actor: Actor, peer_id: str) -> Target:
        """The asker a peer may answer now (or why they can't)."""
        async with self._db.session() as session:
            view, me = await self._store.own_party(session, actor, peer_id)
            check_can_answer(me.role, me.delivered)
            await _check_can_write(session, view, me, view.asker)
        return Target(view.asker.handle, me.id)

    async def answer(
        self, actor: Actor, peer_id: str, text: str, draft_id: str | None = None
    ) -> Delivered | Checked:
        """Check a peer's answer; send it to the asker, or hold it if the check found something."""
        findings = await self._check.find(actor, text)
        async with self._db.session() as session, session.begin():
            view, me = await self._store.own_party(session, actor, peer_id)
            check_can_answer(me.role, me.delivered)
            await _check_can_write(session, view, me, view.asker)
            message = await self._hold_or_store(
                session, view, me, view.asker, "answer", text, findings, draft_id
            )
        return await self._deliver_unless_held(view, message, me, view.asker, text, findings)

    async def _hold_or_store(
        self, session, view: ThreadView, me: Party, to: Party, kind: str, text: str, findings, draft_id
    ) -> RelayMessage:
        """Store the message as `kind`, or as a held draft when the check found something.

        A resubmitted draft (after "Edit") replaces the one it came from.
        """
        if draft_id:
            await session.delete(await self._own_draft(session, draft_id, me))
        return self._store.add_message(session, view, me, to, "draft" if findings else kind, text)

    async def _deliver_unless_held(
        self, view: ThreadView, message: RelayMessage, me: Party, to: Party, text: str, findings
    ) -> Delivered | Checked:
        if findings:
            what = "answer" if me.role == "peer" else "follow-up"
            return Checked(message.id, findings, what)
        status = await self._sender.deliver_stored(view, message, me, to, text)
        return Delivered(status, to.handle, me.handle)

    async def _answer_to_me(self, session, actor: Actor, message_id: str):
        view, message, me = await self._store.own_message(session, actor, message_id)
        check_reply_to_answer(message.kind, me.role)
        return view, message, me, view.parties[message.sender_id]

    async def followup_target(self, actor: Actor, message_id: str) -> Target:
        """The peer whose answer the asker may follow up now (or why not)."""
        async with self._db.session() as session:
            view, message, me, peer = await self._answer_to_me(session, actor, message_id)
            await _check_can_write(session, view, me, peer)
        return Target(peer.handle, message.id)

    async def followup(
        self, actor: Actor, message_id: str, text: str, draft_id: str | None = None
    ) -> Delivered | Checked:
        """Check the asker's follow-up to an answer; send it to that peer, or hold it."""
        findings = await self._check.find(actor, text)
        async with self._db.session() as session, session.begin():
            view, _, me, peer = await self._answer_to_me(session, actor, message_id)
            await _check_can_write(session, view, me, peer)
            message = await self._hold_or_store(session, view, me, peer, "followup", text, findings, draft_id)
        return await self._deliver_unless_held(view, message, me, peer, text, findings)

    # --- held answers and follow-ups -------------------------------------------------------

    async def _own_draft(self, session, draft_id: str, me: Party | None = None, actor: Actor | None = None):
        """A held draft written by the caller (given as their party, or found from `actor`)."""
        message = await session.get(RelayMessage, draft_id)
        if message is None or message.kind != "draft" or (me is not None and message.sender_id != me.id):
            raise UserError(texts.DRAFT_GONE)
        if me is None:
            _, me = await self._store.own_party(session, actor, message.sender_id)
        return message

    async def _draft_in_view(self, session, actor: Actor, draft_id: str):
        message = await self._own_draft(session, draft_id, actor=actor)
        view, me = await self._store.own_party(session, actor, message.sender_id)
        return view, message, me, view.parties[message.recipient_id]

    async def send_draft(self, actor: Actor, draft_id: str) -> Delivered:
        """Send a held answer or follow-up as it is (the writer's "Send anyway")."""
        now = self._clock.now()
        async with self._db.session() as session, session.begin():
            view, message, me, to = await self._draft_in_view(session, actor, draft_id)
            if me.role == "peer":
                check_can_answer(me.role, me.delivered)
            await _check_can_write(session, view, me, to)
            message.kind, message.created_at, view.thread.last_activity_at = sent_kind(me.role), now, now
            text = self._store.body(message)
        status = await self._sender.deliver_stored(view, message, me, to, text)
        return Delivered(status, to.handle, me.handle)

    async def held_draft(self, actor: Actor, draft_id: str) -> HeldDraft:
        """A held answer or follow-up, for its writer to edit in the form it came from."""
        async with self._db.session() as session:
            view, message, me, to = await self._draft_in_view(session, actor, draft_id)
            await _check_can_write(session, view, me, to)
            text = self._store.body(message)
            if me.role == "peer":
                return HeldDraft("answer", Target(to.handle, me.id), text)
            answer = await session.scalar(
                select(RelayMessage.id)
                .where(
                    (RelayMessage.thread_id == view.thread.id)
                    & (RelayMessage.kind == "answer")
                    & (RelayMessage.sender_id == to.id)
                )
                .order_by(RelayMessage.created_at.desc())
                .limit(1)
            )
        return HeldDraft("follow-up", Target(to.handle, answer), text)

    async def cancel_draft(self, actor: Actor, draft_id: str) -> None:
        """Delete a held answer or follow-up its writer no longer wants to send."""
        async with self._db.session() as session, session.begin():
            await session.delete(await self._own_draft(session, draft_id, actor=actor))

    async def thank(self, actor: Actor, message_id: str) -> Delivered:
        """Thank a peer for an answer (no text of the asker's own)."""
        async with self._db.session() as session, session.begin():
            view, _, me, peer = await self._answer_to_me(session, actor, message_id)
            check_not_blocked(me.row.blocked or await silenced(session, me.id, peer.id))
            message = self._store.add_message(session, view, me, peer, "thanks", "")
        status = await self._sender.deliver_stored(view, message, me, peer, "")
        return Delivered(status, peer.handle, me.handle)

    async def close(self, actor: Actor, thread_id: str) -> None:
        """Close the asker's question; every peer it reached hears so. Retention counts from now."""
        now = self._clock.now()
        async with self._db.session() as session, session.begin():
            view, me = await self._store.own_party_of_thread(session, actor, thread_id)
            check_can_close(me.role, view.thread.status)
            view.thread.status, view.thread.closed_at, view.thread.last_activity_at = "closed", now, now
        await self._tell_peers_closed(view, me)

    async def _tell_peers_closed(self, view: ThreadView, asker: Party) -> None:
        retention = describe_duration(self._retention)
        for peer in view.peers:
            if peer.row.delivered_at is not None:
                await self._sender.send_to(
                    view, peer, texts.closed_notice(asker.handle, retention), "relay.closed"
                )


async def _check_can_write(session, view: ThreadView, me: Party, to: Party) -> None:
    """Writing goes on while the thread is open, unless `to` reported `me` (a report silences its
    sender towards the reporter only) or `me` was blocked by a report from before categories."""
    check_can_write(view.thread.status, me.row.blocked or await silenced(session, me.id, to.id))
