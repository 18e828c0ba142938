"""The /peer commands of the anonymous relay: ask, threads, answer, and the buttons in between.

Questions and answers are typed into forms, never into chat, so they stay out of the
platform's message history. Every reply that carries relay content (a question, an
answer, a handle) is sent with Sensitivity.RELAY to the invoker alone, on the private
surface they used; every button carries random ids only, and every handler checks that
the id belongs to the caller before doing anything.
"""

from __future__ import annotations

import logging

from sqlalchemy import func, select

from bot.kernel.core import Core
from bot.kernel.dispatch import Route
from bot.kernel.durations import describe_duration
from bot.kernel.errors import UserError
from bot.kernel.forms import parse_form
from bot.kernel.invocation import Actor, Invocation
from bot.kernel.messages import Button, Field, Form, Mention, Message, Sensitivity
from bot.kernel.outbox import DirectMessage, Outbound, ReplyTo
from bot.kernel.storage.models import Profile, Refusal
from bot.relay.identifying_details import Finding, find_identifying_details
from bot.relay.models import RelayMessage, RelayParticipant, RelayReport
from bot.relay.routing import community_scope
from bot.relay.service import (
    Identity,
    Party,
    RelayService,
    ThreadView,
    in_flight,
    limit_text,
    service,
)
from matching.vocabulary import ORG_TYPES, REGIONS

log = logging.getLogger(__name__)

QUESTION_MIN, QUESTION_MAX = 20, 2000
ANSWER_MIN, ANSWER_MAX = 2, 3000
PRIVATE_ONLY = (
    "For your privacy, anonymous questions are only shown in a direct message with me or in a "
    "form, never in a channel. Open a direct message with the bot and use the command there."
)
KNOWN_FINDING_KINDS = ("email", "phone", "postcode", "organisation", "person")


# --- small helpers -----------------------------------------------------------------------


async def private_reply(core: Core, inv: Invocation, message: Message, kind: str = "relay.reply") -> None:
    """Relay content back to the invoker only, where only they can see it; explain if refused."""
    delivery = await core.outbox.send(
        Outbound(ReplyTo(inv), message, Sensitivity.RELAY, kind, frozenset({inv.actor.user_id}))
    )
    if delivery.status == "refused":
        await core.outbox.reply(inv, Message(PRIVATE_ONLY))


def snippet(text: str, length: int = 60) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= length else flat[: length - 1].rstrip() + "…"


def _arg(inv: Invocation) -> str:
    if len(inv.args) != 1:
        raise UserError("That button has expired. Use `/peer threads` to see your open questions.")
    return inv.args[0]


def ask_form(profile: Profile, draft_id: str | None = None, question: str = "", shares: tuple = ()) -> Form:
    """The question form: the question, and which coarse facts about the asker peers may see."""
    org_type = ORG_TYPES.get(profile.org_type, "other")
    region = REGIONS.get(profile.region, "")
    return Form(
        title="Ask peers anonymously",
        intro=(
            "Your question goes to a few peers from other organisations with challenges like yours. "
            "They never see your name or organisation. Avoid names, places, dates and numbers "
            "that could identify you or anyone else: the bot checks before sending."
        ),
        fields=(
            Field(
                "question",
                "Your question",
                kind="long_text",
                min_length=QUESTION_MIN,
                max_length=QUESTION_MAX,
                initial=question,
            ),
            Field(
                "share_org_type",
                f"Tell peers your organisation type ({org_type})?",
                kind="yes_no",
                initial="yes" if "org_type" in shares else "no",
            ),
            Field(
                "share_region",
                f"Tell peers your region ({region})?",
                kind="yes_no",
                initial="yes" if "region" in shares else "no",
            ),
        ),
        submit_command="ask.submit",
        args=(draft_id,) if draft_id else (),
        submit_label="Check and send",
    )


def describe_context(context: dict) -> str:
    parts = [p for p in (context.get("org_type"), context.get("region")) if p]
    return f" ({', '.join(parts)})" if parts else ""


