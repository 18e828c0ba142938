"""How relay content leaves: only through the outbox, with Sensitivity.RELAY and the thread's
participants as the only recipients the guard may allow, so the guard has the last word.

A message the platform cannot take now is stored already, so it goes again from the job
queue; one the guard refuses is never retried.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from bot.kernel.clock import Clock
from bot.kernel.invocation import Invocation
from bot.kernel.jobs import enqueue
from bot.kernel.messages import Message, Sensitivity
from bot.kernel.outbox import Delivery, Outbound, Outbox, ReplyTo
from bot.kernel.retry_policy import backoff
from bot.kernel.storage.database import Database
from bot.relay import texts
from bot.relay.job_keys import message_job
from bot.relay.models import RelayMessage
from bot.relay.parties import Party, ThreadView
from bot.relay.store import ThreadStore


async def private_reply(outbox: Outbox, inv: Invocation, message: Message, kind: str = "relay.reply") -> None:
    """Relay content back to the invoker only, where only they can see it; explain if refused."""
    delivery = await outbox.send(
        Outbound(ReplyTo(inv), message, Sensitivity.RELAY, kind, frozenset({inv.actor.user_id}))
    )
    if delivery.status == "refused":
        await outbox.reply(inv, Message(texts.PRIVATE_ONLY))


class RelaySender:
    """Sends relay content to participants' direct messages and to the invoker's private view."""

    def __init__(self, outbox: Outbox, db: Database, clock: Clock, store: ThreadStore):
        self._outbox, self._db, self._clock, self._store = outbox, db, clock, store

    async def send_to(self, view: ThreadView, to: Party, message: Message, kind: str) -> Delivery:
        """Send relay content to one participant's direct messages, through the guard."""
        return await self._outbox.send(
            Outbound(to.identity.dm(), message, Sensitivity.RELAY, kind, view.recipients)
        )

    async def recipient_message(
        self,
        session: AsyncSession,
        view: ThreadView,
        message: RelayMessage,
        sender: Party,
        recipient: Party,
        body: str,
    ) -> Message:
        """An answer, follow-up or thanks as its recipient sees it, with the right buttons."""
        if message.kind == "answer":
            question = await self._store.question_text(session, view.thread.id)
            return texts.answer_message(sender.handle, sender.id, question, body, message.id, view.thread.id)
        if message.kind == "followup":
            return texts.followup_message(sender.handle, recipient.handle, recipient.id, body, message.id)
        return texts.thanks_message(sender.handle)

    async def deliver_stored(
        self, view: ThreadView, message: RelayMessage, sender: Party, recipient: Party, body: str
    ) -> str:
        """Send a stored message now; on a platform failure queue a retry. Returns the delivery's status."""
        async with self._db.session() as session:
            out = await self.recipient_message(session, view, message, sender, recipient, body)
        delivery = await self.send_to(view, recipient, out, f"relay.{message.kind}")
        if delivery.status == "failed":
            await self.retry_later(message)
        return delivery.status

    async def retry_later(self, message: RelayMessage) -> None:
        """A message the platform could not take now goes again from the job queue."""
        now = self._clock.now()
        async with self._db.session() as session, session.begin():
            await enqueue(
                session,
                "relay.message",
                message_job(message.thread_id, message.id),
                now + backoff(0, None),
                {"message": message.id},
                now,
            )
