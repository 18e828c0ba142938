"""The rules of rounds, without a database or a clock: scopes, what admins type, when a second
round needs a yes, pair history, where introductions go and when, and scheduled fires."""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest

from bot.kernel.config import parse_config
from bot.kernel.errors import UserError
from bot.kernel.invocation import Actor
from bot.kernel.outbox import DirectMessage, GroupMessage
from bot.kernel.storage.models import Profile
from bot.rounds.messages import recent_round_question
from bot.rounds.plans import AvoidRequest, RecentRound
from bot.rounds.rules import (
    avoid_request,
    communities_in,
    daytime_for_everyone,
    group_destination,
    needs_repeat_confirmation,
    pair_history,
    people_for_round,
    same_name,
    scope_of,
    seed_from_args,
    split_again,
    started_by,
)
from bot.rounds.schedule import scope_fires

FEDERATIONS = {"north": ["console:local", "slack:T1"]}
NOON = datetime(2026, 1, 14, 12, 0, tzinfo=UTC)


def pair(a, b):
    return frozenset((a, b))


def profile(pid, platform="slack", community="T1", **kw) -> Profile:
    return Profile(id=pid, platform=platform, community=community, user_id=f"U{pid}", **kw)


def test_a_federated_community_is_matched_in_its_federation_and_others_alone():
    assert scope_of(FEDERATIONS, "slack", "T1") == "federation:north"
    assert scope_of(FEDERATIONS, "slack", "T2") == "slack:T2"
    assert communities_in(FEDERATIONS, "federation:north") == [("console", "local"), ("slack", "T1")]
    assert communities_in(FEDERATIONS, "slack:T2") == [("slack", "T2")]
    assert communities_in(FEDERATIONS, "federation:south") == []


def test_seed_and_again_are_read_from_what_the_admin_typed():
    assert seed_from_args(()) is None
    assert seed_from_args(("seed", "42")) == 42
    with pytest.raises(UserError, match="admin preview seed 1234"):
        seed_from_args(("seed", "x"))
    assert split_again(("seed", "3", "again")) == (("seed", "3"), True)
    assert split_again(("seed", "3")) == (("seed", "3"), False)
    assert split_again(()) == ((), False)


def test_who_started_a_round_is_the_platform_and_user():
    assert started_by(Actor("slack", "T1", "U9")) == "slack:U9"


def test_avoid_lists_adds_or_removes_by_name_ignoring_case_and_spacing():
    assert avoid_request(()) is None
    assert avoid_request(("Ann", "Lee")) == AvoidRequest("Ann Lee", remove=False)
    assert avoid_request(("REMOVE", "Ann", "Lee")) == AvoidRequest("Ann Lee", remove=True)
    assert same_name("  ann   LEE ", "Ann Lee")
    assert not same_name("Ann", "Ann Lee")


def test_a_second_round_needs_a_yes_only_within_the_interval():
    within = timedelta(hours=12)
    assert needs_repeat_confirmation(NOON - timedelta(minutes=2), NOON, within)
    assert not needs_repeat_confirmation(NOON - within, NOON, within)
    assert not needs_repeat_confirmation(NOON - timedelta(minutes=2), NOON, timedelta(0))


def test_the_question_says_when_and_where_introductions_stand():
    going = recent_round_question(RecentRound(4, NOON - timedelta(minutes=2), 3), NOON)
    gone = recent_round_question(RecentRound(4, NOON - timedelta(minutes=2), 0), NOON)
    assert going.startswith("Round 4 was committed 2 minutes ago; introductions are going out.")
    assert "its introductions have gone out" in gone
    assert going.endswith("Start another anyway?")


def test_pair_history_counts_met_groups_continuing_pairs_and_blocks_among_those_available():
    memberships = [
        (2, 20, None, 1, True),
        (2, 20, None, 2, True),
        (2, 21, "not_met", 3, False),
        (2, 21, "not_met", 4, False),
        (1, 10, "met", 1, True),
        (1, 10, "met", 3, True),
    ]
    history = pair_history([2, 1], memberships, {1: [4, 99], 2: [2], 3: [], 4: []})
    assert history.recent_rounds == ((pair("1", "2"),), (pair("1", "3"),))
    assert history.continuing == {pair("1", "2")}, "only the newest round's keen pairs continue"
    assert history.blocked == {pair("1", "4")}, "nobody unavailable, and never oneself"


def test_no_rounds_yet_means_no_history():
    assert pair_history([], [], {1: []}).recent_rounds == ()


def test_people_for_the_engine_carry_scope_vector_and_what_may_be_weighed():
    ann = profile(1, display_name="Ann", organisation="Org", org_type="council", region="north")
    ann.areas, ann.stage, ann.challenge = ["housing"], "exploring", "rent arrears"
    (person,) = people_for_round([ann], [[0.5]], "slack:T1")
    assert (person.id, person.name, person.scope, person.vector) == ("1", "Ann", "slack:T1", [0.5])
    assert person.areas == frozenset({"housing"})


def test_one_community_gets_one_group_message_and_mixed_communities_a_dm_each():
    same = [profile(1), profile(2)]
    assert group_destination(same) == [GroupMessage("slack", "T1", ("U1", "U2"))]
    mixed = [profile(1), profile(2, platform="console", community="local")]
    assert group_destination(mixed) == [
        DirectMessage("slack", "T1", "U1"),
        DirectMessage("console", "local", "U2"),
    ]


@dataclass
class Quiet:
    quiet_start: str = "18:00"
    quiet_end: str = "08:00"


def test_a_group_message_waits_until_it_is_daytime_for_everyone():
    assert daytime_for_everyone(Quiet(), ["Europe/London"], NOON) == NOON
    # 12:00 UTC is 07:00 in New York: it waits for 08:00 there (13:00 UTC), still day in London.
    later = daytime_for_everyone(Quiet(), ["Europe/London", "America/New_York"], NOON)
    assert later == datetime(2026, 1, 14, 13, 0, tzinfo=UTC)


def test_scheduled_fires_are_keyed_by_scope_and_local_day_on_matching_weeks_only():
    rounds = parse_config({"rounds": {"cron": "0 9 * * mon", "every_weeks": 2}}, {}, "tests").rounds
    fires = scope_fires(rounds, "slack:T1", NOON, NOON + timedelta(days=28))
    assert len(fires) == 2
    assert all(key.startswith("round:slack:T1:") for _, key in fires)
    assert fires[1][0] - fires[0][0] == timedelta(weeks=2)
