"""Hard rules, validation, determinism, optimality and quality of the matching engine."""

from itertools import combinations

import numpy as np
import pytest
import rustworkx as rx

from matching import pair_search
from matching.model import PairHistory, Person
from matching.reason_facts import reason_words
from matching.rules import MatchRules, RuleError, rules_from_mapping, rules_to_mapping, with_rule
from matching.scoring import build_context, score_block
from matching.solver import plan_round
from matching.synthetic import synthetic_people
from matching.text_vectors import challenge_vector

TEXTS = [
    "hospital discharge delays into care home placements",
    "universal credit and rent arrears for social housing tenants",
    "mental health crisis pathway with police and ambulance",
    "falls prevention for frail older people at home",
    "data sharing agreements between GP practices and social care",
    "homelessness prevention with health outreach for rough sleepers",
]


def person(
    pid,
    org,
    text=None,
    stage="planning",
    scope="s",
    org_type="council",
    region="london",
    areas=("health",),
    name=None,
):
    text = text or TEXTS[hash(pid) % len(TEXTS)]
    return Person(
        pid,
        name or pid.title(),
        org,
        org_type,
        region,
        frozenset(areas),
        stage,
        text,
        challenge_vector(text),
        scope,
    )


def words(group, people):
    """A planned group's reasons as its members read them."""
    here = [p for p in people if p.id in group.members]
    return reason_words(group.reasons, {p.id: p.name for p in here}, {p.id: p.challenge for p in here})


def pairs_of(plan):
    return {frozenset(p) for g in plan.groups for p in combinations(g.members, 2)}


def placed(plan):
    return {m for g in plan.groups for m in g.members}


def test_same_organisation_never_paired_even_with_case_and_spaces():
    text = TEXTS[0]
    people = [
        person("a", "Leeds City Council", text),
        person("b", "  leeds  CITY council ", text),
        person("c", "Shelter Leeds", TEXTS[1]),
        person("d", "Age UK Leeds", TEXTS[2]),
    ]
    plan = plan_round(people, MatchRules(), PairHistory(), seed=1)
    assert frozenset({"a", "b"}) not in pairs_of(plan)
    assert placed(plan) == {"a", "b", "c", "d"}


def test_no_repeat_within_window_but_allowed_after_or_when_not_counted():
    text = TEXTS[0]
    people = [
        person("a", "A", text),
        person("b", "B", text),
        person("c", "C", TEXTS[3]),
        person("d", "D", TEXTS[4]),
    ]
    met = (frozenset({"a", "b"}),)
    rules = MatchRules(no_repeat_rounds=2)
    recent = plan_round(people, rules, PairHistory(recent_rounds=((), met)), seed=1)
    assert frozenset({"a", "b"}) not in pairs_of(recent)
    old = plan_round(people, rules, PairHistory(recent_rounds=((), (), met)), seed=1)
    assert frozenset({"a", "b"}) in pairs_of(old)
    not_counted = plan_round(people, rules, PairHistory(recent_rounds=((), ())), seed=1)
    assert frozenset({"a", "b"}) in pairs_of(not_counted)


def test_continuing_pair_kept_together_and_exempt_from_repeat_rule():
    people = [
        person("a", "A", TEXTS[0]),
        person("b", "B", TEXTS[1]),
        person("c", "C", TEXTS[1]),
        person("d", "D", TEXTS[0]),
    ]
    pair = frozenset({"a", "b"})
    history = PairHistory(recent_rounds=((pair,),), continuing=frozenset({pair}))
    plan = plan_round(people, MatchRules(), history, seed=1)
    assert pair in pairs_of(plan)


def test_blocked_pair_never_paired():
    people = [
        person("a", "A", TEXTS[0]),
        person("b", "B", TEXTS[0]),
        person("c", "C", TEXTS[3]),
        person("d", "D", TEXTS[4]),
    ]
    history = PairHistory(blocked=frozenset({frozenset({"a", "b"})}))
    plan = plan_round(people, MatchRules(), history, seed=1)
    assert frozenset({"a", "b"}) not in pairs_of(plan)
    assert placed(plan) == {"a", "b", "c", "d"}


def test_scopes_never_mixed():
    people = [
        person("a", "A", TEXTS[0], scope="x"),
        person("b", "B", TEXTS[0], scope="y"),
        person("c", "C", TEXTS[1], scope="x"),
        person("d", "D", TEXTS[1], scope="y"),
    ]
    plan = plan_round(people, MatchRules(), PairHistory(), seed=1)
    scope = {p.id: p.scope for p in people}
    for g in plan.groups:
        assert len({scope[m] for m in g.members}) == 1
    assert placed(plan) == {"a", "b", "c", "d"}


def test_odd_person_joins_a_trio():
    people = [person(p, p.upper()) for p in "abcde"]
    plan = plan_round(people, MatchRules(), PairHistory(), seed=1)
    assert sorted(len(g.members) for g in plan.groups) == [2, 3]
    assert not plan.unmatched


