"""Pure time rules: quiet hours, the Europe/London clock changes, cadence, round weeks, .ics."""

from datetime import UTC, date, datetime, time, timedelta

from bot.checkins.ics import calendar_event
from bot.checkins.rules import agreed_cadence, first_checkin_moment, group_timezone
from bot.kernel.config import parse_config
from bot.kernel.quiet_hours import add_local_days, is_allowed, local_to_utc, next_allowed
from bot.rounds.schedule import fire_times, is_matching_week

LONDON = "Europe/London"
QUIET = (time(18, 0), time(8, 0))


def utc(*parts) -> datetime:
    return datetime(*parts, tzinfo=UTC)


def test_inside_the_day_a_message_goes_at_once():
    moment = utc(2026, 1, 14, 12, 0)
    assert next_allowed(moment, LONDON, *QUIET) == moment


def test_evening_and_early_morning_wait_for_eight_local():
    assert next_allowed(utc(2026, 1, 14, 18, 0), LONDON, *QUIET) == utc(2026, 1, 15, 8, 0)
    assert next_allowed(utc(2026, 1, 15, 7, 59), LONDON, *QUIET) == utc(2026, 1, 15, 8, 0)
    # Summer: 08:00 BST is 07:00 UTC.
    assert next_allowed(utc(2026, 7, 1, 20, 0), LONDON, *QUIET) == utc(2026, 7, 2, 7, 0)


def test_quiet_hours_are_the_persons_own():
    # 12:00 UTC is 21:00 in Tokyo: held to 08:00 Tokyo (23:00 UTC).
    assert next_allowed(utc(2026, 1, 14, 12, 0), "Asia/Tokyo", *QUIET) == utc(2026, 1, 14, 23, 0)


def test_clocks_going_forward_last_sunday_of_march():
    # Saturday 28 March 2026 22:00 GMT → Sunday 29 March 08:00 BST = 07:00 UTC.
    assert next_allowed(utc(2026, 3, 28, 22, 0), LONDON, *QUIET) == utc(2026, 3, 29, 7, 0)


def test_clocks_going_back_last_sunday_of_october():
    # Saturday 24 October 2026 19:00 UTC (20:00 BST) → Sunday 25 October 08:00 GMT = 08:00 UTC.
    assert next_allowed(utc(2026, 10, 24, 19, 0), LONDON, *QUIET) == utc(2026, 10, 25, 8, 0)
    # 07:30 UTC that Sunday is 07:30 GMT: still quiet (an hour later than the day before).
    assert next_allowed(utc(2026, 10, 25, 7, 30), LONDON, *QUIET) == utc(2026, 10, 25, 8, 0)


def test_a_local_time_in_the_skipped_hour_lands_after_the_jump():
    # 01:30 on 29 March 2026 does not exist in London; it means 02:30 BST (01:30 UTC).
    moment = local_to_utc(date(2026, 3, 29), time(1, 30), LONDON)
    assert moment == utc(2026, 3, 29, 1, 30)
    assert moment.astimezone(__import__("zoneinfo").ZoneInfo(LONDON)).hour == 2


def test_a_repeated_local_time_means_its_first_occurrence():
    # 01:30 on 25 October 2026 happens twice; the first is 01:30 BST = 00:30 UTC.
    assert local_to_utc(date(2026, 10, 25), time(1, 30), LONDON) == utc(2026, 10, 25, 0, 30)


def test_weekly_check_ins_keep_their_wall_clock_time_across_both_changes():
    before_october = local_to_utc(date(2026, 10, 19), time(10, 0), LONDON)
    assert before_october == utc(2026, 10, 19, 9, 0)
    assert add_local_days(before_october, 7, LONDON) == utc(2026, 10, 26, 10, 0)
    before_march = local_to_utc(date(2026, 3, 23), time(10, 0), LONDON)
    assert add_local_days(before_march, 7, LONDON) == utc(2026, 3, 30, 9, 0)


def test_quiet_hours_can_be_switched_off_or_sit_inside_the_day():
    assert is_allowed(time(3, 0), time(0, 0), time(0, 0))
    assert not is_allowed(time(12, 30), time(12, 0), time(13, 0))
    assert next_allowed(utc(2026, 1, 14, 12, 30), LONDON, time(12, 0), time(13, 0)) == utc(2026, 1, 14, 13, 0)


def test_agreed_cadence_is_the_most_asked_for_and_ties_go_to_the_less_frequent():
    assert agreed_cadence(["weekly", "weekly", "monthly"]) == "weekly"
    assert agreed_cadence(["weekly", "fortnightly"]) == "fortnightly"
    assert agreed_cadence(["monthly", "weekly"]) == "monthly"
    assert agreed_cadence([]) == "fortnightly"
    assert group_timezone(["Europe/Paris", "Europe/London", "Europe/London"]) == "Europe/London"
    assert group_timezone(["Europe/Paris", "Europe/London"]) == "Europe/Paris"


def test_fortnightly_rounds_keep_their_rhythm_over_a_53_week_year():
    mondays = [date(2026, 12, 21) + timedelta(weeks=n) for n in range(6)]
    running = [d for d in mondays if is_matching_week(d, 2)]
    assert [(b - a).days for a, b in zip(running, running[1:], strict=False)] == [14, 14]


def test_cron_fire_times_follow_the_schedules_time_zone():
    fires = list(fire_times("0 9 * * mon", LONDON, utc(2026, 3, 20), utc(2026, 4, 1)))
    assert fires == [utc(2026, 3, 23, 9, 0), utc(2026, 3, 30, 8, 0)]


def test_calendar_file_is_a_valid_single_event_in_utc():
    data = calendar_event(
        uid="peerbot-checkin-7@peerbot",
        start=utc(2026, 1, 12, 10, 0),
        duration=timedelta(minutes=30),
        summary="Peer check-in with Bob, Carol; and a very long name that needs folding across lines",
        description="Line one\nline two",
        stamp=utc(2026, 1, 5, 9, 0),
        sequence=2,
    )
    text = data.decode()
    assert text.endswith("\r\n") and "\n" not in text.replace("\r\n", "")
    assert all(len(line.encode()) <= 75 for line in text.split("\r\n"))
    unfolded = text.replace("\r\n ", "")
    lines = unfolded.split("\r\n")
    assert lines[0] == "BEGIN:VCALENDAR" and lines[-2] == "END:VCALENDAR"
    for expected in (
        "UID:peerbot-checkin-7@peerbot",
        "DTSTAMP:20260105T090000Z",
        "DTSTART:20260112T100000Z",
        "DTEND:20260112T103000Z",
        "SEQUENCE:2",
        "DESCRIPTION:Line one\\nline two",
    ):
        assert expected in lines
    assert (
        "SUMMARY:Peer check-in with Bob\\, Carol\\; and a very long name that needs folding across lines"
        in lines
    )


def test_first_checkin_in_whole_days_lands_at_checkin_time_and_a_short_rehearsal_delay_lands_exactly():
    introduced = utc(2026, 7, 1, 13, 17, 5)
    days = parse_config({"checkins": {"first_checkin_after": "7d", "checkin_time": "10:00"}}, {}, "t")
    assert first_checkin_moment(introduced, days.checkins, LONDON) == utc(2026, 7, 8, 9, 0)  # 10:00 BST
    minutes = parse_config({"checkins": {"first_checkin_after": "2m"}}, {}, "t")
    assert first_checkin_moment(introduced, minutes.checkins, LONDON) == introduced + timedelta(minutes=2)
