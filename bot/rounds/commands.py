"""Admin commands for matching (preview, round, rules, set, stats) and a person's private
"don't pair me with" list.

Each handler parses the invocation, makes one call to the rounds service and renders the
answer; the service owns the rules and the transactions.
"""

from __future__ import annotations

from bot.kernel.core import Core
from bot.kernel.dispatch import Route
from bot.kernel.errors import UserError
from bot.kernel.invocation import Invocation
from bot.rounds import messages
from bot.rounds.messages import recent_round_question
from bot.rounds.plans import RecentRound
from bot.rounds.rules import avoid_request, seed_from_args, split_again, started_by
from bot.rounds.service import RoundService

__all__ = ["RoundCommands", "recent_round_question"]


class RoundCommands:
    """The rounds feature's commands, bound to its service."""

    def __init__(self, service: RoundService):
        self._service = service

    def routes(self) -> dict[str, Route]:
        """The commands to register with the dispatcher."""
        return {
            "admin.preview": Route(
                self.preview, "admin preview [seed N]", "preview the next round; nothing is sent", admin=True
            ),
            "admin.round": Route(
                self.round,
                "admin round [seed N] [again]",
                "run a round now and send introductions (again: even just after the last one)",
                admin=True,
            ),
            "admin.rules": Route(self.rules, "admin rules", "show the matching rules", admin=True),
            "admin.set": Route(self.set_rule, "admin set NAME VALUE", "change a matching rule", admin=True),
            "admin.stats": Route(
                self.stats, "admin stats", "participation figures (never content)", admin=True
            ),
            "avoid": Route(
                self.avoid, "avoid [remove] [NAME]", "privately choose people you won't be paired with"
            ),
        }

    def _scope(self, inv: Invocation) -> str:
        return self._service.scope_of(inv.actor.platform, inv.actor.community)

    async def preview(self, core: Core, inv: Invocation) -> None:
        """`/peer admin preview [seed N]`: the next round's plan; nothing is stored or sent."""
        planned = await self._service.preview(self._scope(inv), seed_from_args(inv.args))
        await core.outbox.reply(inv, messages.preview_message(planned))

    async def round(self, core: Core, inv: Invocation) -> None:
        """`/peer admin round [seed N] [again]`: commit a round; just after another, ask first."""
        args, again = split_again(inv.args)
        try:
            planned = await self._service.commit(
                self._scope(inv), started_by(inv.actor), seed_from_args(args), again=again
            )
        except RecentRound as recent:
            await core.outbox.reply(inv, messages.confirm_repeat_message(recent, core.clock.now(), args))
            return
        await core.outbox.reply(inv, messages.committed_message(planned))

    async def rules(self, core: Core, inv: Invocation) -> None:
        """`/peer admin rules`: the scope's current matching rules."""
        rules, version = await self._service.current_rules(self._scope(inv))
        await core.outbox.reply(inv, messages.rules_message(rules, version))

    async def set_rule(self, core: Core, inv: Invocation) -> None:
        """`/peer admin set NAME VALUE`: a new version of the scope's rules."""
        if len(inv.args) != 2:
            raise UserError(messages.SET_USAGE)
        key, value = inv.args
        _, version = await self._service.set_rule(self._scope(inv), key, value, started_by(inv.actor))
        await core.outbox.reply(inv, messages.rule_set_message(key, value, version))

    async def stats(self, core: Core, inv: Invocation) -> None:
        """`/peer admin stats`: participation figures of this community."""
        figures = await self._service.participation(inv.actor.platform, inv.actor.community)
        await core.outbox.reply(inv, messages.participation_message(figures))

    async def avoid(self, core: Core, inv: Invocation) -> None:
        """`/peer avoid [remove] [NAME]`: show or change the caller's own don't-pair list."""
        request = avoid_request(inv.args)
        if request is None:
            names = await self._service.dont_pair_names(inv.actor)
            await core.outbox.reply(inv, messages.avoid_list_message(names))
            return
        name = await self._service.change_dont_pair(inv.actor, request)
        await core.outbox.reply(inv, messages.avoid_changed_message(name, request.remove))
