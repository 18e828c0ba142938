"""What the relay says about reports: to the reporter, to the person reported, and to organisers.

Organisers' messages carry a report's number, category, day and random reference only: never
a handle, a name, a user id or relay text (the reporter's shared text goes to their DMs alone,
with Sensitivity.RELAY). Messages to the reported person name their own handle, so callers
send them with Sensitivity.RELAY; they never quote the message, nor name or hint at the reporter.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from bot.kernel.messages import Button, Message
from bot.relay.rules import REPORT_CATEGORIES, SUSPEND_DAYS

FIX_REPORT = "Please choose what is wrong with the message."
ALREADY_REPORTED = "You have already reported that message."
REPORTED_PERSON_LEFT = "The sender of that message has left, so there is nobody to suspend."
NOT_LINKED = (
    "That report was made before reports named what they were about, so nobody can be warned "
    "or suspended through it."
)
WHAT = {"question": "question", "answer": "answer", "followup": "follow-up"}
ACTIONS = (
    "`/peer admin report warn N` sends the sender of report N a fixed warning through the relay; "
    f"`/peer admin report suspend N [DAYS]` stops them asking and answering for DAYS days ({SUSPEND_DAYS} "
    "if not given). The relay carries both, so you never learn who they are."
)


def category_label(category: str) -> str:
    """A category as people read it ("identifying someone")."""
    return REPORT_CATEGORIES.get(category, "other")


def when(moment: datetime) -> str:
    """A time for anyone in any time zone, in words ("Monday 12 January 2026 at 09:00 UTC")."""
    return f"{moment:%A %d %B %Y at %H:%M} UTC"


def reported(sender_handle: str, category: str, told: int, shown: bool) -> Message:
    """The reporter's confirmation: what the report does, and what the sender and organisers learn."""
    who = "The organisers were told" if told else "The report was recorded for the organisers"
    shown_text = " and shown the text" if shown and told else ""
    return Message(
        f"Reported as *{category_label(category)}*. {sender_handle} can no longer write to you in "
        "that thread. They are told that their message was reported and why, never by whom. "
        f"{who}{shown_text}."
    )


def action_buttons(number: int) -> tuple[Button, ...]:
    """An organiser's buttons for one report: warn its sender, or suspend them for the usual days."""
    args = (str(number),)
    return (
        Button(f"Warn (report {number})", "admin.report", ("warn", *args)),
        Button(f"Suspend {SUSPEND_DAYS} days (report {number})", "admin.report", ("suspend", *args)),
    )


def report_notice(number: int, category: str, body: str | None) -> Message:
    """What organisers hear about a report: its number and category; the text only if shown to them."""
    notice = (
        f"*Report {number}*: a message in an anonymous question thread in your community was "
        f"reported as *{category_label(category)}*. Its sender can no longer write to the person "
        "who reported it there, and was told why (never by whom). "
        f"{ACTIONS}"
    )
    if body is not None:
        notice += f"\n\nThe reporter chose to show you the reported text:\n\n{body}"
    else:
        notice += "\n\nThe reporter chose not to share the text, so nobody else can see it."
    return Message(notice, buttons=action_buttons(number))


def sender_notice(handle: str, kind: str, category: str, shared: bool) -> Message:
    """What the reported person hears: which message of theirs, why, and what it means for them.

    The message is named by kind and the person's own handle, not quoted: they typed it in a
    form to keep it out of their chat history, and it stays out.
    """
    organisers = (
        "the category and, because the reporter chose to share it, the text of your message"
        if shared
        else "the category only, not what you wrote"
    )
    return Message(
        f"A peer in an anonymous question thread reported your {WHAT.get(kind, 'message')} "
        f"(you are *{handle}* in that thread; `/peer threads` lists it) as "
        f"*{category_label(category)}*.\n\n"
        "What this means: you can no longer write to them in that thread; you can still read it "
        f"and write to anyone else in it. The community's organisers were told {organisers}. "
        "Nobody was told who you are. The organisers may send you a warning through the relay, "
        "or pause your anonymous questions for a while."
    )