def question_message(
    asker_handle: str, peer_handle: str, context: dict, question: str, peer_id: str, question_id: str
) -> Message:
    """What a chosen peer receives: the question, the asker's handle and chosen context, buttons."""
    return Message(
        f"*An anonymous question* from *{asker_handle}*{describe_context(context)}:\n\n{question}\n\n"
        f"You are *{peer_handle}* in this thread. Nobody learns who you are unless you both agree to "
        "swap contact details.",
        buttons=(
            Button("Answer", "relay.answer", (peer_id,), style="primary"),
            Button("Offer to swap contact details", "relay.reveal", (peer_id,)),
            Button("Report", "relay.report", (question_id,), style="danger"),
        ),
    )


async def message_for_recipient(
    relay: RelayService,
    session,
    view: ThreadView,
    message: RelayMessage,
    sender: Party,
    recipient: Party,
    body: str,
) -> Message:
    """An answer, follow-up or thanks as its recipient sees it, with the right buttons."""
    if message.kind == "answer":
        question = relay.body(await relay.question_of(session, view.thread.id))
        return Message(
            f"*{sender.handle}* answered your question “{snippet(question)}”:\n\n{body}",
            buttons=(
                Button("Thank", "relay.thank", (message.id,)),
                Button("Ask a follow-up", "relay.followup", (message.id,), style="primary"),
                Button("Offer to swap contact details", "relay.reveal", (sender.id,)),
                Button("Report", "relay.report", (message.id,), style="danger"),
                Button("Close question", "relay.close", (view.thread.id,)),
            ),
        )
    if message.kind == "followup":
        return Message(
            f"*{sender.handle}*, who asked, replied to your answer:\n\n{body}\n\n"
            f"You are *{recipient.handle}* in this thread.",
            buttons=(
                Button("Answer", "relay.answer", (recipient.id,), style="primary"),
                Button("Offer to swap contact details", "relay.reveal", (recipient.id,)),
                Button("Report", "relay.report", (message.id,), style="danger"),
            ),
        )
    return Message(f"*{sender.handle}* thanked you for your answer.")


async def _caller_profile(core: Core, inv: Invocation) -> Profile:
    service(core).require()
    return await core.people.require(inv.actor)


async def identifying_details(core: Core, profile: Profile, question: str) -> list[Finding]:
    """Local checks, plus the LLM assistant only when an admin allowed it to read relay content."""
    scope = community_scope(core.config, profile.platform, profile.community)
    async with core.db.session() as session:
        rows = await session.execute(
            select(Profile.platform, Profile.community, Profile.display_name, Profile.organisation).where(
                Profile.status != "pending"
            )
        )
        directory = [
            (name, org) for platform, community, name, org in rows if f"{platform}:{community}" in scope
        ]
    findings = find_identifying_details(question, [o for _, o in directory], [n for n, _ in directory])
    assist = core.services.get("assist")
    finder = getattr(assist, "identifying_details", None)
    if core.config.llm.allow_relay_content and finder is not None:
        try:
            extra = await finder(question)
        except Exception as problem:
            log.warning("identifying-details assistant failed: %s", type(problem).__name__)
            extra = []
        seen = {f.text.casefold() for f in findings}
        for item in extra or []:
            found_text = getattr(item, "text", item)
            kind = getattr(item, "kind", "other")
            if isinstance(found_text, str) and found_text.strip() and found_text.casefold() not in seen:
                findings.append(Finding(kind if kind in KNOWN_FINDING_KINDS else "other", found_text.strip()))
                seen.add(found_text.casefold())
    return findings


# --- asking ------------------------------------------------------------------------------


async def ask(core: Core, inv: Invocation) -> None:
    profile = await _caller_profile(core, inv)
    relay = service(core)
    async with core.db.session() as session:
        when = await relay.next_ask_allowed(session, inv.actor)
    if when is not None:
        raise UserError(limit_text(core.config.relay.asks_per_day, when, profile.timezone))
    await core.outbox.reply(
        inv,
        Message(
            "Your question goes in a form, not a chat message, so it stays out of this "
            "conversation's history.",
            form=ask_form(profile),
        ),
    )


