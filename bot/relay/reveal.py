"""Swapping contact details: the service side of the reveal handshake (bot/relay/handshake.py).

The state lives on the peer's row; one offer, acceptance or refusal is one unit of work. A
swap shows each side the other's card only when both agreed and both are still members.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.kernel.clock import Clock
from bot.kernel.errors import UserError
from bot.kernel.invocation import Actor
from bot.kernel.storage.database import Database
from bot.kernel.storage.models import Profile
from bot.relay import texts
from bot.relay.handshake import Handshake, caller_side, shown_to
from bot.relay.models import RelayParticipant
from bot.relay.parties import Identity, Party, ThreadView
from bot.relay.report_rows import reported_between
from bot.relay.rules import NOT_YOURS
from bot.relay.sending import RelaySender
from bot.relay.store import ThreadStore


@dataclass(frozen=True)
class RevealOutcome:
    """What the caller sees after offering: their card for the other side once both agreed."""

    other_handle: str
    card: str | None  # the other side's contact card, once swapped; None while only offered


@dataclass
class _Pair:
    view: ThreadView
    me: Party
    other: Party
    peer: Party


def _state(peer: Party) -> Handshake:
    row = peer.row
    return Handshake(row.asker_offers_reveal, row.peer_offers_reveal, row.revealed_at is not None)


class RevealService:
    """Offers, acceptances and refusals to swap contact details between an asker and one peer."""

    def __init__(self, db: Database, clock: Clock, store: ThreadStore, sender: RelaySender):
        self._db, self._clock, self._store, self._sender = db, clock, store, sender

    async def offer(self, actor: Actor, peer_id: str) -> RevealOutcome:
        """Offer (or agree) to swap; the other side is invited, or both see each other's card."""
        async with self._db.session() as session, session.begin():
            pair = await self._pair(session, actor, peer_id)
            me, other, peer = pair.me, pair.other, pair.peer
            blocked = me.row.blocked or other.row.blocked or await reported_between(session, me.id, other.id)
            state = _state(peer).offer(me.role, other.handle, blocked=blocked, delivered=me.delivered)
            peer.row.asker_offers_reveal, peer.row.peer_offers_reveal = state.asker_offers, state.peer_offers
            if state.revealed:
                mine = shown_to(state, await _contact_card(session, me.identity))
                theirs = shown_to(state, await _contact_card(session, other.identity))
                peer.row.revealed_at = self._clock.now()
            pair.view.thread.last_activity_at = self._clock.now()
        if state.revealed:
            await self._sender.send_to(pair.view, other, texts.swapped(me.handle, mine), "relay.reveal")
            return RevealOutcome(other.handle, theirs)
        await self._sender.send_to(
            pair.view, other, texts.reveal_offer(me.handle, peer.id), "relay.reveal_offer"
        )
        return RevealOutcome(other.handle, None)

    async def decline(self, actor: Actor, peer_id: str) -> None:
        """Say no: both offers are cleared and the other side hears that nothing was shared."""
        async with self._db.session() as session, session.begin():
            pair = await self._pair(session, actor, peer_id)
            state = _state(pair.peer).decline()
            pair.peer.row.asker_offers_reveal = state.asker_offers
            pair.peer.row.peer_offers_reveal = state.peer_offers
        await self._sender.send_to(
            pair.view, pair.other, texts.declined_notice(pair.me.handle), "relay.reveal_declined"
        )

    async def _pair(self, session: AsyncSession, actor: Actor, peer_id: str) -> _Pair:
        """The caller and the other side of a peer's handshake (the caller may be either)."""
        row = await session.get(RelayParticipant, peer_id)
        if row is None or row.role != "peer":
            raise UserError(NOT_YOURS)
        view = await self._store.view(session, row.thread_id)
        peer, asker = view.parties[row.id], view.asker
        tags = set(self._store.keys.tags(Identity.of(actor)))
        if caller_side(peer.row.tag in tags, asker.row.tag in tags) == "peer":
            return _Pair(view, peer, asker, peer)
        return _Pair(view, asker, peer, peer)


async def _contact_card(session: AsyncSession, identity: Identity) -> str | None:
    """A member's contact card, or None once they left (or never finished joining)."""
    profile = (
        await session.execute(
            select(Profile).where(
                (Profile.platform == identity.platform)
                & (Profile.community == identity.community)
                & (Profile.user_id == identity.user_id)
            )
        )
    ).scalar_one_or_none()
    if profile is None or profile.status == "pending":
        return None
    return texts.contact_card(profile.display_name, profile.organisation, identity.platform, identity.user_id)
