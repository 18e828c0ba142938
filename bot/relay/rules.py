"""The relay's domain rules as pure functions: who may do what in a thread, and when.

Nothing here reads the database or the clock (callers pass `now` and what they loaded), so
each rule is tested on its own in tests/relay/test_relay_rules.py. A refusal is a
UserError whose text is shown to the person as it is.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from bot.kernel.config import Config
from bot.kernel.errors import UserError
from matching.vocabulary import ORG_TYPES, REGIONS

ASK_WINDOW = timedelta(days=1)
CHECK_WINDOW = timedelta(hours=1)
SHARED_FACTS = ("org_type", "region")
NOT_YOURS = "That isn't one of your question threads, or it has been deleted."


# --- asking --------------------------------------------------------------------------------


def ask_window_start(now: datetime) -> datetime:
    """Questions sent after this moment count towards the daily limit."""
    return now - ASK_WINDOW


def next_ask_allowed(sent: Sequence[datetime], per_day: int) -> datetime | None:
    """None when another question may go now, else when it may (`sent`: this window's, oldest first)."""
    return next_allowed(sent, per_day, ASK_WINDOW)


def next_allowed(done: Sequence[datetime], limit: int, window: timedelta) -> datetime | None:
    """None when one more may happen now, else when it may (`done`: this window's, oldest first)."""
    if len(done) < limit:
        return None
    return done[len(done) - limit] + window


def recent(times: Sequence[datetime], now: datetime, window: timedelta) -> list[datetime]:
    """The times still inside the window ending now, oldest first."""
    return sorted(t for t in times if t > now - window)


def sent_kind(role: str) -> str:
    """What a held draft in a thread becomes when sent: a peer's is an answer, the asker's a follow-up."""
    return "answer" if role == "peer" else "followup"


def shared_context(org_type: str, region: str, share_org_type: bool, share_region: bool) -> dict[str, Any]:
    """The coarse facts about the asker that peers may see: only those the asker chose to share."""
    return {
        "org_type": ORG_TYPES.get(org_type) if share_org_type else None,
        "region": REGIONS.get(region) if share_region else None,
    }


def shares_of(context: Mapping[str, Any]) -> tuple[str, ...]:
    """Which facts a stored context shares, to pre-fill the question form again."""
    return tuple(k for k in SHARED_FACTS if context.get(k))


def check_draft(role: str, status: str, refusal: str) -> None:
    """Only the asker may change or send a question, and only while it is still a draft."""
    if role != "asker" or status != "draft":
        raise UserError(refusal)


# --- who reaches whom ----------------------------------------------------------------------


def community_scope(config: Config, platform: str, community: str) -> set[str]:
    """The community keys ("slack:T0123") whose members may answer: this one and its federations."""
    own = f"{platform}:{community}"
    scope = {own}
    for members in config.matching.federations.values():
        if own in members:
            scope.update(members)
    return scope


def question_deliverable(thread_status: str, asker_blocked: bool) -> bool:
    """A delayed question still goes out only while its thread is open and its asker not blocked."""
    return thread_status == "open" and not asker_blocked


def peer_reachable(profile_status: str | None) -> bool:
    """A question never reaches a peer who has left or paused."""
    return profile_status == "active"


def is_listed(thread_status: str, delivered: bool) -> bool:
    """Whether a thread shows in the person's lists: open, and (for a peer) delivered to them."""
    return thread_status == "open" and delivered


def received_by(
    parties: Iterable[tuple[str, str, bool]], sender_id: str, recipient_id: str | None
) -> str | None:
    """Which of the caller's parties (id, role, is the caller's) received a message, if any.

    An answer, follow-up or thanks names its recipient; the question itself went to every peer.
    """
    for party_id, role, mine in parties:
        if not mine or party_id == sender_id:
            continue
        if recipient_id == party_id or (recipient_id is None and role == "peer"):
            return party_id
    return None


# --- writing in a thread -------------------------------------------------------------------


def check_can_answer(role: str, delivered: bool) -> None:
    """Only the peers a question reached can answer it."""
    if role != "peer" or not delivered:
        raise UserError("Only the peers a question was sent to can answer it.")


def check_can_write(thread_status: str, blocked: bool) -> None:
    """Nothing more is sent in a closed thread, nor by someone who was reported and blocked."""
    if thread_status != "open":
        raise UserError("That question has been closed, so nothing more can be sent in it.")
    check_not_blocked(blocked)


def check_not_blocked(blocked: bool) -> None:
    """A reported sender can no longer write in the thread."""
    if blocked:
        raise UserError("You can no longer send messages in that thread.")


def check_reply_to_answer(message_kind: str, role: str) -> None:
    """Follow-ups and thanks go only from the asker, in reply to an answer."""
    if message_kind != "answer" or role != "asker":
        raise UserError("You can only do that with an answer to your own question.")


def check_can_close(role: str, thread_status: str) -> None:
    """Only the asker closes a question, once."""
    if role != "asker":
        raise UserError("Only the person who asked can close a question.")
    if thread_status == "closed":
        raise UserError("That question is already closed.")


def handle_number(args: Sequence[str]) -> str:
    """The NNNN of `/peer answer NNNN` (or `#NNNN`), or a UserError saying how to type it."""
    number = args[0].removeprefix("#") if len(args) == 1 else ""
    if not number.isdigit():
        raise UserError(
            "Use `/peer answer NNNN` with the number of the asker's handle, e.g. `/peer answer 4821`."
        )
    return number


# --- reports -------------------------------------------------------------------------------


def organiser_ids(config: Config, platform: str, community: str) -> tuple[str, ...]:
    """Who hears about reports: the community's listed admins (the console's user in the console)."""
    if platform == "console":
        return (config.console.user,) if config.console.admin else ()
    return tuple(getattr(config.admins, platform, {}).get(community, ()))


# Why a message was reported: a category only, never free text, so what organisers see and what
# stays after a purge (a count per category) can say nothing about the message.
REPORT_CATEGORIES = {
    "abusive": "abusive",
    "identifying": "identifying someone",
    "off_topic": "off-topic",
    "other": "other",
}
REPORTABLE = ("question", "answer", "followup")
SUSPEND_DAYS, SUSPEND_DAYS_MAX = 7, 90
REPORT_ACTION_USAGE = (
    "Use `/peer admin report warn N` or `/peer admin report suspend N [DAYS]`, with the number "
    "`/peer admin reports` shows (DAYS: 1 to 90, 7 if not given)."
)


def check_reportable(kind: str) -> None:
    """Only a question, answer or follow-up someone received can be reported."""
    if kind not in REPORTABLE:
        raise UserError("That isn't a message you received.")


def report_day(now: datetime) -> datetime:
    """When a report is recorded as made: its day only, since the moment would date the message."""
    return now.replace(hour=0, minute=0, second=0, microsecond=0)


def report_action(args: Sequence[str]) -> tuple[str, int, int]:
    """(action, report number, days) from `warn N` or `suspend N [DAYS]`; a UserError saying how."""
    words = [word.casefold() for word in args]
    if len(words) not in (2, 3) or words[0] not in ("warn", "suspend") or not words[1].isdigit():
        raise UserError(REPORT_ACTION_USAGE)
    if words[0] == "warn" and len(words) == 3:
        raise UserError(REPORT_ACTION_USAGE)
    days = words[2] if len(words) == 3 else str(SUSPEND_DAYS)
    if not days.isdigit() or not 1 <= int(days) <= SUSPEND_DAYS_MAX:
        raise UserError(REPORT_ACTION_USAGE)
    return words[0], int(words[1]), int(days)


def suspension_end(now: datetime, days: int, current: datetime | None) -> datetime:
    """When a suspension ends: `days` from now, never earlier than one already running."""
    end = now + timedelta(days=days)
    return max(end, current) if current is not None else end


def is_suspended(ends: Iterable[datetime], now: datetime) -> datetime | None:
    """The latest end of the suspensions still running, or None: a suspension ends on its own."""
    running = [end for end in ends if end > now]
    return max(running) if running else None