async def ask_submit(core: Core, inv: Invocation) -> None:
    profile = await _caller_profile(core, inv)
    draft_id = inv.args[0] if inv.args else None
    raw = dict(inv.form or {})
    typed = raw.get("question") if isinstance(raw.get("question"), str) else ""
    with in_flight(typed):
        values, errors = parse_form(ask_form(profile, draft_id), raw)
        if errors:
            shares = tuple(k for k in ("org_type", "region") if values.get(f"share_{k}"))
            await private_reply(
                core,
                inv,
                Message(
                    "Please fix the highlighted fields.",
                    form=ask_form(profile, draft_id, typed, shares),
                    field_errors=errors,
                ),
            )
            return
        question = values["question"]
        context = {
            "org_type": ORG_TYPES.get(profile.org_type) if values["share_org_type"] else None,
            "region": REGIONS.get(profile.region) if values["share_region"] else None,
        }
        draft = await service(core).save_draft(inv.actor, profile, question, context, draft_id)
        findings = await identifying_details(core, profile, question)
        if findings:
            listed = "\n".join(f"• {finding.describe()}" for finding in findings)
            await private_reply(
                core,
                inv,
                Message(
                    "Before it goes: your question mentions\n"
                    f"{listed}\n"
                    "Details like these could identify you or someone else. Edit the question, "
                    "or send it as it is.",
                    buttons=(
                        Button("Edit", "ask.edit", (draft,), style="primary"),
                        Button("Send anyway", "ask.send", (draft,)),
                        Button("Cancel", "ask.cancel", (draft,), style="danger"),
                    ),
                ),
                "relay.check",
            )
            return
        await _send(core, inv, profile, draft)


async def _send(core: Core, inv: Invocation, profile: Profile, draft: str) -> None:
    relay = service(core)
    count, handle = await relay.send_draft(inv.actor, profile, draft)
    if count == 0:
        await relay.discard_draft(inv.actor, draft)
        raise UserError(
            "Nobody can take your question right now: peers must accept anonymous questions and "
            "work for another organisation. Nothing was sent and your question was deleted."
        )
    retention = describe_duration(core.config.relay.retention)
    await private_reply(
        core,
        inv,
        Message(
            f"Your question is on its way to {count} peer{'s' if count != 1 else ''} from other "
            "organisations. It reaches them after a short random delay, so its timing points to "
            f"nobody. You are *{handle}* in this thread. Answers arrive in your direct messages; "
            f"`/peer threads` lists your open questions. Everything is deleted {retention} after "
            "you close the thread or it goes quiet.",
            buttons=(Button("Close question", "relay.close", (draft,)),),
        ),
        "relay.sent",
    )


async def ask_edit(core: Core, inv: Invocation) -> None:
    profile = await _caller_profile(core, inv)
    relay = service(core)
    draft = _arg(inv)
    async with core.db.session() as session:
        view, party = await relay.own_party_of_thread(session, inv.actor, draft)
        if party.role != "asker" or view.thread.status != "draft":
            raise UserError("That question has already been sent.")
        question = relay.body(await relay.question_of(session, draft))
        context = relay.context(view.thread)
    with in_flight(question):
        shares = tuple(k for k in ("org_type", "region") if context.get(k))
        await private_reply(core, inv, Message(form=ask_form(profile, draft, question, shares)))


async def ask_send(core: Core, inv: Invocation) -> None:
    profile = await _caller_profile(core, inv)
    await _send(core, inv, profile, _arg(inv))


async def ask_cancel(core: Core, inv: Invocation) -> None:
    await _caller_profile(core, inv)
    await service(core).discard_draft(inv.actor, _arg(inv))
    await core.outbox.reply(inv, Message("Deleted. Nothing was sent."))


# --- threads -----------------------------------------------------------------------------


async def threads(core: Core, inv: Invocation) -> None:
    relay = service(core)
    relay.require()
    lines: list[str] = []
    buttons: list[Button] = []
    async with core.db.session() as session:
        for row in await relay.own_parties(session, inv.actor):
            view = await relay.view(session, row.thread_id)
            if view.thread.status != "open" or (row.role == "peer" and row.delivered_at is None):
                continue
            question = snippet(relay.body(await relay.question_of(session, row.thread_id)))
            me = view.parties[row.id]
            if row.role == "asker":
                answers = await session.execute(
                    select(func.count())
                    .select_from(RelayMessage)
                    .where((RelayMessage.thread_id == row.thread_id) & (RelayMessage.kind == "answer"))
                )
                lines.append(
                    f"• Your question “{question}” as *{me.handle}*: {answers.scalar_one()} answer(s)"
                )
                buttons.append(Button(f"Close ({me.handle})", "relay.close", (row.thread_id,)))
            else:
                asker = view.asker.handle
                lines.append(f"• From *{asker}*: “{question}” (you are *{me.handle}*)")
                buttons.append(Button(f"Answer {asker}", "relay.answer", (row.id,)))
    if not lines:
        await core.outbox.reply(
            inv, Message("You have no open anonymous question threads. `/peer ask` starts one.")
        )
        return
    with in_flight(*lines):
        await private_reply(
            core,
            inv,
            Message("*Your open anonymous question threads*\n" + "\n".join(lines), buttons=tuple(buttons)),
        )


