"""Rounds through the core: admin preview and commit, rules, history and introductions."""

import asyncio
import json

import pytest
from sqlalchemy import select, update

from bot.kernel.messages import Message
from bot.kernel.outbox import GroupMessage
from bot.kernel.storage.groups import GroupMember, MatchGroup
from bot.kernel.storage.models import Profile
from bot.rounds.models import Round
from harness import Harness, person

CHALLENGES = {
    "ann": (
        "Leeds City Council",
        "council",
        "Hospital discharge delays: the council and the trust argue over "
        "who funds the first weeks of home care after discharge.",
    ),
    "ben": (
        "Leeds Teaching Hospitals",
        "nhs_trust",
        "Discharge to assess keeps stalling because home care "
        "funding after hospital discharge is disputed with the council.",
    ),
    "cat": (
        "Bolton Jobcentre",
        "dwp",
        "Universal credit claimants fall into rent arrears during the five "
        "week wait and housing officers never hear until eviction.",
    ),
    "dan": (
        "Shelter Bolton",
        "voluntary",
        "Rent arrears from universal credit deductions push families "
        "towards eviction; we want a referral route with the jobcentre.",
    ),
}


async def join_four(h: Harness) -> None:
    for user, (org, org_type, challenge) in CHALLENGES.items():
        await h.join(user, organisation=org, org_type=org_type, challenge=challenge)


def ids_of(h):
    return {user: h.actor(user) for user in CHALLENGES}


async def test_preview_sends_nothing_and_pairs_similar_challenges(harness):
    await join_four(harness)
    harness.platform.clear()
    reply = await harness.say("admin", "admin preview seed 3")
    assert "Preview: nothing has been sent" in reply.text
    assert "Random pairing, for comparison" in reply.text
    assert "Ann (Leeds City Council) + Ben (Leeds Teaching Hospitals)" in reply.text
    assert "Cat (Bolton Jobcentre) + Dan (Shelter Bolton)" in reply.text
    assert [d.user_id for d in harness.platform.delivered] == ["admin"]
    async with harness.core.db.session() as session:
        assert (await session.execute(select(Round))).first() is None


async def test_committed_round_records_seed_and_rules_and_introduces_each_group(harness):
    await join_four(harness)
    await harness.say("admin", "admin set weight_same_region -2")
    reply = await harness.say("admin", "admin round seed 11")
    assert "Round 1 committed: 2 groups" in reply.text
    async with harness.core.db.session() as session:
        stored = (await session.execute(select(Round))).scalar_one()
    assert stored.seed == 11 and stored.rules["weight_same_region"] == -2.0 and stored.rule_set_id
    assert await harness.core.jobs.run_due(harness.core) == {"done": 2}
    intros = [d for d in harness.platform.delivered if isinstance(d.destination, GroupMessage)]
    assert {d.destination.user_ids for d in intros} == {("ann", "ben"), ("cat", "dan")}
    ann_intro = harness.platform.last("ann").text
    assert "Why you were matched" in ann_intro and "Ben" in ann_intro
    assert "first-conversation agenda" in ann_intro
    assert await harness.core.jobs.run_due(harness.core) == {}, "nothing is sent twice"


async def test_non_admins_cannot_run_rounds(tmp_path, empty_database):
    h = Harness.create(empty_database, tmp_path, {"console": {"admin": False}})
    await h.start()
    try:
        reply = await h.say("mallory", "admin round")
        assert "Only this community's admins" in reply.text
        assert "admin" not in (await h.say("mallory", "help")).text
    finally:
        await h.stop()


async def test_bad_rule_values_change_nothing(harness):
    assert "expected 2 or 3" in (await harness.say("admin", "admin set group_size 5")).text
    assert "unknown rule" in (await harness.say("admin", "admin set colour blue")).text
    assert "admin set NAME VALUE" in (await harness.say("admin", "admin set group_size")).text
    rules = await harness.say("admin", "admin rules")
    assert "(version 0)" in rules.text and "`group_size` = 2" in rules.text


async def test_next_round_avoids_repeats_unless_the_group_did_not_meet(harness):
    await join_four(harness)
    await harness.say("admin", "admin round seed 1")
    second = await harness.say("admin", "admin preview seed 1")
    assert "Ann (Leeds City Council) + Ben" not in second.text, "met pairs are not repeated"
    async with harness.core.db.session() as session, session.begin():
        await session.execute(update(MatchGroup).values(outcome="not_met"))
    third = await harness.say("admin", "admin preview seed 1")
    assert "Ann (Leeds City Council) + Ben (Leeds Teaching Hospitals)" in third.text


