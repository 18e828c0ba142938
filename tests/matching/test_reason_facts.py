"""Match reasons are facts that name nobody; their words are rendered with the names of the
members still there, reading exactly as the stored sentences used to for live members."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from matching.model import PairHistory, Person
from matching.phrases import phrase_picks, picked_phrases
from matching.reason_facts import KINDS, facts_from_json, facts_to_json, reason_words
from matching.rules import MatchRules
from matching.solver import plan_round
from matching.synthetic import synthetic_people
from matching.text_vectors import challenge_vector
from matching.vocabulary import INTEGRATION_AREAS, ORG_TYPES, REGIONS, STAGES


def member(pid, name, org, org_type, region, areas, stage, challenge) -> Person:
    return Person(
        pid, name, org, org_type, region, frozenset(areas), stage, challenge, challenge_vector(challenge), "s"
    )


AMIRA = member(
    "17",
    "Amira Haddad",
    "Bradford Council",
    "council",
    "yorkshire_humber",
    ("housing", "health"),
    "implementing",
    "Hospital discharge into temporary accommodation: rough sleepers leave wards with nowhere to go.",
)
TOM = member(
    "23",
    "Tom Reilly",
    "Bradford Teaching Hospitals",
    "nhs_trust",
    "yorkshire_humber",
    ("health", "housing", "welfare"),
    "exploring",
    "Rough sleepers are discharged from wards into temporary accommodation that falls through.",
)
TRIO = [
    member("4", "Ann Lee", "Leeds City Council", "council", "london", ("social_care",), "planning",
           "Pooled budgets under section 75 with the ICB keep stalling."),
    member("40", "Ben Ode", "NHS West Yorkshire ICB", "icb", "london", ("social_care", "health"), "planning",
           "Our section 75 pooled budgets agreement needs a new risk share."),
    member("9", "Cy Amos", "Age UK Leeds", "voluntary", "london", ("social_care",), "planning",
           "Pooled budgets for carers support: section 75 money never reaches us."),
]  # fmt: skip
WALES = [
    member("1", "Dee Park", "Cardiff Council", "council", "wales", ("welfare",), "embedding",
           "Benefit checks for older people."),
    member("2", "Eve Moss", "Cardiff DWP", "dwp", "wales", ("housing",), "embedding",
           "Joint visits with jobcentre staff."),
]  # fmt: skip
# Four people, so "hospital discharge" is common in the community and the pair's rarer shared
# phrases are quoted: what the sentence said at planning time, not what the texts alone suggest.
RARITY = [
    member("31", "Fay Bloom", "Hull Council", "council", "north_east", ("housing",), "planning",
           "Hospital discharge of rough sleepers into temporary accommodation."),
    member("32", "Gus Hart", "Hull Hospitals", "nhs_trust", "north_west", ("health",), "planning",
           "Temporary accommodation for rough sleepers after hospital discharge."),
    member("33", "Hal Kerr", "York Council", "council", "london", ("welfare",), "exploring",
           "Hospital discharge delays for frail older people, virtual wards."),
    member("34", "Ida Lund", "York Hospitals", "nhs_trust", "wales", ("welfare",), "exploring",
           "Virtual wards and hospital discharge for frail older people."),
]  # fmt: skip

# What the stored sentences said for these groups before reasons became facts.
TODAY = [
    (
        [AMIRA, TOM],
        MatchRules(stage_mode="ahead"),
        [
            "both are working on rough sleepers and temporary accommodation",
            "Amira Haddad is two stages ahead, at implementing",
            "both cover health and housing",
        ],
    ),
    (
        TRIO,
        MatchRules(group_size=3),
        [
            "all three are working on pooled budgets and section 75",
            "all three are at the planning stage",
            "all three cover social care",
        ],
    ),
    (
        WALES,
        MatchRules(),
        ["both are at the embedding stage", "a council and a DWP / jobcentre", "both in Wales"],
    ),
    (
        RARITY,
        MatchRules(),
        [
            "both are working on rough sleepers and temporary accommodation",
            "both are at the planning stage",
            "a council and an NHS trust",
        ],
    ),
]


def stored(group) -> list:
    """A group's facts as the database holds them: JSON, written and read back."""
    return json.loads(json.dumps(facts_to_json(group.reasons)))


def render(facts, people) -> list[str]:
    return list(reason_words(facts, {p.id: p.name for p in people}, {p.id: p.challenge for p in people}))


@pytest.mark.parametrize(("people", "rules", "today"), TODAY)
def test_live_members_read_todays_wording(people, rules, today):
    group = plan_round(people, rules, PairHistory(), seed=1).groups[0]
    members = [p for p in people if p.id in group.members]
    assert facts_from_json(stored(group)) == group.reasons
    assert render(facts_from_json(stored(group)), members) == today


def test_a_renamed_member_is_named_as_they_are_called_now():
    group = plan_round([AMIRA, TOM], MatchRules(stage_mode="ahead"), PairHistory(), seed=1).groups[0]
    renamed = [replace(AMIRA, name="Amira H."), TOM]
    assert "Amira H. is two stages ahead, at implementing" in render(group.reasons, renamed)


def test_a_member_who_left_reads_as_your_peer_and_their_phrases_are_not_quoted():
    group = plan_round([AMIRA, TOM], MatchRules(stage_mode="ahead"), PairHistory(), seed=1).groups[0]
    assert render(facts_from_json(stored(group)), [TOM]) == [
        "both are working on similar challenges",
        "your peer is two stages ahead, at implementing",
        "both cover health and housing",
    ]


def _strings(value) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for key, item in value.items() for s in (key, *_strings(item))]
    if isinstance(value, list):
        return [s for item in value for s in _strings(item)]
    return []


def test_stored_facts_carry_no_name_organisation_or_challenge_words():
    people, _ = synthetic_people(120, seed=4)
    people = [
        replace(p, name=f"Person Canary{p.id}", organisation=f"Canaryorg {p.id} Trust",
                challenge=f"{p.challenge} Canaryorg {p.id} Trust.")
        for p in people
    ]  # fmt: skip
    vocabulary = {*KINDS, *STAGES, *INTEGRATION_AREAS, *ORG_TYPES, *REGIONS}
    fields = {"kind", "size", "picks", "of", "member", "stage", "gap", "areas", "org_types", "region"}
    for rules in (MatchRules(stage_mode="ahead"), MatchRules(group_size=3, weight_same_region=1.0)):
        for group in plan_round(people, rules, PairHistory(), seed=2).groups:
            facts = stored(group)
            assert facts, "every group has reasons"
            text = json.dumps(facts)
            assert "Canary" not in text and "canary" not in text
            for value in _strings(facts):
                assert value in vocabulary | fields | set(group.members), value


def test_an_edited_challenge_quotes_what_the_texts_share_now():
    texts = [RARITY[0].challenge, RARITY[1].challenge]
    picks, of = phrase_picks(texts, rarity=lambda word: 0.1 if word in ("hospital", "discharge") else 1.0)
    assert picked_phrases(texts, picks, of) == ["rough sleepers", "temporary accommodation"]
    edited = [texts[0], "Rough sleepers leave hospital with nowhere to go."]
    assert picked_phrases(edited, picks, of) == ["rough sleepers"]


def test_a_kind_this_version_does_not_know_is_left_out():
    facts = facts_from_json(
        [{"kind": "a_newer_kind", "size": 2}, {"kind": "same_stage", "size": 2, "stage": "planning"}]
    )
    assert render(facts, []) == ["both are at the planning stage"]
