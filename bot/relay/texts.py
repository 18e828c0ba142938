"""What the relay says: every message it sends, as a function of what it shows.

Relay content (questions, answers, handles) appears only in messages sent with
Sensitivity.RELAY; these functions only build the messages, the callers choose the route.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.kernel.messages import Button, Mention, Message
from bot.relay.identifying_details import Finding

PRIVATE_ONLY = (
    "For your privacy, anonymous questions are only shown in a direct message with me or in a "
    "form, never in a channel. Open a direct message with the bot and use the command there."
)
RELAY_UNAVAILABLE = "Anonymous questions are unavailable right now; your organiser has been told."
EXPIRED_BUTTON = "That button has expired. Use `/peer threads` to see your open questions."
OPEN_ASK = "Your question goes in a form, not a chat message, so it stays out of this conversation's history."
FIX_FIELDS = "Please fix the highlighted fields."
FIX_ANSWER = "Please fix the answer."
FIX_FOLLOWUP = "Please fix the follow-up."
NOBODY_CAN_TAKE = (
    "Nobody can take your question right now: peers must accept anonymous questions and "
    "work for another organisation. Nothing was sent and your question was deleted."
)
DRAFT_DELETED = "Deleted. Nothing was sent."
DRAFT_GONE = "That draft has already been sent or deleted."
NO_THREADS = "You have no open anonymous question threads. `/peer ask` starts one."
NOTHING_SHARED = "Nothing was shared."


def limit_text(per_day: int, when: datetime, timezone: str) -> str:
    """The daily-limit message, with when the person may ask again in their own time zone."""
    local = when.astimezone(ZoneInfo(timezone or "Europe/London"))
    return (
        f"You can ask {per_day} anonymous question{'s' if per_day != 1 else ''} a day, and you have "
        f"reached that. You can ask again from {local:%H:%M} on {local:%A %d %B} ({timezone})."
    )


def snippet(text: str, length: int = 60) -> str:
    """The start of a question on one line, to recall it without showing it all."""
    flat = " ".join(text.split())
    return flat if len(flat) <= length else flat[: length - 1].rstrip() + "…"


def describe_context(context: dict) -> str:
    """The facts the asker chose to share, in brackets (or nothing)."""
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


def answer_message(
    sender_handle: str, sender_id: str, question: str, body: str, message_id: str, thread_id: str
) -> Message:
    """An answer as the asker sees it, with what the asker can do next."""
    return Message(
        f"*{sender_handle}* answered your question “{snippet(question)}”:\n\n{body}",
        buttons=(
            Button("Thank", "relay.thank", (message_id,)),
            Button("Ask a follow-up", "relay.followup", (message_id,), style="primary"),
            Button("Offer to swap contact details", "relay.reveal", (sender_id,)),
            Button("Report", "relay.report", (message_id,), style="danger"),
            Button("Close question", "relay.close", (thread_id,)),
        ),
    )


def followup_message(
    sender_handle: str, recipient_handle: str, recipient_id: str, body: str, message_id: str
) -> Message:
    """The asker's follow-up as the peer sees it."""
    return Message(
        f"*{sender_handle}*, who asked, replied to your answer:\n\n{body}\n\n"
        f"You are *{recipient_handle}* in this thread.",
        buttons=(
            Button("Answer", "relay.answer", (recipient_id,), style="primary"),
            Button("Offer to swap contact details", "relay.reveal", (recipient_id,)),
            Button("Report", "relay.report", (message_id,), style="danger"),
        ),
    )


def thanks_message(sender_handle: str) -> Message:
    """A thanks as the peer who answered sees it."""
    return Message(f"*{sender_handle}* thanked you for your answer.")


# What a held draft is, and the routes of its buttons: a question is a draft thread, an
# answer or a follow-up a held message in one.
DRAFT_ROUTES = {
    "question": ("ask.edit", "ask.send", "ask.cancel"),
    "answer": ("relay.draft.edit", "relay.draft.send", "relay.draft.cancel"),
    "follow-up": ("relay.draft.edit", "relay.draft.send", "relay.draft.cancel"),
}


def check_message(findings: Sequence[Finding], draft_id: str, what: str = "question") -> Message:
    """What the identifying-details check found, with the choice to edit, send or cancel.

    The labels say what a detail looks like, never whether it is in the directory.
    """
    listed = "\n".join(f"• {finding.describe()}" for finding in findings)
    edit, send, cancel = DRAFT_ROUTES[what]
    return Message(
        f"Before it goes: your {what} mentions\n"
        f"{listed}\n"
        f"Details like these could identify you or someone else. Edit the {what}, "
        "or send it as it is.",
        buttons=(
            Button("Edit", edit, (draft_id,), style="primary"),
            Button("Send anyway", send, (draft_id,)),
            Button("Cancel", cancel, (draft_id,), style="danger"),
        ),
    )


def check_limit_text(per_hour: int, wait: timedelta) -> str:
    """The refusal once someone had as many drafts checked this hour as the setting allows."""
    minutes = max(1, math.ceil(wait.total_seconds() / 60))
    return (
        f"You have had {per_hour} drafts checked in the last hour, the most anyone can. "
        f"Try again in {minutes} minute{'s' if minutes != 1 else ''}. Nothing was sent or kept. "
        "The limit is there so nobody can use the check to find out who is in this community."
    )