async def test_a_pair_who_chose_to_continue_stays_together(harness):
    await join_four(harness)
    await harness.say("admin", "admin round seed 1")
    async with harness.core.db.session() as session, session.begin():
        await session.execute(update(GroupMember).values(wants_continue=True))
    again = await harness.say("admin", "admin preview seed 1")
    assert "Ann (Leeds City Council) + Ben (Leeds Teaching Hospitals)" in again.text


async def test_dont_pair_me_with_is_private_and_respected(harness):
    await join_four(harness)
    reply = await harness.say("ann", "avoid Ben")
    assert "won't be paired with Ben" in reply.text
    assert "Ben" in (await harness.say("ann", "avoid")).text
    assert "Nobody called" in (await harness.say("ann", "avoid Zed")).text
    preview = await harness.say("admin", "admin preview seed 3")
    assert "Ann (Leeds City Council) + Ben" not in preview.text
    assert not any("Ann" in m.text for m in harness.platform.to("ben"))


async def test_odd_person_is_told_why_when_unmatchable(harness):
    await harness.join("ann", organisation="Same Org")
    await harness.join("bob", organisation="same  org")
    await harness.join("cy", organisation="Other Org")
    await harness.say("admin", "admin round seed 2")
    await harness.core.jobs.run_due(harness.core)
    everyone = harness.platform.delivered
    told = [d.user_id for d in everyone if d.message.text.startswith("You weren't matched")]
    grouped = {d.destination for d in everyone if isinstance(d.destination, GroupMessage)}
    assert len(grouped) == 1
    [group] = grouped
    assert told == ["bob"] and set(group.user_ids) == {"ann", "cy"}, "same organisation never grouped"
    assert "organisation" in next(d.message.text for d in everyone if d.user_id == "bob")


async def test_matches_are_in_mydata_and_erased_on_leave(harness):
    await join_four(harness)
    await harness.say("admin", "admin round seed 1")
    data = json.loads((await harness.say("ann", "mydata")).attachments[0].data)
    assert data["matches"][0]["with"] == ["Ben"]
    await harness.say("ann", "leave")
    await harness.press("ann", "Erase my data")
    async with harness.core.db.session() as session:
        members = (await session.execute(select(GroupMember))).scalars().all()
    assert len(members) == 3
    assert await harness.core.jobs.run_due(harness.core) == {"done": 1, "cancelled": 1}
    assert not any("Ann" in m.text for m in harness.platform.to("ben") if m != Message())


async def test_federated_communities_are_matched_together(tmp_path, empty_database):
    h = Harness.create(
        empty_database, tmp_path, {"matching": {"federations": {"north": ["console:local", "console:other"]}}}
    )
    await h.start()
    try:
        service = h.app.rounds
        assert service.scope_of("console", "other") == "federation:north"
        assert service.scope_of("slack", "T1") == "slack:T1"
        assert service.communities_in("federation:north") == [("console", "local"), ("console", "other")]
    finally:
        await h.stop()


async def test_mixed_vector_backends_fall_back_to_offline_similarity(harness):
    await join_four(harness)
    async with harness.core.db.session() as session, session.begin():
        await session.execute(
            update(Profile)
            .where(Profile.user_id.in_(["ann", "cat"]))
            .values(vector=[0.1, 0.2], vector_backend="openai:test")
        )
    harness.app.rounds._vectoriser = _FailingEmbeddings()
    preview = await harness.say("admin", "admin preview seed 3")
    assert "Ann (Leeds City Council) + Ben (Leeds Teaching Hospitals)" in preview.text


class _FailingEmbeddings:
    """An embedding backend whose server is down: it hands back offline vectors, labelled so."""

    name = "openai:test"

    async def labelled_vectors(self, texts):
        from bot.kernel.similarity import TfidfVectoriser

        return await TfidfVectoriser().vectors(texts), TfidfVectoriser.name


