"""The /peer commands of the anonymous relay: ask, threads, answer, and the buttons in between.

Each handler parses the invocation, calls one method of the relay service and renders the
result. Every reply that carries relay content (a question, an answer, a handle) is sent
with Sensitivity.RELAY to the invoker alone, on the private surface they used; every
button carries random ids only, and the service checks that the id belongs to the caller.
"""

from __future__ import annotations

from collections.abc import Callable

from bot.kernel.core import Core
from bot.kernel.dispatch import Handler, Route
from bot.kernel.durations import describe_duration
from bot.kernel.errors import UserError
from bot.kernel.forms import parse_form
from bot.kernel.invocation import Invocation
from bot.kernel.messages import Button, Message
from bot.relay import report_texts, texts
from bot.relay.asking import Checked, Sent
from bot.relay.conversation import Delivered
from bot.relay.forms import answer_form, ask_form, followup_form, report_choice_form, report_form
from bot.relay.parties import in_flight
from bot.relay.sending import private_reply
from bot.relay.service import RelayService


def _arg(inv: Invocation) -> str:
    """The one id a relay button carries."""
    if len(inv.args) != 1:
        raise UserError(texts.EXPIRED_BUTTON)
    return inv.args[0]


def _target_and_draft(inv: Invocation) -> tuple[str, str | None]:
    """An answer or follow-up form's target id, and the held draft it replaces (after "Edit")."""
    if len(inv.args) not in (1, 2):
        raise UserError(texts.EXPIRED_BUTTON)
    return inv.args[0], (inv.args[1] if len(inv.args) == 2 else None)


def _typed(inv: Invocation, name: str) -> str:
    """What the person typed into a form's text field (to keep it out of logs while in flight)."""
    value = (inv.form or {}).get(name)
    return value if isinstance(value, str) else ""


