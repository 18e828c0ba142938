"""Plain-words reasons for a group, so people see why they were introduced."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from matching.model import Person
from matching.rules import MatchRules
from matching.text_vectors import STOP_WORDS
from matching.vocabulary import INTEGRATION_AREAS, ORG_TYPES, REGIONS, STAGES, stage_index

NO_ARTICLE = ("london", "scotland", "wales", "northern_ireland")
STAGE_GAP_WORDS = {1: "a stage", 2: "two stages", 3: "three stages"}


def _join(items: Sequence[str]) -> str:
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def _article(label: str) -> str:
    first = label.split()[0]
    vowel_sound = first[0].lower() in "aeio" or first.isupper() and first[0] in "AEFHILMNORSX"
    return ("an " if vowel_sound else "a ") + label


# Words that never make a phrase worth showing: journey stages (reasons state the stage
# separately), generic verbs and filler that survive stop-word removal.
WEAK_WORDS = frozenset(
    {
        "exploring",
        "planning",
        "implementing",
        "embedding",
        "held",
        "hold",
        "holding",
        "agree",
        "agrees",
        "agreed",
        "keen",
        "feel",
        "feels",
        "felt",
        "left",
        "take",
        "takes",
        "taking",
        "keep",
        "keeps",
        "kept",
        "having",
        "hitting",
        "issue",
        "issues",
        "problem",
        "problems",
        "biggest",
        "sorted",
        "sort",
        "right",
        "especially",
        "particularly",
        "project",
        "lead",
        "leading",
        "join",
        "joining",
        "redesigning",
        "redesign",
        "struggling",
        "thinking",
        "advice",
        "welcome",
        "small",
        "tight",
        "quickly",
        "results",
        "show",
        "month",
        "months",
        "week",
        "weeks",
        "year",
        "years",
        "good",
        "great",
        "big",
        "able",
        "going",
        "use",
        "using",
        "used",
        "started",
        "start",
        "starting",
        "including",
        "rather",
        "different",
        "whole",
        "nobody",
        "owns",
        "measure",
        "someone",
        "alongside",
        "across",
        "pressure",
        "slow",
    }
)
# Too vague to stand alone, though fine inside a phrase ("care home", "virtual wards").
VAGUE_ALONE = frozenset(
    {"care", "health", "housing", "social", "wards", "ward", "staff", "system", "systems", "data", "board"}
)
MIN_SINGLE_LENGTH = 6
_CHUNKS = re.compile(r"[^a-z0-9'\s-]+")
_WORD = re.compile(r"[a-z0-9][a-z0-9'-]*")


def _runs(text: str) -> list[list[str]]:
    """Runs of adjacent content words: a stop word, weak word or punctuation ends a run."""
    runs: list[list[str]] = []
    for chunk in _CHUNKS.split(text.lower()):
        run: list[str] = []
        for word in _WORD.findall(chunk):
            word = word.strip("'-")
            if not word or word in STOP_WORDS or word in WEAK_WORDS or word.isdigit() and len(word) < 2:
                if run:
                    runs.append(run)
                run = []
            else:
                run.append(word)
        if run:
            runs.append(run)
    return runs


def _terms(text: str) -> set[str]:
    out: set[str] = set()
    for run in _runs(text):
        for size in (1, 2, 3):
            out.update(" ".join(run[k : k + size]) for k in range(len(run) - size + 1))
    return out


def shared_phrases(
    texts: Sequence[str], rarity: Callable[[str], float] | None = None, limit: int = 2
) -> list[str]:
    """Most telling phrases the challenge texts share, written as people wrote them.

    Phrases are runs of adjacent content words ("hospital discharge", "rent arrears"),
    never words stitched across a stop word or sentence. Multiword phrases win; a single
    word is offered only when no phrase is shared and it is specific enough to mean
    something. No phrase is better than a weak one.
    """
    term_sets = [_terms(t) for t in texts]
    shared = set.intersection(*term_sets) if term_sets else set()
    multi = {t for t in shared if " " in t}
    multi = {t for t in multi if not any(t != o and f" {t} " in f" {o} " for o in multi)}
    if multi:
        candidates = multi
    else:
        candidates = {t for t in shared if len(t) >= MIN_SINGLE_LENGTH and t not in VAGUE_ALONE}
        limit = min(limit, 1)

    def weight(term: str) -> tuple[float, str]:
        words = term.split()
        base = max(rarity(w) for w in words) if rarity else 1.0
        return (-(base * (1.0 + 0.6 * (len(words) - 1))), term)

    chosen: list[str] = []
    used: set[str] = set()
    for term in sorted(candidates, key=weight):
        if used & set(term.split()):
            continue
        chosen.append(term)
        used.update(term.split())
        if len(chosen) == limit:
            break
    return chosen


def group_reasons(
    members: Sequence[Person], rules: MatchRules, rarity: Callable[[str], float] | None = None
) -> tuple[str, ...]:
    """Top 2-3 reasons for a group, strongest first, naming people where it helps."""
    reasons: list[str] = []
    everyone = "both" if len(members) == 2 else "all three"
    phrases = shared_phrases([m.challenge for m in members], rarity)
    if phrases:
        reasons.append(f"{everyone} are working on {_join(phrases)}")
    stages = sorted(members, key=lambda m: stage_index(m.stage))
    gap = stage_index(stages[-1].stage) - stage_index(stages[0].stage)
    if gap and (rules.stage_mode == "ahead" or gap == 1):
        lead = stages[-1]
        reasons.append(f"{lead.name} is {STAGE_GAP_WORDS[gap]} ahead, at {STAGES[lead.stage]}")
    elif not gap:
        reasons.append(f"{everyone} are at the {STAGES[stages[0].stage]} stage")
    common = frozenset.intersection(*[m.areas for m in members])
    if common:
        labels = [INTEGRATION_AREAS.get(a, a) for a in sorted(common)]
        reasons.append(f"{everyone} cover {_join(labels)}")
    types = sorted({m.org_type for m in members})
    if len(types) > 1:
        reasons.append(_join([_article(ORG_TYPES.get(t, t)) for t in types]))
    regions = {m.region for m in members}
    if len(regions) == 1 and rules.weight_same_region >= 0:
        region = next(iter(regions))
        reasons.append(f"{everyone} in {'' if region in NO_ARTICLE else 'the '}{REGIONS.get(region, region)}")
    return tuple(reasons[:3])
