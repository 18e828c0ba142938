"""The check-in rules on their own: no database, no clock (each test passes `now`)."""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

import pytest

from bot.checkins import rules
from bot.kernel.config import parse_config
from bot.kernel.errors import UserError

LONDON = "Europe/London"
SETTINGS = parse_config({}, {}, "t").checkins


def utc(*parts) -> datetime:
    return datetime(*parts, tzinfo=UTC)


def test_cadence_and_zone_follow_the_majority_with_gentle_tie_breaks():
    assert rules.agreed_cadence(["weekly", "weekly", "monthly"]) == "weekly"
    assert rules.agreed_cadence(["weekly", "fortnightly"]) == "fortnightly"
    assert rules.agreed_cadence(["daily", "hourly"]) == "fortnightly"  # unknown wishes are ignored
    assert rules.group_timezone(["Asia/Tokyo", "Europe/Paris", "Europe/Paris"]) == "Europe/Paris"
    assert rules.group_timezone([]) == LONDON


def test_the_first_check_in_lands_at_checkin_time_a_whole_number_of_days_later():
    winter = rules.first_checkin_moment(utc(2026, 1, 5, 23, 30), SETTINGS, LONDON)
    assert winter == utc(2026, 1, 12, 10, 0)  # a week after Monday 5th, 10:00 GMT
    tokyo = rules.first_checkin_moment(utc(2026, 1, 5, 23, 30), SETTINGS, "Asia/Tokyo")
    assert tokyo == utc(2026, 1, 13, 1, 0)  # 23:30 UTC is already Tuesday in Tokyo: 10:00 JST


def test_the_next_check_in_keeps_its_wall_clock_time_and_lies_ahead():
    previous = utc(2026, 10, 19, 9, 0)  # 10:00 BST
    assert rules.next_checkin_moment(previous, "weekly", LONDON, previous) == utc(2026, 10, 26, 10, 0)
    assert rules.next_checkin_moment(previous, "monthly", LONDON, previous) == utc(2026, 11, 16, 10, 0)
    # Long after (a follow-up closed late): cadence steps are skipped until one is in the future.
    late = utc(2026, 11, 3, 12, 0)
    assert rules.next_checkin_moment(previous, "weekly", LONDON, late) == utc(2026, 11, 9, 10, 0)


def test_a_group_goes_on_only_while_two_remain_and_nobody_moved_to_a_newer_group():
    assert rules.group_goes_on(2, in_newer_group=False)
    assert not rules.group_goes_on(1, in_newer_group=False)
    assert not rules.group_goes_on(3, in_newer_group=True)


def test_the_timeline_reminds_before_asks_after_and_closes_after_the_window():
    now = utc(2026, 1, 5, 9, 0)
    timeline = rules.checkin_timeline(utc(2026, 1, 12, 10, 0), SETTINGS, now)
    assert timeline.remind_at == utc(2026, 1, 11, 10, 0)
    assert timeline.followup_at == utc(2026, 1, 12, 12, 0)
    assert timeline.close_at == utc(2026, 1, 15, 12, 0)
    soon = rules.checkin_timeline(now + timedelta(hours=3), SETTINGS, now)
    assert soon.remind_at == now  # too late for 24 hours ahead: remind at once
    assert rules.checkin_timeline(now - timedelta(minutes=1), SETTINGS, now).remind_at is None


def test_a_check_in_may_be_moved_ahead_within_ninety_days_in_the_persons_own_zone():
    now = utc(2026, 1, 5, 9, 0)
    assert rules.reschedule_moment(date(2026, 1, 14), time(15, 30), "Asia/Tokyo", now) == utc(
        2026, 1, 14, 6, 30
    )
    with pytest.raises(UserError, match="has already passed"):
        rules.reschedule_moment(date(2026, 1, 5), time(9, 0), LONDON, now)
    # 90 days on is 5 April 09:00 UTC, 10:00 in London (summer time by then): allowed, a minute more not.
    assert rules.reschedule_moment(date(2026, 4, 5), time(10, 0), LONDON, now) == utc(2026, 4, 5, 9, 0)
    with pytest.raises(UserError, match="within the next 90 days"):
        rules.reschedule_moment(date(2026, 4, 5), time(10, 1), LONDON, now)


def test_only_a_check_in_still_to_come_may_be_skipped_and_a_skipped_one_not_answered():
    now = utc(2026, 1, 5, 9, 0)
    assert rules.may_skip("scheduled", now + timedelta(seconds=1), now)
    assert not rules.may_skip("scheduled", now, now)
    assert not rules.may_skip("skipped", now + timedelta(days=1), now)
    assert not rules.may_skip("done", now + timedelta(days=1), now)
    assert rules.may_answer("done") and rules.may_answer("scheduled") and not rules.may_answer("skipped")


def test_cadence_changes_must_name_a_known_and_different_cadence():
    assert rules.chosen_cadence("Weekly") == "weekly"
    with pytest.raises(UserError, match="Choose one of"):
        rules.chosen_cadence("daily")
    with pytest.raises(UserError, match="already meet monthly"):
        rules.refuse_unchanged_cadence("monthly", "monthly")
    rules.refuse_unchanged_cadence("weekly", "monthly")


def test_the_rounds_outcome_is_met_at_once_and_not_met_only_when_the_window_closes_without_a_met():
    assert rules.outcome_after_answer(None, "met") == "met"
    assert rules.outcome_after_answer(None, "not_yet") is None
    assert rules.outcome_after_answer("met", "couldnt") == "met"
    assert rules.outcome_after_followup(None, ["not_yet", "couldnt"]) == "not_met"
    assert rules.outcome_after_followup(None, ["couldnt", "met"]) is None
    assert rules.outcome_after_followup(None, []) is None  # nobody said: unknown, not "not met"
    assert rules.outcome_after_followup("met", ["couldnt"]) == "met"


def test_silence_is_counted_from_the_newest_group_and_pauses_every_nth_time():
    assert rules.silent_run([9, 7, 5, 3], answered={5}) == 2
    assert rules.silent_run([9, 7], answered=set()) == 2
    assert rules.silent_run([9], answered={9}) == 0
    assert [n for n in range(8) if rules.pauses_now(n, 3)] == [3, 6]


def test_continuing_together_is_offered_to_everyone_only_when_all_rated_four_or_five():
    assert rules.continue_offer_recipients([1, 2], [5, 4]) == [1, 2]
    assert rules.continue_offer_recipients([1, 2], [5, 3]) == []
    assert rules.continue_offer_recipients([1, 2], [5, None]) == []
    assert rules.continue_offer_recipients([1, 2, 3], [5, 5]) == []  # the third has not rated yet


@dataclass
class FakeCheckin:
    group_id: int
    sequence: int


def test_a_continue_choice_is_recorded_on_the_groups_latest_check_in():
    soonest_first = [FakeCheckin(1, 1), FakeCheckin(2, 1), FakeCheckin(1, 2)]
    assert rules.latest_checkin_of_group(soonest_first, 1) == FakeCheckin(1, 2)
    assert rules.latest_checkin_of_group(soonest_first, 3) is None
