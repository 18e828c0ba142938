"""The privacy notice people consent to when they join; its version is stored with consent."""

from __future__ import annotations

from bot.kernel.config import Config
from bot.kernel.durations import describe_duration

PRIVACY_NOTICE_VERSION = 1


def privacy_notice(config: Config) -> str:
    """Plain words on what is stored, for how long, and who can see it."""
    retention = describe_duration(config.relay.retention)
    return (
        "*Before you join: what we keep and who sees it*\n"
        "• *What is stored:* the profile you just filled in, who you were matched with, your "
        "check-in dates and answers, and when you agreed to this notice.\n"
        "• *Who can see it:* peers you are matched with see your name, organisation, role, "
        "region, stage and challenge. Community organisers see participation counts, never "
        "what you write in check-in notes or anonymous questions. Nothing is shared with "
        "central government or regulators, and the bot refuses to post in their spaces.\n"
        "• *Anonymous questions* are stored encrypted and deleted "
        f"{retention} after the thread closes or goes quiet.\n"
        "• *How long:* your profile is kept while you take part. `/peer mydata` shows "
        "everything stored about you; `/peer leave` erases it.\n"
        f"• *Questions about your data:* {config.bot.privacy_contact}."
    )
