"""The relay's pure rules (bot/relay/rules.py and bot/relay/handshake.py), without a database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.kernel.config import parse_config
from bot.kernel.errors import UserError
from bot.relay.handshake import Handshake, caller_side, shown_to
from bot.relay.rules import (
    ask_window_start,
    check_can_answer,
    check_can_close,
    check_can_write,
    check_draft,
    check_reply_to_answer,
    community_scope,
    handle_number,
    is_listed,
    is_suspended,
    next_ask_allowed,
    organiser_ids,
    peer_reachable,
    question_deliverable,
    received_by,
    report_action,
    report_day,
    shared_context,
    shares_of,
    suspension_end,
)

NOW = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)


# --- the reveal handshake ------------------------------------------------------------------


def offer(state: Handshake, by: str, blocked: bool = False, delivered: bool = True) -> Handshake:
    return state.offer(by, "Peer 1234", blocked=blocked, delivered=delivered)


@pytest.mark.parametrize("first, second", [("asker", "peer"), ("peer", "asker")])
def test_either_side_may_offer_first_and_the_second_offer_reveals(first, second):
    offered = offer(Handshake(), first)
    assert not offered.revealed
    assert (offered.asker_offers, offered.peer_offers) == (first == "asker", first == "peer")
    agreed = offer(offered, second)
    assert agreed == Handshake(True, True, revealed=True)


def test_offering_twice_from_one_side_reveals_nothing():
    once = offer(Handshake(), "asker")
    assert offer(once, "asker") == once


def test_a_swap_happens_once():
    with pytest.raises(UserError, match="You and Peer 1234 have already swapped"):
        offer(Handshake(True, True, True), "peer")


@pytest.mark.parametrize("blocked, delivered", [(True, True), (False, False)])
def test_no_swap_when_blocked_or_the_question_never_arrived(blocked, delivered):
    with pytest.raises(UserError, match="can't be swapped in that thread"):
        offer(Handshake(), "peer", blocked=blocked, delivered=delivered)


def test_no_thanks_clears_both_offers_but_cannot_undo_a_swap():
    assert Handshake(True, False).decline() == Handshake()
    assert Handshake(False, True).decline() == Handshake()
    with pytest.raises(UserError, match="already swapped"):
        Handshake(True, True, True).decline()


def test_cards_are_shown_only_after_both_agreed_and_only_to_members():
    with pytest.raises(ValueError):
        shown_to(Handshake(True, False), "*Bob*")
    assert shown_to(Handshake(True, True, True), "*Bob*") == "*Bob*"
    with pytest.raises(UserError, match="no longer a member"):
        shown_to(Handshake(True, True, True), None)


def test_the_caller_is_the_peer_or_the_asker_or_nobody():
    assert caller_side(True, False) == "peer"
    assert caller_side(False, True) == "asker"
    with pytest.raises(UserError, match="isn't one of your question threads"):
        caller_side(False, False)


# --- asking --------------------------------------------------------------------------------


def test_ask_limit_counts_the_last_day():
    assert ask_window_start(NOW) == NOW - timedelta(days=1)
    sent = [NOW - timedelta(hours=h) for h in (20, 10, 2)]
    assert next_ask_allowed(sent[1:], 3) is None
    assert next_ask_allowed(sent, 3) == sent[0] + timedelta(days=1)
    assert next_ask_allowed(sent, 2) == sent[1] + timedelta(days=1)


def test_with_one_a_day_the_next_is_a_day_after_the_last():
    assert next_ask_allowed([NOW], 1) == NOW + timedelta(days=1)


def test_only_the_facts_the_asker_chose_are_shared():
    assert shared_context("council", "london", False, False) == {"org_type": None, "region": None}
    shared = shared_context("council", "london", True, False)
    assert shared["org_type"] and shared["region"] is None
    assert shares_of(shared) == ("org_type",)
    assert shares_of(shared_context("council", "london", True, True)) == ("org_type", "region")


def test_only_the_asker_changes_a_draft():
    check_draft("asker", "draft", "no")
    for role, status in (("peer", "draft"), ("asker", "open"), ("asker", "closed")):
        with pytest.raises(UserError, match="^no$"):
            check_draft(role, status, "no")


@pytest.mark.parametrize("typed, number", [(("4821",), "4821"), (("#4821",), "4821")])
def test_typed_handle_numbers(typed, number):
    assert handle_number(typed) == number


@pytest.mark.parametrize("typed", [(), ("Peer",), ("48a1",), ("1", "2")])
def test_typed_handle_numbers_refused(typed):
    with pytest.raises(UserError, match="/peer answer NNNN"):
        handle_number(typed)


# --- who reaches whom ----------------------------------------------------------------------


def test_community_scope_includes_federations():
    config = parse_config({"matching": {"federations": {"north": ["slack:T1", "discord:G2"]}}}, {}, "tests")
    assert community_scope(config, "slack", "T1") == {"slack:T1", "discord:G2"}
    assert community_scope(config, "slack", "T9") == {"slack:T9"}


def test_delivery_and_listing_rules():
    assert question_deliverable("open", False)
    assert not question_deliverable("closed", False) and not question_deliverable("open", True)
    assert peer_reachable("active")
    assert not peer_reachable("paused") and not peer_reachable(None)
    assert is_listed("open", True)
    assert not is_listed("open", False) and not is_listed("draft", True)


def test_a_message_is_received_by_its_recipient_or_for_a_question_by_the_peers():
    mine = [("asker1", "asker", True), ("peer1", "peer", True), ("peer2", "peer", False)]
    assert received_by(mine, "peer1", "asker1") == "asker1"
    assert received_by(mine, "asker1", None) == "peer1", "the question went to every peer"
    assert received_by(mine, "asker1", "peer2") is None, "not the caller's party"
    assert received_by([("asker1", "asker", True)], "asker1", None) is None, "never one's own message"


def test_who_may_write():
    check_can_answer("peer", True)
    for role, delivered in (("asker", True), ("peer", False)):
        with pytest.raises(UserError, match="Only the peers"):
            check_can_answer(role, delivered)
    check_can_write("open", False)
    with pytest.raises(UserError, match="has been closed"):
        check_can_write("closed", False)
    with pytest.raises(UserError, match="no longer send"):
        check_can_write("open", True)
    check_reply_to_answer("answer", "asker")
    for kind, role in (("question", "asker"), ("answer", "peer")):
        with pytest.raises(UserError, match="answer to your own question"):
            check_reply_to_answer(kind, role)
    check_can_close("asker", "open")
    with pytest.raises(UserError, match="Only the person who asked"):
        check_can_close("peer", "open")
    with pytest.raises(UserError, match="already closed"):
        check_can_close("asker", "closed")


def test_organisers_are_the_listed_admins():
    config = parse_config({"console": {"user": "org", "admin": True}}, {}, "tests")
    assert organiser_ids(config, "console", "local") == ("org",)
    assert organiser_ids(config, "slack", "T1") == ()


def test_report_actions_are_warn_or_suspend_with_a_number_and_bounded_days():
    assert report_action(("warn", "3")) == ("warn", 3, 7)
    assert report_action(("Suspend", "12")) == ("suspend", 12, 7)
    assert report_action(("suspend", "12", "30")) == ("suspend", 12, 30)
    for bad in (
        (),
        ("warn",),
        ("warn", "x"),
        ("warn", "3", "2"),
        ("ban", "3"),
        ("suspend", "3", "0"),
        ("suspend", "3", "91"),
        ("suspend", "3", "-1"),
    ):
        with pytest.raises(UserError):
            report_action(bad)


def test_a_suspension_ends_on_its_own_and_a_new_one_never_shortens_a_running_one():
    now = datetime(2026, 1, 5, 9, 30, tzinfo=UTC)
    assert suspension_end(now, 7, None) == now + timedelta(days=7)
    assert suspension_end(now, 1, now + timedelta(days=5)) == now + timedelta(days=5)
    assert is_suspended([now + timedelta(days=1), now + timedelta(days=3)], now) == now + timedelta(days=3)
    assert is_suspended([now - timedelta(seconds=1), now], now) is None
    assert report_day(now) == datetime(2026, 1, 5, tzinfo=UTC)
