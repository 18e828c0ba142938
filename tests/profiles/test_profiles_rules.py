"""The profile rules without a database or a clock: joining, consent, areas, pause, resume."""

from datetime import date

import pytest

from bot.kernel.errors import UserError
from bot.profiles import rules


@pytest.mark.parametrize("status", [None, "pending"])
def test_the_join_form_opens_for_newcomers_and_waiting_forms(status):
    rules.check_may_open_join_form(status)
    rules.check_may_keep_join_form(status)


@pytest.mark.parametrize("status", ["active", "paused"])
def test_members_are_sent_to_their_profile_instead_of_joining(status):
    with pytest.raises(UserError, match=r"already a member.*`/peer profile`"):
        rules.check_may_open_join_form(status)
    with pytest.raises(UserError, match=r"already a member.*`/peer profile edit`"):
        rules.check_may_keep_join_form(status)


def test_consent_needs_a_waiting_form_and_is_given_once():
    rules.check_may_consent("pending")
    with pytest.raises(UserError, match="no join form waiting"):
        rules.check_may_consent(None)
    with pytest.raises(UserError, match="already joined"):
        rules.check_may_consent("active")


@pytest.mark.parametrize("status", [None, "active", "paused"])
def test_choosing_areas_needs_a_waiting_form(status):
    with pytest.raises(UserError, match="no join form waiting"):
        rules.check_join_form_waiting(status)
    rules.check_join_form_waiting("pending")


def test_only_vocabulary_areas_are_accepted():
    rules.check_areas(())
    rules.check_areas(("health", "housing"))
    with pytest.raises(UserError, match="not integration areas"):
        rules.check_areas(("health", "regulator"))


def test_a_suggestion_is_offered_only_when_it_differs():
    assert not rules.suggestion_differs(("health", "social_care"), ["social_care", "health"])
    assert rules.suggestion_differs(("health", "housing"), ["social_care", "health"])


def test_profile_shows_or_edits_and_refuses_anything_else():
    assert rules.wants_profile_edit(()) is False
    assert rules.wants_profile_edit(("EDIT",)) is True
    with pytest.raises(UserError, match="`/peer profile edit`"):
        rules.wants_profile_edit(("delete",))


def test_the_vector_is_redone_only_for_new_text_or_a_missing_vector():
    assert not rules.needs_new_vector("same text", "same text", has_vector=True)
    assert rules.needs_new_vector("same text", "other text", has_vector=True)
    assert rules.needs_new_vector("same text", "same text", has_vector=False)


@pytest.mark.parametrize(
    ("args", "until"),
    [((), None), (("until", "2026-02-01"), date(2026, 2, 1)), (("2026-02-01",), date(2026, 2, 1))],
)
def test_pause_takes_an_optional_date(args, until):
    assert rules.parse_pause_until(args) == until


@pytest.mark.parametrize("args", [("until",), ("until", "a", "b"), ("soon",)])
def test_pause_explains_its_form_when_typed_wrongly(args):
    with pytest.raises(UserError, match="YYYY-MM-DD"):
        rules.parse_pause_until(args)


def test_a_pause_must_end_in_the_future():
    today = date(2026, 1, 5)
    rules.check_pause_end(None, today)
    rules.check_pause_end(date(2026, 1, 6), today)
    with pytest.raises(UserError, match="2026-01-05 is not in the future"):
        rules.check_pause_end(today, today)


def test_only_paused_members_resume():
    rules.check_may_resume("paused")
    with pytest.raises(UserError, match="not paused"):
        rules.check_may_resume("active")
