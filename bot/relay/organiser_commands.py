"""The relay's admin commands: counts of refusals and reports, the open reports, and warning or
suspending the sender of a reported message.

Nothing here shows relay content or who anyone is: replies carry numbers, categories, days and
random references only, so they go as ordinary replies wherever the organiser typed.
"""

from __future__ import annotations

from bot.kernel.core import Core
from bot.kernel.dispatch import Route
from bot.kernel.invocation import Invocation
from bot.relay import report_texts, texts
from bot.relay.rules import report_action
from bot.relay.service import RelayService


class OrganiserCommands:
    """The relay's admin handlers, bound to its service."""

    def __init__(self, relay: RelayService):
        self._relay = relay

    async def refusals(self, core: Core, inv: Invocation) -> None:
        """`/peer admin refusals`: counts of guard refusals and relay reports."""
        counts = await self._relay.reports.refusal_counts(inv.actor.community_key)
        await core.outbox.reply(inv, texts.refusals_message(counts.refusals, counts.reports))

    async def reports(self, core: Core, inv: Invocation) -> None:
        """`/peer admin reports`: open reports (number, category, day, reference) and past counts
        (no key needed: nothing here is encrypted)."""
        overview = await self._relay.moderation.reports(inv.actor.community_key)
        await core.outbox.reply(inv, report_texts.reports_message(overview.open, overview.closed))

    async def act(self, core: Core, inv: Invocation) -> None:
        """`/peer admin report warn N` or `suspend N [DAYS]` (also the list's buttons)."""
        self._relay.require()
        action, number, days = report_action(inv.args)
        community = inv.actor.community_key
        if action == "warn":
            status = await self._relay.moderation.warn(community, number)
            await core.outbox.reply(inv, report_texts.warned_reply(number, status))
            return
        suspended = await self._relay.moderation.suspend(community, number, days)
        await core.outbox.reply(inv, report_texts.suspended_reply(number, suspended.until, suspended.status))

    def routes(self) -> dict[str, Route]:
        """The relay's admin commands."""
        return {
            "admin.refusals": Route(
                self.refusals,
                "admin refusals",
                "count messages the privacy guard refused, by reason",
                admin=True,
            ),
            "admin.reports": Route(
                self.reports,
                "admin reports",
                "reports of anonymous-question messages: number, category, day (never content or names)",
                admin=True,
            ),
            "admin.report": Route(
                self.act,
                "admin report warn N | suspend N [DAYS]",
                "warn the sender of report N, or stop them asking and answering for DAYS days "
                "(through the relay: you never learn who they are)",
                admin=True,
            ),
        }