class RelayCommands:
    """The relay's handlers, bound to its service."""

    def __init__(self, relay: RelayService):
        self._relay = relay

    def _relay_on(self, handler: Handler) -> Handler:
        """Refuse at once, saying why, when the relay is off (before reading anything else)."""

        async def guarded(core: Core, inv: Invocation) -> None:
            self._relay.require()
            await handler(core, inv)

        return guarded

    def _unsuspended(self, handler: Handler) -> Handler:
        """Refuse, saying until when, someone suspended from the relay who tries to write in it."""

        async def guarded(core: Core, inv: Invocation) -> None:
            await self._relay.suspensions.check(inv.actor)
            await handler(core, inv)

        return guarded

    # --- asking ----------------------------------------------------------------------------

    async def ask(self, core: Core, inv: Invocation) -> None:
        """`/peer ask`: the question form, unless the daily limit is reached."""
        profile = await self._relay.asking.open_ask(inv.actor)
        await core.outbox.reply(inv, Message(texts.OPEN_ASK, form=ask_form(profile.org_type, profile.region)))

    async def ask_submit(self, core: Core, inv: Invocation) -> None:
        """The question form: fix what is wrong, or check the question and send it."""
        draft_id = inv.args[0] if inv.args else None
        typed = _typed(inv, "question")
        with in_flight(typed):
            values, errors = parse_form(ask_form("", "", draft_id), dict(inv.form or {}))
            if errors:
                profile = await self._relay.asking.asker(inv.actor)
                shares = tuple(k for k in ("org_type", "region") if values.get(f"share_{k}"))
                form = ask_form(profile.org_type, profile.region, draft_id, typed, shares)
                await private_reply(
                    core.outbox, inv, Message(texts.FIX_FIELDS, form=form, field_errors=errors)
                )
                return
            result = await self._relay.asking.submit(
                inv.actor, values["question"], values["share_org_type"], values["share_region"], draft_id
            )
            await self._render_ask(core, inv, result)

    async def _render_ask(self, core: Core, inv: Invocation, result: Checked | Sent) -> None:
        if isinstance(result, Checked):
            message = texts.check_message(result.findings, result.draft_id)
            await private_reply(core.outbox, inv, message, "relay.check")
            return
        retention = describe_duration(core.config.relay.retention)
        message = texts.sent_message(result.peers, result.handle, retention, result.draft_id)
        await private_reply(core.outbox, inv, message, "relay.sent")

    async def ask_edit(self, core: Core, inv: Invocation) -> None:
        """The "Edit" button after the check: the form again, filled in with the draft."""
        draft_id = _arg(inv)
        draft = await self._relay.asking.draft(inv.actor, draft_id)
        profile = draft.profile
        with in_flight(draft.question):
            form = ask_form(profile.org_type, profile.region, draft_id, draft.question, draft.shares)
            await private_reply(core.outbox, inv, Message(form=form))

    async def ask_send(self, core: Core, inv: Invocation) -> None:
        """The "Send anyway" button after the check."""
        await self._render_ask(core, inv, await self._relay.asking.send(inv.actor, _arg(inv)))

    async def ask_cancel(self, core: Core, inv: Invocation) -> None:
        """The "Cancel" button after the check: the draft is deleted."""
        await self._relay.asking.cancel(inv.actor, _arg(inv))
        await core.outbox.reply(inv, Message(texts.DRAFT_DELETED))

    # --- threads and answers ---------------------------------------------------------------

    async def threads(self, core: Core, inv: Invocation) -> None:
        """`/peer threads`: the caller's open threads, in their private view only."""
        found = await self._relay.conversation.open_threads(inv.actor, with_questions=True)
        if not found:
            await core.outbox.reply(inv, Message(texts.NO_THREADS))
            return
        lines, buttons = [], []
        for t in found:
            question = texts.snippet(t.question)
            if t.role == "asker":
                lines.append(texts.asker_thread_line(question, t.handle, t.answers))
                buttons.append(Button(f"Close ({t.handle})", "relay.close", (t.thread_id,)))
            else:
                lines.append(texts.peer_thread_line(question, t.asker_handle, t.handle))
                buttons.append(Button(f"Answer {t.asker_handle}", "relay.answer", (t.party_id,)))
        with in_flight(*lines):
            await private_reply(core.outbox, inv, texts.threads_message(lines, buttons))

    async def answer_typed(self, core: Core, inv: Invocation) -> None:
        """`/peer answer NNNN`: the answer form for the question from Peer NNNN."""
        target = await self._relay.conversation.find_by_handle(inv.actor, inv.args)
        await private_reply(core.outbox, inv, Message(form=answer_form(target.handle, target.form_id)))

    async def answer_button(self, core: Core, inv: Invocation) -> None:
        """The "Answer" button: the answer form."""
        target = await self._relay.conversation.answer_target(inv.actor, _arg(inv))
        await private_reply(core.outbox, inv, Message(form=answer_form(target.handle, target.form_id)))

    async def answer_submit(self, core: Core, inv: Invocation) -> None:
        """The answer form: fix what is wrong, or check the answer and send it to the asker."""
        peer_id, draft_id = _target_and_draft(inv)
        with in_flight(_typed(inv, "answer")):
            values, errors = parse_form(answer_form("", peer_id), dict(inv.form or {}))
            if errors:
                target = await self._relay.conversation.answer_target(inv.actor, peer_id)
                form = answer_form(target.handle, target.form_id, draft_id=draft_id)
                await private_reply(
                    core.outbox, inv, Message(texts.FIX_ANSWER, form=form, field_errors=errors)
                )
                return
            result = await self._relay.conversation.answer(inv.actor, peer_id, values["answer"], draft_id)
            await self._render_written(core, inv, result)

    async def _render_written(self, core: Core, inv: Invocation, result: Delivered | Checked) -> None:
        """What the check found in an answer or follow-up, or what became of it once sent."""
        if isinstance(result, Checked):
            message = texts.check_message(result.findings, result.draft_id, result.what)
            await private_reply(core.outbox, inv, message, "relay.check")
            return
        outcome = texts.delivery_outcome(result.status, result.recipient)
        await private_reply(core.outbox, inv, Message(texts.written_outcome(outcome, result.sender)))

    async def followup(self, core: Core, inv: Invocation) -> None:
        """The "Ask a follow-up" button: the follow-up form."""
        target = await self._relay.conversation.followup_target(inv.actor, _arg(inv))
        await private_reply(core.outbox, inv, Message(form=followup_form(target.handle, target.form_id)))

    async def followup_submit(self, core: Core, inv: Invocation) -> None:
        """The follow-up form: fix what is wrong, or check it and send it to the peer who answered."""
        message_id, draft_id = _target_and_draft(inv)
        with in_flight(_typed(inv, "followup")):
            values, errors = parse_form(followup_form("", message_id), dict(inv.form or {}))
            if errors:
                target = await self._relay.conversation.followup_target(inv.actor, message_id)
                form = followup_form(target.handle, target.form_id, draft_id=draft_id)
                await private_reply(
                    core.outbox, inv, Message(texts.FIX_FOLLOWUP, form=form, field_errors=errors)
                )
                return
            result = await self._relay.conversation.followup(
                inv.actor, message_id, values["followup"], draft_id
            )
            await self._render_written(core, inv, result)

    async def draft_edit(self, core: Core, inv: Invocation) -> None:
        """The "Edit" button after an answer's or follow-up's check: its form again, filled in."""
        draft_id = _arg(inv)
        held = await self._relay.conversation.held_draft(inv.actor, draft_id)
        make_form = answer_form if held.what == "answer" else followup_form
        with in_flight(held.text):
            form = make_form(held.target.handle, held.target.form_id, held.text, draft_id)
            await private_reply(core.outbox, inv, Message(form=form))

    async def draft_send(self, core: Core, inv: Invocation) -> None:
        """The "Send anyway" button after an answer's or follow-up's check."""
        await self._render_written(core, inv, await self._relay.conversation.send_draft(inv.actor, _arg(inv)))

    async def draft_cancel(self, core: Core, inv: Invocation) -> None:
        """The "Cancel" button after an answer's or follow-up's check: the draft is deleted."""
        await self._relay.conversation.cancel_draft(inv.actor, _arg(inv))
        await core.outbox.reply(inv, Message(texts.DRAFT_DELETED))

    async def thank(self, core: Core, inv: Invocation) -> None:
        """The "Thank" button under an answer."""
        sent = await self._relay.conversation.thank(inv.actor, _arg(inv))
        outcome = texts.delivery_outcome(sent.status, sent.recipient)
        await private_reply(core.outbox, inv, Message(f"Thanks: {outcome}"))

    async def close(self, core: Core, inv: Invocation) -> None:
        """The "Close question" button: the asker closes the thread."""
        await self._relay.conversation.close(inv.actor, _arg(inv))
        retention = describe_duration(core.config.relay.retention)
        await private_reply(core.outbox, inv, texts.closed_confirmation(retention), "relay.closed")

    # --- reveal and reports (organisers' commands: organiser_commands.py) -----------------

    async def reveal(self, core: Core, inv: Invocation) -> None:
        """The "Offer to swap contact details" and "Agree to swap" buttons."""
        outcome = await self._relay.reveal.offer(inv.actor, _arg(inv))
        if outcome.card is not None:
            await private_reply(
                core.outbox, inv, texts.swapped(outcome.other_handle, outcome.card), "relay.reveal"
            )
            return
        await private_reply(core.outbox, inv, texts.offered(outcome.other_handle), "relay.reveal_offer")

    async def reveal_decline(self, core: Core, inv: Invocation) -> None:
        """The "No thanks" button: nothing is shared."""
        await self._relay.reveal.decline(inv.actor, _arg(inv))
        await private_reply(core.outbox, inv, Message(texts.NOTHING_SHARED), "relay.reveal_declined")

    async def report(self, core: Core, inv: Invocation) -> None:
        """The "Report" button: the report form, for a message the caller received."""
        await self._relay.reports.check(inv.actor, _arg(inv))
        await core.outbox.reply(inv, Message(form=report_form(inv.args[0])))

    async def report_submit(self, core: Core, inv: Invocation) -> None:
        """The report form: why (a category), and whether organisers see the text; then report."""
        message_id = _arg(inv)
        values, errors = parse_form(report_choice_form(), dict(inv.form or {}))
        if errors:
            form = report_form(message_id)
            await core.outbox.reply(inv, Message(report_texts.FIX_REPORT, form=form, field_errors=errors))
            return
        done = await self._relay.reports.report(
            inv.actor, message_id, values["category"], bool(values["include_text"])
        )
        message = report_texts.reported(done.sender, done.category, done.told, done.shown)
        await private_reply(core.outbox, inv, message)

    def routes(self) -> dict[str, Route]:
        """The relay's commands, buttons and form targets."""
        on: Callable[[Handler], Handler] = self._relay_on

        def writes(handler: Handler) -> Handler:
            return on(self._unsuspended(handler))

        return {
            "ask": Route(
                writes(self.ask),
                "ask",
                "ask peers a question anonymously (in a form, so it stays out of chat history)",
            ),
            "ask.submit": Route(writes(self.ask_submit), hidden=True),
            "ask.edit": Route(writes(self.ask_edit), hidden=True),
            "ask.send": Route(writes(self.ask_send), hidden=True),
            "ask.cancel": Route(on(self.ask_cancel), hidden=True),
            "threads": Route(on(self.threads), "threads", "list your open anonymous question threads"),
            "answer": Route(
                writes(self.answer_typed), "answer NNNN", "answer the anonymous question from Peer NNNN"
            ),
            "relay.answer": Route(self._unsuspended(self.answer_button), hidden=True),
            "relay.answer.submit": Route(writes(self.answer_submit), hidden=True),
            "relay.followup": Route(writes(self.followup), hidden=True),
            "relay.followup.submit": Route(writes(self.followup_submit), hidden=True),
            "relay.draft.edit": Route(writes(self.draft_edit), hidden=True),
            "relay.draft.send": Route(writes(self.draft_send), hidden=True),
            "relay.draft.cancel": Route(on(self.draft_cancel), hidden=True),
            "relay.thank": Route(writes(self.thank), hidden=True),
            "relay.close": Route(on(self.close), hidden=True),
            "relay.reveal": Route(writes(self.reveal), hidden=True),
            "relay.reveal.decline": Route(on(self.reveal_decline), hidden=True),
            "relay.report": Route(on(self.report), hidden=True),
            "relay.report.submit": Route(on(self.report_submit), hidden=True),
        }