async def test_a_failed_introduction_is_retried_only_for_whoever_missed_it(harness):
    await join_four(harness)
    harness.platform.refuses_dms.add("ben")
    await harness.say("admin", "admin round seed 1")
    await harness.core.jobs.run_due(harness.core)
    intro = "you've been matched as peers"
    assert sum(intro in m.text for m in harness.platform.to("ann")) == 1
    assert not any(intro in m.text for m in harness.platform.to("ben"))
    harness.clock.advance(hours=1)
    await harness.core.jobs.run_due(harness.core)
    assert not any(intro in m.text for m in harness.platform.to("ben")), "still closed: waits"
    harness.platform.refuses_dms.clear()
    harness.clock.advance(hours=1)
    await harness.core.jobs.run_due(harness.core)
    assert sum(intro in m.text for m in harness.platform.to("ben")) == 1
    assert sum(intro in m.text for m in harness.platform.to("ann")) == 1, "never twice"


async def test_preview_with_too_few_people_says_what_to_do(harness):
    await harness.join("ann")
    reply = await harness.say("admin", "admin preview")
    assert "Not enough people to match in console:local: 1 available" in reply.text
    assert not reply.buttons


async def test_a_second_round_just_after_the_first_asks_before_giving_everyone_a_second_partner(harness):
    await join_four(harness)
    first = await harness.say("admin", "admin round seed 1")
    assert first.text.startswith("Round 1 committed")
    harness.clock.advance(minutes=2)

    question = await harness.say("admin", "admin round seed 2")

    assert question.text.startswith("Round 1 was committed 2 minutes ago; introductions are going out.")
    assert "Start another anyway?" in question.text
    assert await harness.app.rounds.round_count("console:local") == 1
    confirmed = await harness.press("admin", "Start another round")
    assert confirmed.text.startswith("Round 2 committed")
    assert await harness.app.rounds.round_count("console:local") == 2


async def test_two_admins_committing_together_start_one_round_and_the_other_is_asked(harness):
    await join_four(harness)
    await asyncio.gather(harness.say("ann", "admin round"), harness.say("ben", "admin round"))
    replies = sorted(
        m.text.split(";")[0] for m in (harness.platform.last("ann"), harness.platform.last("ben"))
    )
    assert await harness.app.rounds.round_count("console:local") == 1
    assert replies[0].startswith("Round 1 committed") and replies[1].startswith("Round 1 was committed")


async def test_replicas_committing_together_start_one_round(empty_database, tmp_path):
    """Two cores with their own connections (as two processes have) take turns through the database.

    PostgreSQL only: on SQLite a second process is refused outright (tests/kernel/test_data_lock.py).
    """
    if empty_database.startswith("sqlite"):
        pytest.skip("one process per SQLite data folder")
    first, second = Harness.create(empty_database, tmp_path), Harness.create(empty_database, tmp_path)
    await first.start()
    await second.start()
    try:
        await join_four(first)
        results = await asyncio.gather(
            first.app.rounds.commit("console:local", "a"),
            second.app.rounds.commit("console:local", "b"),
            return_exceptions=True,
        )
        assert sorted(type(r).__name__ for r in results) == ["PlannedRound", "RecentRound"]
        assert await first.app.rounds.round_count("console:local") == 1
    finally:
        await first.stop()
        await second.stop()


async def test_a_repeat_round_is_not_questioned_once_the_interval_has_passed(harness):
    await join_four(harness)
    await harness.say("admin", "admin round seed 1")
    harness.clock.advance(days=1)
    assert (await harness.say("admin", "admin round seed 2")).text.startswith("Round 2 committed")


async def test_avoid_matches_a_first_name_only_within_the_community(harness):
    now = harness.core.clock.now()
    async with harness.core.db.session() as session, session.begin():
        outsider = person("stone", community="elsewhere", display_name="Amira Stone")
        session.add(Profile(**outsider, created_at=now, updated_at=now))
    await harness.join("ann")
    await harness.join("haddad", display_name="Amira Haddad")
    reply = await harness.say("ann", "avoid amira")
    assert "won't be paired with Amira Haddad" in reply.text
    await harness.say("ann", "avoid remove Amira Haddad")
    await harness.join("jones", display_name="Amira Jones")
    reply = await harness.say("ann", "avoid Amira")
    assert "Did you mean" in reply.text
    assert "Amira Haddad" in reply.text and "Amira Jones" in reply.text
    assert "Stone" not in reply.text