def sent_message(count: int, handle: str, retention: str, thread_id: str) -> Message:
    """The asker's confirmation that a question is on its way."""
    return Message(
        f"Your question is on its way to {count} peer{'s' if count != 1 else ''} from other "
        "organisations. It reaches them after a short random delay, so its timing points to "
        f"nobody. You are *{handle}* in this thread. Answers arrive in your direct messages; "
        f"`/peer threads` lists your open questions. Everything is deleted {retention} after "
        "you close the thread or it goes quiet.",
        buttons=(Button("Close question", "relay.close", (thread_id,)),),
    )


def no_question_from(number: str) -> str:
    """The refusal of `/peer answer NNNN` when no open question is from Peer NNNN."""
    return f"You have no open question from Peer {number}. `/peer threads` lists yours."


def delivery_outcome(status: str, recipient_handle: str) -> str:
    """What the sender is told about a delivery: sent, queued for a retry, or refused by the guard."""
    if status == "sent":
        return f"Sent to {recipient_handle}."
    if status == "failed":
        return f"{recipient_handle} can't be reached right now; it will be delivered as soon as possible."
    return "It could not be delivered: the privacy guard refused the destination. Nothing was sent."


def written_outcome(outcome: str, sender_handle: str) -> str:
    """The writer's confirmation of an answer or follow-up, with the handle they wrote as."""
    return f"{outcome} You wrote as *{sender_handle}*."


def closed_notice(asker_handle: str, retention: str) -> Message:
    """What each peer who received a question hears when its asker closes it."""
    return Message(
        f"*{asker_handle}* closed their question. Thank you for helping. Everything in "
        f"the thread is deleted in {retention}."
    )


def closed_confirmation(retention: str) -> Message:
    """The asker's confirmation of closing, with when everything goes."""
    return Message(f"Closed. Everything in the thread is deleted in {retention}.")


def asker_thread_line(question: str, handle: str, answers: int) -> str:
    """One of the asker's own questions in `/peer threads`."""
    return f"• Your question “{question}” as *{handle}*: {answers} answer(s)"


def peer_thread_line(question: str, asker_handle: str, handle: str) -> str:
    """A question the caller received, in `/peer threads`."""
    return f"• From *{asker_handle}*: “{question}” (you are *{handle}*)"


def threads_message(lines: Sequence[str], buttons: Sequence[Button]) -> Message:
    """The person's open threads with a button each (sent only to their private view)."""
    return Message("*Your open anonymous question threads*\n" + "\n".join(lines), buttons=tuple(buttons))


def home_section(lines: Sequence[str]) -> str:
    """The home page's relay section: handles and counts, never a question or an answer."""
    return "*Open anonymous question threads*\n" + "\n".join(lines) + "\n`/peer threads` shows them."


def home_asker_line(handle: str, answers: int) -> str:
    """One of the asker's own questions on the home page (no text)."""
    return f"• You asked as *{handle}*: {answers} answer(s)"


def home_peer_line(asker_handle: str, handle: str) -> str:
    """A question the caller received, on the home page (no text)."""
    return f"• A question from *{asker_handle}* (you are *{handle}*)"


def mention(platform: str, user_id: str) -> str:
    """How to reach someone on their platform (Slack and Discord show the mention as their name)."""
    if platform in ("slack", "discord"):
        return f"{Mention(user_id)} on {platform.title()}"
    return f"{user_id} on the {platform}"


def contact_card(display_name: str, organisation: str, platform: str, user_id: str) -> str:
    """What a swap of contact details shows: name, organisation and how to reach them."""
    return f"*{display_name}*, {organisation}: {mention(platform, user_id)}"


def swapped(other_handle: str, card: str) -> Message:
    """What each side sees once both agreed: the other's contact card."""
    return Message(f"You and *{other_handle}* agreed to swap contact details: {card}.")


def reveal_offer(offerer_handle: str, peer_id: str) -> Message:
    """The other side's invitation to swap contact details."""
    return Message(
        f"*{offerer_handle}* offers to swap contact details. If you agree, you both see each other's "
        "name, organisation and handle on this platform; if not, nothing is shared.",
        buttons=(
            Button("Agree to swap", "relay.reveal", (peer_id,), style="primary"),
            Button("No thanks", "relay.reveal.decline", (peer_id,)),
        ),
    )


def offered(other_handle: str) -> Message:
    """The offerer's confirmation that nothing is shared yet."""
    return Message(f"Offered. Nothing is shared unless *{other_handle}* agrees too.")


def declined_notice(decliner_handle: str) -> Message:
    """What the other side hears after a "No thanks"."""
    return Message(f"*{decliner_handle}* prefers not to swap contact details. Nothing was shared.")


def refusals_message(counts: Sequence[tuple[str, str, int]], reports: int) -> Message:
    """Organisers' counts of guard refusals and relay reports (never any content)."""
    lines = [f"• {reason} ({sensitivity}): {count}" for reason, sensitivity, count in counts]
    body = "\n".join(lines) if lines else "• none"
    return Message(
        "*Messages the privacy guard refused to send*, by reason (counts only; the bot never "
        f"keeps their content):\n{body}\n\n*Reports of anonymous-question messages:* {reports}"
    )