# --- answering ---------------------------------------------------------------------------


def answer_form(asker_handle: str, peer_id: str) -> Form:
    return Form(
        title=f"Answer {asker_handle}",
        intro="Your answer goes to the asker under your handle for this question, never your name.",
        fields=(
            Field("answer", "Your answer", kind="long_text", min_length=ANSWER_MIN, max_length=ANSWER_MAX),
        ),
        submit_command="relay.answer.submit",
        args=(peer_id,),
        submit_label="Send answer",
    )


def _check_can_write(view: ThreadView, me: Party) -> None:
    if view.thread.status != "open":
        raise UserError("That question has been closed, so nothing more can be sent in it.")
    if me.row.blocked:
        raise UserError("You can no longer send messages in that thread.")


async def _open_answer_form(core: Core, inv: Invocation, peer_id: str) -> None:
    relay = service(core)
    async with core.db.session() as session:
        view, me = await relay.own_party(session, inv.actor, peer_id)
    if me.role != "peer" or me.row.delivered_at is None:
        raise UserError("Only the peers a question was sent to can answer it.")
    _check_can_write(view, me)
    await private_reply(core, inv, Message(form=answer_form(view.asker.handle, me.id)))


async def answer_typed(core: Core, inv: Invocation) -> None:
    relay = service(core)
    relay.require()
    number = inv.args[0].removeprefix("#") if len(inv.args) == 1 else ""
    if not number.isdigit():
        raise UserError(
            "Use `/peer answer NNNN` with the number of the asker's handle, e.g. `/peer answer 4821`."
        )
    async with core.db.session() as session:
        for row in await relay.own_parties(session, inv.actor):
            if row.role != "peer" or row.delivered_at is None:
                continue
            view = await relay.view(session, row.thread_id)
            if view.thread.status == "open" and view.asker.handle == f"Peer {number}":
                break
        else:
            raise UserError(f"You have no open question from Peer {number}. `/peer threads` lists yours.")
    await _open_answer_form(core, inv, row.id)


async def answer_button(core: Core, inv: Invocation) -> None:
    await _open_answer_form(core, inv, _arg(inv))


async def _deliver_stored(
    core: Core,
    relay: RelayService,
    view: ThreadView,
    message: RelayMessage,
    sender: Party,
    recipient: Party,
    body: str,
) -> str:
    """Send a stored message now; on a platform failure queue a retry. Returns what to tell the sender."""
    async with core.db.session() as session:
        out = await message_for_recipient(relay, session, view, message, sender, recipient, body)
    delivery = await relay.send_to(core, view, recipient, out, f"relay.{message.kind}")
    if delivery.sent:
        return f"Sent to {recipient.handle}."
    if delivery.status == "failed":
        await relay.retry_later(message.id)
        return f"{recipient.handle} can't be reached right now; it will be delivered as soon as possible."
    return "It could not be delivered: the privacy guard refused the destination. Nothing was sent."


async def answer_submit(core: Core, inv: Invocation) -> None:
    relay = service(core)
    relay.require()
    peer_id = _arg(inv)
    raw = dict(inv.form or {})
    typed = raw.get("answer") if isinstance(raw.get("answer"), str) else ""
    with in_flight(typed):
        async with core.db.session() as session, session.begin():
            view, me = await relay.own_party(session, inv.actor, peer_id)
            if me.role != "peer" or me.row.delivered_at is None:
                raise UserError("Only the peers a question was sent to can answer it.")
            _check_can_write(view, me)
            values, errors = parse_form(answer_form(view.asker.handle, me.id), raw)
            if not errors:
                message = await relay.store_message(session, view, me, view.asker, "answer", values["answer"])
        if errors:
            await private_reply(
                core,
                inv,
                Message(
                    "Please fix the answer.", form=answer_form(view.asker.handle, me.id), field_errors=errors
                ),
            )
            return
        outcome = await _deliver_stored(core, relay, view, message, me, view.asker, values["answer"])
    await private_reply(core, inv, Message(f"{outcome} You answered as *{me.handle}*."))