def test_unpairable_person_reported_with_reason():
    people = [person("a", "Same Org"), person("b", "same org"), person("c", "Other"), person("d", "Third")]
    history = PairHistory(blocked=frozenset({frozenset({"a", "c"}), frozenset({"a", "d"})}))
    plan = plan_round(people, MatchRules(), history, seed=1)
    assert "a" not in placed(plan)
    (only,) = plan.unmatched
    assert only.person_id == "a"
    assert "your organisation" in only.reason and "don't-pair" in only.reason


def test_alone_in_scope_is_told_why():
    plan = plan_round([person("a", "A")], MatchRules(), PairHistory(), seed=1)
    assert plan.unmatched[0].reason.startswith("nobody else")


def test_group_size_three_makes_trios_that_obey_rules():
    people, _ = synthetic_people(30, seed=4)
    plan = plan_round(people, MatchRules(group_size=3), PairHistory(), seed=2)
    assert [len(g.members) for g in plan.groups] == [3] * 10
    org = {p.id: p.organisation_key for p in people}
    for g in plan.groups:
        assert len({org[m] for m in g.members}) == 3
    assert plan.upper_bound is None and not plan.optimal


def test_rules_validation_messages_are_one_line():
    with pytest.raises(RuleError) as err:
        rules_from_mapping({"group_size": 4})
    assert str(err.value) == "group_size = 4: expected 2 or 3"
    with pytest.raises(RuleError, match="weight_areas = 11.0: expected a number from -10 to 10"):
        MatchRules(weight_areas=11.0)
    with pytest.raises(RuleError, match="unknown rule"):
        rules_from_mapping({"colour": "red"})
    with pytest.raises(RuleError, match="stage_mode = 'behind'"):
        with_rule(MatchRules(), "stage_mode", "behind")
    with pytest.raises(RuleError, match="no_repeat_rounds = 'x'"):
        with_rule(MatchRules(), "no_repeat_rounds", "x")
    for message in ("never_same_organisation", "no_repeat_rounds = 53"):
        with pytest.raises(RuleError, match=message):
            key, value = (
                ("never_same_organisation", "maybe") if "never" in message else ("no_repeat_rounds", "53")
            )
            with_rule(MatchRules(), key, value)


def test_with_rule_parses_admin_text_and_round_trips():
    rules = with_rule(
        with_rule(with_rule(MatchRules(), "group_size", "3"), "stage_mode", "Ahead"),
        "never_same_organisation",
        "false",
    )
    assert (rules.group_size, rules.stage_mode, rules.never_same_organisation) == (3, "ahead", False)
    assert rules_from_mapping(rules_to_mapping(rules)) == rules


def test_deterministic_for_seed_and_input_order():
    people, _ = synthetic_people(120, seed=9)
    first = plan_round(people, MatchRules(), PairHistory(), seed=5)
    again = plan_round(list(reversed(people)), MatchRules(), PairHistory(), seed=5)
    assert first == again


def _brute_force(weights, allowed):
    n = len(weights)
    best = -np.inf

    def go(rest, total):
        nonlocal best
        if len(rest) < 2:
            best = max(best, total)
            return
        i, others = rest[0], rest[1:]
        go(others, total)
        for j in others:
            if allowed[i, j]:
                go([x for x in others if x != j], total + weights[i, j])

    go(list(range(n)), 0.0)
    return best


@pytest.mark.parametrize("seed", range(6))
def test_exact_optimum_on_small_instances(seed):
    people, _ = synthetic_people(10, seed=seed)
    rules = MatchRules()
    plan = plan_round(people, rules, PairHistory(), seed=seed)
    ctx = build_context(sorted(people, key=lambda p: p.id), rules, PairHistory())
    score, allowed = score_block(ctx, np.arange(ctx.n))
    assert plan.objective == pytest.approx(_brute_force(score, allowed), rel=1e-9)
    assert plan.upper_bound is not None and plan.upper_bound >= plan.objective - 1e-9


def test_matches_rustworkx_on_complete_graph_and_bound_is_valid():
    people, _ = synthetic_people(160, seed=11)
    rules = MatchRules(weight_same_region=-1.0)
    plan = plan_round(people, rules, PairHistory(), seed=3)
    ctx = build_context(sorted(people, key=lambda p: p.id), rules, PairHistory())
    score, allowed = score_block(ctx, np.arange(ctx.n))
    graph = rx.PyGraph()
    graph.add_nodes_from(range(ctx.n))
    for i, j in zip(*np.nonzero(np.triu(allowed, 1)), strict=True):
        graph.add_edge(int(i), int(j), int(round((score[i, j] + ctx.pair_bonus) * 1e9)))
    best = rx.max_weight_matching(graph, weight_fn=lambda w: w)
    exact = sum(score[i, j] + ctx.pair_bonus for i, j in best)
    assert plan.objective >= exact * (1 - 1e-9)
    assert plan.upper_bound >= exact * (1 - 1e-9)
    assert plan.optimal
    assert plan.objective == pytest.approx(exact, rel=1e-9)


