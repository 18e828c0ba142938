"""The reveal handshake: an asker and one peer swap contact details only when both agree.

A small state machine over the two offers kept on the peer's row. Either side may offer;
the second offer reveals both; a "no thanks" clears both offers; a swap never happens
twice. Pure: the service loads the state, applies one step and stores the result.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.kernel.errors import UserError


@dataclass(frozen=True)
class Handshake:
    """Who has offered to swap contact details, and whether the swap happened."""

    asker_offers: bool = False
    peer_offers: bool = False
    revealed: bool = False

    def offer(self, by: str, other_handle: str, *, blocked: bool, delivered: bool) -> Handshake:
        """The state after `by` ("asker" or "peer") offers; revealed once both sides have.

        Refused once revealed, when either side is blocked, or by a peer the question never reached.
        """
        if self.revealed:
            raise UserError(f"You and {other_handle} have already swapped contact details.")
        if blocked or not delivered:
            raise UserError("Contact details can't be swapped in that thread.")
        asker = self.asker_offers or by == "asker"
        peer = self.peer_offers or by == "peer"
        return Handshake(asker, peer, revealed=asker and peer)

    def decline(self) -> Handshake:
        """The state after either side says no: nothing offered, nothing shared."""
        if self.revealed:
            raise UserError("Contact details were already swapped.")
        return Handshake()


def shown_to(state: Handshake, other_card: str | None) -> str:
    """The other side's contact card, which may be shown only once both agreed and both are members."""
    if not state.revealed:
        raise ValueError("contact details are shown only after both sides agreed")
    if other_card is None:
        raise UserError("One of you is no longer a member, so contact details can't be swapped.")
    return other_card


def caller_side(peer_is_callers: bool, asker_is_callers: bool) -> str:
    """Which side of a peer's handshake the caller is on ("peer" first), or a "not yours" refusal."""
    if peer_is_callers:
        return "peer"
    if asker_is_callers:
        return "asker"
    raise UserError("That isn't one of your question threads, or it has been deleted.")