def followup_form(peer_handle: str, message_id: str) -> Form:
    return Form(
        title=f"Follow-up to {peer_handle}",
        fields=(
            Field(
                "followup", "Your follow-up", kind="long_text", min_length=ANSWER_MIN, max_length=ANSWER_MAX
            ),
        ),
        submit_command="relay.followup.submit",
        args=(message_id,),
        submit_label="Send",
    )


async def _answer_to_me(core: Core, inv: Invocation, session, message_id: str):
    relay = service(core)
    view, message, me = await relay.own_message(session, inv.actor, message_id)
    if message.kind != "answer" or me.role != "asker":
        raise UserError("You can only do that with an answer to your own question.")
    return view, message, me, view.parties[message.sender_id]


async def followup(core: Core, inv: Invocation) -> None:
    service(core).require()
    async with core.db.session() as session:
        view, message, me, peer = await _answer_to_me(core, inv, session, _arg(inv))
    _check_can_write(view, me)
    await private_reply(core, inv, Message(form=followup_form(peer.handle, message.id)))


async def followup_submit(core: Core, inv: Invocation) -> None:
    relay = service(core)
    relay.require()
    raw = dict(inv.form or {})
    typed = raw.get("followup") if isinstance(raw.get("followup"), str) else ""
    with in_flight(typed):
        async with core.db.session() as session, session.begin():
            view, answer, me, peer = await _answer_to_me(core, inv, session, _arg(inv))
            _check_can_write(view, me)
            values, errors = parse_form(followup_form(peer.handle, answer.id), raw)
            if not errors:
                message = await relay.store_message(session, view, me, peer, "followup", values["followup"])
        if errors:
            await private_reply(
                core,
                inv,
                Message(
                    "Please fix the follow-up.",
                    form=followup_form(peer.handle, answer.id),
                    field_errors=errors,
                ),
            )
            return
        outcome = await _deliver_stored(core, relay, view, message, me, peer, values["followup"])
    await private_reply(core, inv, Message(outcome))


async def thank(core: Core, inv: Invocation) -> None:
    relay = service(core)
    relay.require()
    async with core.db.session() as session, session.begin():
        view, answer, me, peer = await _answer_to_me(core, inv, session, _arg(inv))
        if me.row.blocked:
            raise UserError("You can no longer send messages in that thread.")
        message = await relay.store_message(session, view, me, peer, "thanks", "")
    outcome = await _deliver_stored(core, relay, view, message, me, peer, "")
    await private_reply(core, inv, Message(f"Thanks: {outcome}"))


async def close(core: Core, inv: Invocation) -> None:
    relay = service(core)
    relay.require()
    now = core.clock.now()
    async with core.db.session() as session, session.begin():
        view, me = await relay.own_party_of_thread(session, inv.actor, _arg(inv))
        if me.role != "asker":
            raise UserError("Only the person who asked can close a question.")
        if view.thread.status == "closed":
            raise UserError("That question is already closed.")
        view.thread.status, view.thread.closed_at, view.thread.last_activity_at = "closed", now, now
    retention = describe_duration(core.config.relay.retention)
    for peer in view.peers:
        if peer.row.delivered_at is not None:
            await relay.send_to(
                core,
                view,
                peer,
                Message(
                    f"*{me.handle}* closed their question. Thank you for helping. Everything in "
                    f"the thread is deleted in {retention}."
                ),
                "relay.closed",
            )
    await private_reply(
        core, inv, Message(f"Closed. Everything in the thread is deleted in {retention}."), "relay.closed"
    )


# --- reveal handshake --------------------------------------------------------------------


def _mention(identity: Identity) -> str:
    if identity.platform in ("slack", "discord"):
        return f"{Mention(identity.user_id)} on {identity.platform.title()}"
    return f"{identity.user_id} on the {identity.platform}"


async def _contact_card(session, identity: Identity) -> str | None:
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
    return f"*{profile.display_name}*, {profile.organisation}: {_mention(identity)}"


