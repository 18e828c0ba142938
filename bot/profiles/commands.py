"""Commands for a person's own profile: help, join with consent, profile, pause, resume,
leave and mydata.

Each handler parses the invocation, makes one ProfileService call and replies with what
bot/profiles/replies.py builds from the result; the rules live in the service and
bot/profiles/rules.py.
"""

from __future__ import annotations

from bot.kernel.core import Core
from bot.kernel.dispatch import Handler, Route
from bot.kernel.errors import UserError
from bot.kernel.forms import parse_form
from bot.kernel.help_text import help_text
from bot.kernel.invocation import Invocation
from bot.kernel.messages import Message, Sensitivity
from bot.profiles import replies, rules
from bot.profiles.form import profile_form
from bot.profiles.service import ProfileService


def gated(handler: Handler) -> Handler:
    """Run `handler` only for people every join gate lets in (e.g. a Discord participant role)."""

    async def checked(core: Core, inv: Invocation) -> None:
        refusal = await core.hooks.join_refusal(inv.actor)
        if refusal:
            raise UserError(refusal)
        await handler(core, inv)

    return checked


async def show_help(core: Core, inv: Invocation) -> None:
    """The commands this person may use, from the registered routes."""
    await core.outbox.reply(inv, Message(help_text(core.dispatcher.routes, core.is_admin(inv.actor))))


async def profile_form_values(core: Core, inv: Invocation, submit: str) -> dict | None:
    """The submitted profile form's values; on errors, reply with them and return None."""
    values, errors = parse_form(profile_form(submit), inv.form or {})
    if errors:
        await core.outbox.reply(inv, replies.form_errors(submit, values, errors))
        return None
    return values


class ProfileCommands:
    """The profile routes, bound to the ProfileService they call."""

    def __init__(self, service: ProfileService):
        self._service = service

    def routes(self) -> dict[str, Route]:
        """Every profile command by name, for the dispatcher."""
        return {
            "help": Route(show_help, "help", "show this list"),
            "join": Route(
                gated(self.join), "join", "join the peer network (a short form, then a privacy notice)"
            ),
            "join.submit": Route(gated(self.join_submit), hidden=True),
            "join.areas": Route(self.join_areas, hidden=True),
            "join.edit": Route(self.join_edit, hidden=True),
            "join.consent": Route(gated(self.join_consent), hidden=True),
            "join.cancel": Route(self.join_cancel, hidden=True),
            "profile": Route(self.profile, "profile [edit]", "show your profile, or edit it"),
            "profile.edit": Route(self.profile_edit, hidden=True),
            "profile.submit": Route(self.profile_submit, hidden=True),
            "pause": Route(
                self.pause, "pause [until YYYY-MM-DD]", "take a break from matching and check-ins"
            ),
            "resume": Route(self.resume, "resume", "take part again after a pause"),
            "leave": Route(self.leave, "leave", "erase everything stored about you (asks first)"),
            "leave.confirm": Route(self.leave_confirm, hidden=True),
            "leave.cancel": Route(self.leave_cancel, hidden=True),
            "mydata": Route(self.mydata, "mydata", "see everything stored about you, as JSON"),
        }

    async def join(self, core: Core, inv: Invocation) -> None:
        waiting = await self._service.open_join_form(inv.actor)
        await core.outbox.reply(inv, replies.join_form(waiting))

    async def join_submit(self, core: Core, inv: Invocation) -> None:
        """Keep the form, then offer suggested areas if they differ, else ask for consent."""
        values = await profile_form_values(core, inv, "join.submit")
        if values is None:
            return
        suggestion = await self._service.submit_join(inv.actor, values, replies.REVIEWED in inv.args)
        if suggestion is not None:
            await core.outbox.reply(inv, replies.suggestion_offer(suggestion, values["areas"]))
        else:
            await core.outbox.reply(inv, replies.consent_request(core.config))

    async def join_areas(self, core: Core, inv: Invocation) -> None:
        """Apply the chosen areas (none given: keep the person's own) to the waiting join form."""
        await self._service.choose_areas(inv.actor, inv.args)
        await core.outbox.reply(inv, replies.consent_request(core.config))

    async def join_edit(self, core: Core, inv: Invocation) -> None:
        """Reopen the join form with the suggested areas filled in, for the person to change."""
        rules.check_areas(inv.args)
        waiting = await self._service.waiting_join_form(inv.actor)
        await core.outbox.reply(inv, replies.reopened_join_form(waiting, inv.args))

    async def join_consent(self, core: Core, inv: Invocation) -> None:
        profile = await self._service.consent(inv.actor)
        await core.outbox.reply(inv, replies.welcome(profile))

    async def join_cancel(self, core: Core, inv: Invocation) -> None:
        await self._service.cancel_pending(inv.actor)
        await core.outbox.reply(inv, replies.CANCELLED)

    async def profile(self, core: Core, inv: Invocation) -> None:
        if rules.wants_profile_edit(inv.args):
            await self.profile_edit(core, inv)
            return
        found = await self._service.require(inv.actor)
        await core.outbox.reply(inv, replies.profile_shown(found))

    async def profile_edit(self, core: Core, inv: Invocation) -> None:
        found = await self._service.require(inv.actor)
        await core.outbox.reply(inv, replies.profile_edit_form(found))

    async def profile_submit(self, core: Core, inv: Invocation) -> None:
        values = await profile_form_values(core, inv, "profile.submit")
        if values is None:
            return
        saved = await self._service.update(inv.actor, values)
        await core.outbox.reply(inv, replies.profile_saved(saved))

    async def pause(self, core: Core, inv: Invocation) -> None:
        until = rules.parse_pause_until(inv.args)
        await self._service.pause(inv.actor, until)
        await core.outbox.reply(inv, replies.paused(until))

    async def resume(self, core: Core, inv: Invocation) -> None:
        await self._service.resume(inv.actor)
        await core.outbox.reply(inv, replies.RESUMED)

    async def leave(self, core: Core, inv: Invocation) -> None:
        await self._service.require(inv.actor)
        await core.outbox.reply(inv, replies.LEAVE_QUESTION)

    async def leave_confirm(self, core: Core, inv: Invocation) -> None:
        erased = await self._service.erase(inv.actor)
        await core.outbox.reply(inv, replies.erased(erased))

    async def leave_cancel(self, core: Core, inv: Invocation) -> None:
        await core.outbox.reply(inv, replies.NOTHING_ERASED)

    async def mydata(self, core: Core, inv: Invocation) -> None:
        """Send everything stored; it may hold the person's own questions, so relay rules apply."""
        data = await self._service.subject_access(inv.actor)
        if data is None:
            await core.outbox.reply(inv, replies.NOTHING_STORED)
            return
        delivery = await core.outbox.reply(inv, replies.mydata(data), Sensitivity.RELAY, "mydata")
        if delivery.status == "refused":
            await core.outbox.reply(inv, replies.MYDATA_ONLY_IN_DM)
