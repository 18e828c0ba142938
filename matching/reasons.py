"""Plain-words reasons for a group, so people see why they were introduced."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from matching.model import Person
from matching.rules import MatchRules
from matching.text_vectors import analyse
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


def shared_phrases(
    texts: Sequence[str], rarity: Callable[[str], float] | None = None, limit: int = 2
) -> list[str]:
    """Most telling words or two-word phrases shared by the challenge texts.

    Two-word phrases beat single words, rarer terms in the round beat common ones,
    and a single word already inside a chosen phrase is not repeated.
    """
    term_sets = [set(analyse(t)) for t in texts]
    shared = set.intersection(*term_sets) if term_sets else set()
    phrases = {t for t in shared if " " in t}
    merged = True
    while merged:
        merged = False
        for x in sorted(phrases):
            for y in sorted(phrases):
                if x != y and x.split()[-1] == y.split()[0]:
                    phrases -= {x, y}
                    phrases.add(" ".join(x.split() + y.split()[1:]))
                    merged = True
                    break
            if merged:
                break
    candidates = phrases | {t for t in shared if " " not in t}

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