async def _pair(core: Core, inv: Invocation, session, peer_id: str) -> tuple[ThreadView, Party, Party, Party]:
    """(view, me, other, peer) for a reveal between a thread's asker and one peer."""
    relay = service(core)
    row = await session.get(RelayParticipant, peer_id)
    if row is None or row.role != "peer":
        raise UserError("That isn't one of your question threads, or it has been deleted.")
    row_view = await relay.view(session, row.thread_id)
    peer, asker = row_view.parties[row.id], row_view.asker
    tags = set(relay.tags(Identity.of(inv.actor)))
    if peer.row.tag in tags:
        return row_view, peer, asker, peer
    if asker.row.tag in tags:
        return row_view, asker, peer, peer
    raise UserError("That isn't one of your question threads, or it has been deleted.")


async def reveal(core: Core, inv: Invocation) -> None:
    relay = service(core)
    relay.require()
    async with core.db.session() as session, session.begin():
        view, me, other, peer = await _pair(core, inv, session, _arg(inv))
        mine = theirs = ""
        if peer.row.revealed_at is not None:
            raise UserError(f"You and {other.handle} have already swapped contact details.")
        if me.row.blocked or other.row.blocked or (me.role == "peer" and me.row.delivered_at is None):
            raise UserError("Contact details can't be swapped in that thread.")
        if me.role == "asker":
            peer.row.asker_offers_reveal = True
        else:
            peer.row.peer_offers_reveal = True
        both = peer.row.asker_offers_reveal and peer.row.peer_offers_reveal
        if both:
            mine, theirs = (
                await _contact_card(session, me.identity),
                await _contact_card(session, other.identity),
            )
            if mine is None or theirs is None:
                peer.row.asker_offers_reveal = peer.row.peer_offers_reveal = False
                raise UserError("One of you is no longer a member, so contact details can't be swapped.")
            peer.row.revealed_at = core.clock.now()
        view.thread.last_activity_at = core.clock.now()
    if both:
        await relay.send_to(
            core,
            view,
            other,
            Message(f"You and *{me.handle}* agreed to swap contact details: {mine}."),
            "relay.reveal",
        )
        await private_reply(
            core,
            inv,
            Message(f"You and *{other.handle}* agreed to swap contact details: {theirs}."),
            "relay.reveal",
        )
        return
    await relay.send_to(
        core,
        view,
        other,
        Message(
            f"*{me.handle}* offers to swap contact details. If you agree, you both see each other's "
            "name, organisation and handle on this platform; if not, nothing is shared.",
            buttons=(
                Button("Agree to swap", "relay.reveal", (peer.id,), style="primary"),
                Button("No thanks", "relay.reveal.decline", (peer.id,)),
            ),
        ),
        "relay.reveal_offer",
    )
    await private_reply(
        core,
        inv,
        Message(f"Offered. Nothing is shared unless *{other.handle}* agrees too."),
        "relay.reveal_offer",
    )


async def reveal_decline(core: Core, inv: Invocation) -> None:
    relay = service(core)
    relay.require()
    async with core.db.session() as session, session.begin():
        view, me, other, peer = await _pair(core, inv, session, _arg(inv))
        if peer.row.revealed_at is not None:
            raise UserError("Contact details were already swapped.")
        peer.row.asker_offers_reveal = peer.row.peer_offers_reveal = False
    await relay.send_to(
        core,
        view,
        other,
        Message(f"*{me.handle}* prefers not to swap contact details. Nothing was shared."),
        "relay.reveal_declined",
    )
    await private_reply(core, inv, Message("Nothing was shared."), "relay.reveal_declined")


# --- reports -----------------------------------------------------------------------------

INCLUDE_FIELD = Field(
    "include_text",
    "Show the reported text to the community organisers?",
    kind="yes_no",
    initial="no",
    hint="If not, they only learn that a report was made.",
)


def organiser_ids(core: Core, actor: Actor) -> tuple[str, ...]:
    """Who hears about reports: the community's listed admins (the console's user in the console)."""
    if actor.platform == "console":
        return (core.config.console.user,) if core.config.console.admin else ()
    return tuple(getattr(core.config.admins, actor.platform, {}).get(actor.community, ()))


