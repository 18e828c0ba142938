"""The community settings rules, without a database: roles, typed ids, schedules, updates."""

from __future__ import annotations

import pytest

from bot.community.rules import (
    CommunitySettings,
    may_set_up,
    needs_join_post,
    parse_cron,
    parse_participant_role,
    parse_snowflake,
    roles_grant,
    settings_after,
)

SERVER = "100000000000000001"
ROLE, OTHER, ADMIN = "200000000000000002", "200000000000000003", "200000000000000004"


def test_no_participant_role_lets_everyone_join_and_nobody_is_admin_by_role():
    facts = roles_grant(CommunitySettings(SERVER), {OTHER})
    assert (facts.may_join, facts.is_admin) == (True, False)


def test_a_participant_role_limits_joining_and_the_admin_role_grants_both():
    settings = CommunitySettings(SERVER, participant_role_id=ROLE, admin_role_id=ADMIN)
    assert roles_grant(settings, {OTHER}).may_join is False
    assert roles_grant(settings, {ROLE}).may_join is True
    admin = roles_grant(settings, {ADMIN})
    assert (admin.may_join, admin.is_admin) == (True, True)


@pytest.mark.parametrize("typed", [ROLE, f"<@&{ROLE}>", f"  {ROLE} "])
def test_a_role_may_be_pasted_as_an_id_or_a_mention(typed):
    assert parse_snowflake(typed, "role", allow_empty=False) == ROLE


def test_a_channel_mention_gives_its_id_and_nonsense_says_what_to_do():
    assert parse_snowflake(f"<#{OTHER}>", "channel", allow_empty=True) == OTHER
    assert parse_snowflake("", "channel", allow_empty=True) is None
    with pytest.raises(ValueError, match="is not a channel: pick one, paste its id or mention it"):
        parse_snowflake("general", "channel", allow_empty=True)


def test_everyone_means_no_participant_role():
    assert parse_participant_role("everyone") is None
    assert parse_participant_role("@everyone") is None
    assert parse_participant_role(ROLE) == ROLE


def test_a_schedule_needs_five_fields_the_scheduler_accepts():
    assert parse_cron("0  9 * * mon", "Europe/London") == "0 9 * * mon"
    assert parse_cron("", "Europe/London") is None
    with pytest.raises(ValueError, match="five cron fields"):
        parse_cron("0 9 * *", "Europe/London")
    with pytest.raises(ValueError, match="not a schedule the bot understands"):
        parse_cron("0 25 * * mon", "Europe/London")


def test_submitted_values_replace_only_what_was_sent():
    current = CommunitySettings(SERVER, ROLE, OTHER, "300000000000000005", ADMIN, "0 9 * * mon")
    updated = settings_after(current, {"round_cron": None})
    assert updated == CommunitySettings(SERVER, ROLE, OTHER, "300000000000000005", ADMIN, None)
    assert not needs_join_post(updated)


def test_a_new_opt_in_channel_forgets_the_old_join_post():
    current = CommunitySettings(SERVER, optin_channel_id=OTHER, join_message_id="300000000000000005")
    updated = settings_after(current, {"optin_channel": ROLE})
    assert updated.join_message_id is None
    assert needs_join_post(updated)
    assert not needs_join_post(settings_after(current, {"optin_channel": None}))


def test_only_discord_servers_keep_their_settings_in_the_chat():
    assert may_set_up("discord")
    assert not may_set_up("slack") and not may_set_up("console")
