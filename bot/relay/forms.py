"""The relay's forms: questions, answers and follow-ups are typed into forms, never into chat,
so they stay out of the platform's message history."""

from __future__ import annotations

from bot.kernel.messages import Field, Form
from bot.relay.rules import REPORT_CATEGORIES
from matching.vocabulary import ORG_TYPES, REGIONS

QUESTION_MIN, QUESTION_MAX = 20, 2000
ANSWER_MIN, ANSWER_MAX = 2, 3000

CATEGORY_FIELD = Field(
    "category",
    "What is wrong with it?",
    kind="choice",
    choices={key: label.capitalize() for key, label in REPORT_CATEGORIES.items()},
    hint="The sender and the organisers see this category, never who reported.",
)
INCLUDE_FIELD = Field(
    "include_text",
    "Show the reported text to the community organisers?",
    kind="yes_no",
    initial="no",
    hint="If not, they only learn the category.",
)


def ask_form(
    org_type: str, region: str, draft_id: str | None = None, question: str = "", shares: tuple = ()
) -> Form:
    """The question form: the question, and which coarse facts about the asker peers may see."""
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
                f"Tell peers your organisation type ({ORG_TYPES.get(org_type, 'other')})?",
                kind="yes_no",
                initial="yes" if "org_type" in shares else "no",
            ),
            Field(
                "share_region",
                f"Tell peers your region ({REGIONS.get(region, '')})?",
                kind="yes_no",
                initial="yes" if "region" in shares else "no",
            ),
        ),
        submit_command="ask.submit",
        args=(draft_id,) if draft_id else (),
        submit_label="Check and send",
    )


def answer_form(asker_handle: str, peer_id: str, answer: str = "", draft_id: str | None = None) -> Form:
    """A peer's answer, sent under their handle for this question (again with a held draft's text)."""
    return Form(
        title=f"Answer {asker_handle}",
        intro="Your answer goes to the asker under your handle for this question, never your name.",
        fields=(
            Field(
                "answer",
                "Your answer",
                kind="long_text",
                min_length=ANSWER_MIN,
                max_length=ANSWER_MAX,
                initial=answer,
            ),
        ),
        submit_command="relay.answer.submit",
        args=(peer_id, draft_id) if draft_id else (peer_id,),
        submit_label="Send answer",
    )


def followup_form(peer_handle: str, message_id: str, followup: str = "", draft_id: str | None = None) -> Form:
    """The asker's reply to one answer (again with a held draft's text)."""
    return Form(
        title=f"Follow-up to {peer_handle}",
        fields=(
            Field(
                "followup",
                "Your follow-up",
                kind="long_text",
                min_length=ANSWER_MIN,
                max_length=ANSWER_MAX,
                initial=followup,
            ),
        ),
        submit_command="relay.followup.submit",
        args=(message_id, draft_id) if draft_id else (message_id,),
        submit_label="Send",
    )


def report_form(message_id: str) -> Form:
    """Reporting a message: why (one category, never free text), and whether organisers see it."""
    return Form(
        title="Report this message",
        intro="The sender will no longer be able to write to you in this thread. They and the "
        "community organisers are told the category you choose, never who reported.",
        fields=(CATEGORY_FIELD, INCLUDE_FIELD),
        submit_command="relay.report.submit",
        args=(message_id,),
        submit_label="Report",
    )


def report_choice_form() -> Form:
    """Just the report's fields, to read a submitted report."""
    return Form("", (CATEGORY_FIELD, INCLUDE_FIELD), "")
