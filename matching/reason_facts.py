"""Why a group was matched, as facts that name nobody, and the plain words shown for them.

A group's reasons are kept as facts: member ids, vocabulary keys (stage, areas, organisation
types, region) and numbers, never a name, organisation, role or word of a challenge. The
words are rendered whenever they are shown, from the names and challenges of the members
still in the group, so someone who leaves takes their name with them: a member who is gone
reads as "your peer" (as check-ins call a partner who left), and the phrases their challenge
shared are no longer quoted.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, fields
from typing import Any, ClassVar

from matching.phrases import picked_phrases
from matching.vocabulary import INTEGRATION_AREAS, ORG_TYPES, REGIONS, STAGES

GONE = "your peer"
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


def _everyone(size: int) -> str:
    return "both" if size == 2 else "all three"


@dataclass(frozen=True)
class SharedWork:
    """Everyone's challenges share telling phrases. `picks` are the chosen phrases' positions
    among the `of` phrases the challenges shared (matching.phrases), so the same phrases are
    quoted again from the challenges without any of their words being kept here."""

    kind: ClassVar[str] = "shared_work"
    size: int
    picks: tuple[int, ...] = ()
    of: int = 0

    def words(self, names: Mapping[str, str], challenges: Mapping[str, str]) -> str:
        """Quotes the phrases only while every member is there: they are also the leaver's words."""
        everyone = _everyone(self.size)
        everyone_here = len(challenges) >= self.size
        phrases = picked_phrases(list(challenges.values()), self.picks, self.of) if everyone_here else []
        return f"{everyone} are working on {_join(phrases) if phrases else 'similar challenges'}"


@dataclass(frozen=True)
class StageAhead:
    """One member is further along; `member` is None when the member is not known (a group
    whose stored sentence named someone who had already left)."""

    kind: ClassVar[str] = "stage_ahead"
    member: str | None
    stage: str
    gap: int

    def words(self, names: Mapping[str, str], challenges: Mapping[str, str]) -> str:
        """Names the member as they are called now, or "your peer" once they have left."""
        name = names.get(self.member, GONE) if self.member is not None else GONE
        return f"{name} is {STAGE_GAP_WORDS[self.gap]} ahead, at {STAGES.get(self.stage, self.stage)}"


@dataclass(frozen=True)
class SameStage:
    """Everyone is at the same stage of their integration work."""

    kind: ClassVar[str] = "same_stage"
    size: int
    stage: str

    def words(self, names: Mapping[str, str], challenges: Mapping[str, str]) -> str:
        """Says e.g. "both are at the planning stage": true of everyone, so it names nobody."""
        return f"{_everyone(self.size)} are at the {STAGES.get(self.stage, self.stage)} stage"


@dataclass(frozen=True)
class SharedAreas:
    """Integration areas everyone covers (vocabulary keys, sorted)."""

    kind: ClassVar[str] = "shared_areas"
    size: int
    areas: tuple[str, ...]

    def words(self, names: Mapping[str, str], challenges: Mapping[str, str]) -> str:
        """Says e.g. "both cover health and housing", in the vocabulary's words."""
        labels = [INTEGRATION_AREAS.get(area, area) for area in self.areas]
        return f"{_everyone(self.size)} cover {_join(labels)}"


@dataclass(frozen=True)
class OrgTypes:
    """The different kinds of organisation in the group (vocabulary keys, sorted)."""

    kind: ClassVar[str] = "org_types"
    org_types: tuple[str, ...]

    def words(self, names: Mapping[str, str], challenges: Mapping[str, str]) -> str:
        """Says e.g. "a council and an NHS trust": kinds of organisation, never which one."""
        return _join([_article(ORG_TYPES.get(org_type, org_type)) for org_type in self.org_types])


@dataclass(frozen=True)
class SameRegion:
    """Everyone works in the same region."""

    kind: ClassVar[str] = "same_region"
    size: int
    region: str

    def words(self, names: Mapping[str, str], challenges: Mapping[str, str]) -> str:
        """Says e.g. "both in the North West" or "both in London"."""
        place = REGIONS.get(self.region, self.region)
        return f"{_everyone(self.size)} in {'' if self.region in NO_ARTICLE else 'the '}{place}"


ReasonFact = SharedWork | StageAhead | SameStage | SharedAreas | OrgTypes | SameRegion
KINDS: dict[str, type[ReasonFact]] = {
    kind.kind: kind for kind in (SharedWork, StageAhead, SameStage, SharedAreas, OrgTypes, SameRegion)
}


def reason_words(
    facts: Iterable[ReasonFact], names: Mapping[str, str], challenges: Mapping[str, str]
) -> tuple[str, ...]:
    """The reasons as people read them, rendered now rather than stored, so they always name
    members as they are called today and never someone who has left.

    `names` and `challenges` hold the group's members who are still there, by member id;
    anyone else reads as "your peer", and shared phrases are quoted only while everyone is.
    """
    return tuple(fact.words(names, challenges) for fact in facts)


def facts_to_json(facts: Iterable[ReasonFact]) -> list[dict[str, Any]]:
    """Facts as JSON-ready mappings ({"kind": "stage_ahead", "member": "17", …}) for storing."""
    stored = []
    for fact in facts:
        values = ((f.name, getattr(fact, f.name)) for f in fields(fact))
        stored.append({"kind": fact.kind} | {k: list(v) if isinstance(v, tuple) else v for k, v in values})
    return stored


def facts_from_json(stored: Iterable[Any]) -> tuple[ReasonFact, ...]:
    """Stored facts back as facts; an entry of a kind this code does not know (written by a
    newer version) or malformed is left out rather than shown wrongly."""
    facts: list[ReasonFact] = []
    for entry in stored:
        kind = KINDS.get(entry.get("kind")) if isinstance(entry, Mapping) else None
        if kind is None:
            continue
        values = {f.name: entry[f.name] for f in fields(kind) if f.name in entry}
        try:
            facts.append(kind(**{k: tuple(v) if isinstance(v, list) else v for k, v in values.items()}))
        except TypeError:
            continue
    return tuple(facts)