def _complete_optimum(people, rules):
    ctx = build_context(sorted(people, key=lambda p: p.id), rules, PairHistory())
    score, allowed = score_block(ctx, np.arange(ctx.n))
    rows, cols = np.nonzero(np.triu(allowed, 1))
    graph = rx.PyGraph()
    graph.add_nodes_from(range(ctx.n))
    weights = np.rint((score[rows, cols] + ctx.pair_bonus) * 1e9).astype(np.int64)
    graph.add_edges_from(list(zip(rows.tolist(), cols.tolist(), weights.tolist(), strict=True)))
    best = rx.max_weight_matching(graph, weight_fn=lambda w: w)
    return float(sum(score[i, j] + ctx.pair_bonus for i, j in best))


@pytest.mark.parametrize("n", [420, 600, 800])
def test_proven_optimum_beyond_the_complete_graph_limit(n):
    """Above 300 people the graph is sparse; the odd-set LP proof must still give the true optimum."""
    people, _ = synthetic_people(n, seed=n)
    rules = MatchRules()
    plan = plan_round(people, rules, PairHistory(), seed=0)
    exact = _complete_optimum(people, rules)
    assert plan.optimal
    assert plan.objective == pytest.approx(exact, rel=1e-9)
    assert plan.upper_bound == pytest.approx(exact, rel=1e-9)


def test_proof_stays_exact_when_it_must_widen_its_slack_and_cut_again(monkeypatch):
    """A tiny first slack and one cut round force every fallback path; the answer must not change."""
    monkeypatch.setattr(pair_search, "FIRST_SLACK", 1e-7)
    monkeypatch.setattr(pair_search, "CUT_ROUNDS", 1)
    monkeypatch.setattr(pair_search, "CHEAP_PAIRS_PER_PERSON", 4)
    monkeypatch.setattr(pair_search, "MORE_CUTS", 60)
    people, _ = synthetic_people(420, seed=5)
    rules = MatchRules()
    plan = plan_round(people, rules, PairHistory(), seed=0)
    exact = _complete_optimum(people, rules)
    assert plan.optimal
    assert plan.objective == pytest.approx(exact, rel=1e-9)


def test_matched_pairs_share_a_theme_far_more_than_random():
    people, theme_of = synthetic_people(400, seed=21)
    plan = plan_round(people, MatchRules(), PairHistory(), seed=1)
    same = np.mean([theme_of[g.members[0]] == theme_of[g.members[1]] for g in plan.groups])
    rng = np.random.default_rng(0)
    ids = [p.id for p in people]
    random_rate = np.mean([theme_of[a] == theme_of[b] for a, b in rng.permutation(ids).reshape(-1, 2)])
    assert same >= 3 * random_rate
    assert plan.metrics.mean_score > plan.baseline.mean_score


def test_reasons_mention_shared_words_and_stage_ahead():
    a = person(
        "a",
        "Leeds City Council",
        "Delayed hospital discharge into care home placements",
        stage="implementing",
        name="Sam",
        org_type="council",
    )
    b = person(
        "b",
        "Leeds Teaching Hospitals NHS Trust",
        "Our hospital discharge team struggles with care home placements",
        stage="planning",
        name="Priya",
        org_type="nhs_trust",
    )
    plan = plan_round([a, b], MatchRules(stage_mode="ahead"), PairHistory(), seed=1)
    reasons = " | ".join(words(plan.groups[0], [a, b]))
    assert "hospital discharge" in reasons and "care home" in reasons
    assert "Sam is a stage ahead, at implementing" in reasons


@pytest.mark.parametrize(
    ("texts", "wanted"),
    [
        (
            [
                "Delayed hospital discharge from our frailty wards; the board agrees it is a priority.",
                "We are exploring hospital discharge for older people, frailty wards are full.",
            ],
            {"hospital discharge", "frailty wards"},
        ),
        (
            [
                "Tenants on universal credit fall into rent arrears when the housing element is late.",
                "Rent arrears keep rising since universal credit; we are planning a joint panel.",
            ],
            {"universal credit", "rent arrears"},
        ),
    ],
)
def test_shared_phrases_are_real_domain_phrases(texts, wanted):
    from matching.phrases import shared_phrases

    assert set(shared_phrases(texts)) == wanted


def test_shared_phrases_drop_stage_words_verbs_and_vague_leftovers():
    from matching.phrases import shared_phrases

    junk = [
        "Schools health meetings are held monthly; the board agrees. We are exploring care and discharge.",
        "Health visitors held a session that schools agrees with; exploring care options, discharge wards.",
    ]
    phrases = shared_phrases(junk)
    for bad in ("held", "agrees", "exploring", "care", "planning", "schools health", "wards"):
        assert bad not in phrases
    assert all(" " in p or len(p) >= 6 for p in phrases)
    assert shared_phrases(["we are exploring care", "exploring care is held"]) == []


def test_group_reason_omits_phrase_rather_than_a_weak_one():
    a = person("a", "Org A", "We are exploring this and the board agrees; care is held centrally.")
    b = person("b", "Org B", "Exploring options; the panel agrees care is held weekly.")
    plan = plan_round([a, b], MatchRules(), PairHistory(), seed=1)
    assert not any("working on" in r for r in words(plan.groups[0], [a, b]))