def warning(handle: str, category: str) -> Message:
    """The organisers' fixed warning, reaching the reported person through the relay."""
    return Message(
        f"*A warning from your community's organisers.* A message you sent in an anonymous "
        f"question thread (as *{handle}*) was reported as *{category_label(category)}*. Please keep "
        "anonymous questions respectful, on topic and free of anything that identifies anyone. "
        "The organisers do not know who you are: this reached you through the relay. If it "
        "happens again they may pause your anonymous questions."
    )


def suspended_notice(handle: str, category: str, until: datetime) -> Message:
    """What the reported person hears when the organisers suspend them from the relay."""
    return Message(
        f"After a report of a message you sent in an anonymous question thread (as *{handle}*, "
        f"reported as *{category_label(category)}*), your community's organisers have paused your "
        f"anonymous questions until {when(until)}. Until then you cannot ask or answer anonymous "
        "questions; you can still read your threads and close your own. The organisers do not "
        "know who you are: this reached you through the relay."
    )


def suspended_refusal(until: datetime) -> str:
    """The plain refusal a suspended person gets when they try to ask or answer."""
    return (
        f"You cannot ask or answer anonymous questions until {when(until)}: your community's "
        "organisers paused them after a report about a message you sent. You can still read "
        "your threads (`/peer threads`) and close your own questions."
    )


@dataclass(frozen=True)
class ReportLine:
    """One open report as organisers see it: never a person, a handle or any text."""

    number: int
    category: str
    day: datetime
    reference: str | None
    shared: bool
    warned: bool
    suspended_until: datetime | None


def _line(report: ReportLine) -> str:
    parts = [f"*Report {report.number}*", category_label(report.category), f"{report.day:%d %B %Y}"]
    parts.append(f"sender ref. {report.reference}" if report.reference else "made before categories")
    if report.shared:
        parts.append("text shared with you by direct message")
    if report.warned:
        parts.append("warned")
    if report.suspended_until is not None:
        parts.append(f"suspended until {report.suspended_until:%d %B %Y}")
    return "• " + " · ".join(parts)


def reports_message(open_reports: Sequence[ReportLine], closed: Mapping[str, int]) -> Message:
    """Organisers' list: open reports and their buttons, and the counts kept after deletion."""
    lines = [_line(report) for report in open_reports] or ["• none"]
    counted = ", ".join(f"{category_label(c)}: {n}" for c, n in sorted(closed.items()) if n) or "none"
    buttons = [b for r in open_reports if r.reference for b in action_buttons(r.number)][:10]
    return Message(
        "*Reports of anonymous-question messages in threads that still exist* (newest first; "
        "the reference is random and stands for the sender of that one message):\n"
        + "\n".join(lines)
        + f"\n\n*Reports in threads since deleted*, by category (counts only): {counted}\n\n{ACTIONS}",
        buttons=tuple(buttons),
    )


def no_report(number: int) -> str:
    """The refusal when a number names no open report of this community."""
    return (
        f"There is no report {number} in a thread that still exists in this community. "
        "`/peer admin reports` lists them."
    )


def _outcome(status: str) -> str:
    if status == "sent":
        return "It reached them"
    if status == "failed":
        return "It could not reach them right now and goes again shortly"
    return "The privacy guard refused to deliver it"


def warned_reply(number: int, status: str) -> Message:
    """The organiser's confirmation of a warning (who got it, they are never told)."""
    return Message(
        f"Report {number}: the fixed warning went to the sender of the reported message through "
        f"the relay. {_outcome(status)}. You are not told who they are."
    )


def suspended_reply(number: int, until: datetime, status: str) -> Message:
    """The organiser's confirmation of a suspension, with when it ends on its own."""
    return Message(
        f"Report {number}: the sender of the reported message cannot ask or answer anonymous "
        f"questions until {when(until)}; it ends on its own then. They were told through the "
        f"relay ({_outcome(status).lower()}). You are not told who they are."
    )