async def report(core: Core, inv: Invocation) -> None:
    relay = service(core)
    relay.require()
    async with core.db.session() as session:
        await relay.own_message(session, inv.actor, _arg(inv))
    await core.outbox.reply(
        inv,
        Message(
            form=Form(
                title="Report this message",
                intro="The sender will be blocked from this thread and the community organisers "
                "told that a report was made.",
                fields=(INCLUDE_FIELD,),
                submit_command="relay.report.submit",
                args=(inv.args[0],),
                submit_label="Report",
            )
        ),
    )


async def report_submit(core: Core, inv: Invocation) -> None:
    relay = service(core)
    relay.require()
    values, errors = parse_form(Form("", (INCLUDE_FIELD,), ""), dict(inv.form or {}))
    if errors:
        raise UserError("Answer yes or no: should the organisers see the reported text?")
    include = bool(values["include_text"])
    async with core.db.session() as session, session.begin():
        view, message, me = await relay.own_message(session, inv.actor, _arg(inv))
        sender = view.parties[message.sender_id]
        sender.row.blocked = True
        body = relay.body(message) if include else ""
        session.add(RelayReport(at=core.clock.now(), community_key=inv.actor.community_key))
    organisers = organiser_ids(core, inv.actor)
    notice = (
        "Someone reported a message in an anonymous question thread in your community. The "
        "sender can no longer write in that thread."
    )
    with in_flight(body):
        if include:
            text = f"{notice}\n\nThe reporter chose to show you the reported text:\n\n{body}"
            sensitivity, allowed = Sensitivity.RELAY, frozenset(organisers)
        else:
            text = f"{notice} The reporter chose not to share the text, so nobody else can see it."
            sensitivity, allowed = Sensitivity.PERSONAL, frozenset()
        told = 0
        for organiser in organisers:
            delivery = await core.outbox.send(
                Outbound(
                    DirectMessage(inv.actor.platform, inv.actor.community, organiser),
                    Message(text),
                    sensitivity,
                    "relay.report_notice",
                    allowed,
                )
            )
            told += delivery.sent
    who = "The organisers were told" if told else "The report was recorded for the organisers"
    shown = " and shown the text" if include and told else ""
    await private_reply(
        core, inv, Message(f"Reported. {sender.handle} can no longer write in that thread. {who}{shown}.")
    )


# --- organisers --------------------------------------------------------------------------


async def admin_refusals(core: Core, inv: Invocation) -> None:
    key = inv.actor.community_key
    async with core.db.session() as session:
        rows = await session.execute(
            select(Refusal.reason, Refusal.sensitivity, func.count())
            .where(Refusal.community_key == key)
            .group_by(Refusal.reason, Refusal.sensitivity)
            .order_by(Refusal.reason, Refusal.sensitivity)
        )
        lines = [f"• {reason} ({sensitivity}): {count}" for reason, sensitivity, count in rows]
    reports = await service(core).report_count(key)
    body = "\n".join(lines) if lines else "• none"
    await core.outbox.reply(
        inv,
        Message(
            "*Messages the privacy guard refused to send*, by reason (counts only; the bot never "
            f"keeps their content):\n{body}\n\n*Reports of anonymous-question messages:* {reports}"
        ),
    )


ROUTES: dict[str, Route] = {
    "ask": Route(ask, "ask", "ask peers a question anonymously (in a form, so it stays out of chat history)"),
    "ask.submit": Route(ask_submit, hidden=True),
    "ask.edit": Route(ask_edit, hidden=True),
    "ask.send": Route(ask_send, hidden=True),
    "ask.cancel": Route(ask_cancel, hidden=True),
    "threads": Route(threads, "threads", "list your open anonymous question threads"),
    "answer": Route(answer_typed, "answer NNNN", "answer the anonymous question from Peer NNNN"),
    "relay.answer": Route(answer_button, hidden=True),
    "relay.answer.submit": Route(answer_submit, hidden=True),
    "relay.followup": Route(followup, hidden=True),
    "relay.followup.submit": Route(followup_submit, hidden=True),
    "relay.thank": Route(thank, hidden=True),
    "relay.close": Route(close, hidden=True),
    "relay.reveal": Route(reveal, hidden=True),
    "relay.reveal.decline": Route(reveal_decline, hidden=True),
    "relay.report": Route(report, hidden=True),
    "relay.report.submit": Route(report_submit, hidden=True),
    "admin.refusals": Route(
        admin_refusals, "admin refusals", "count messages the privacy guard refused, by reason", admin=True
    ),
}
