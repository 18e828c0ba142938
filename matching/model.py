"""Plain data passed into and out of the matching engine.

Everything is a frozen dataclass so a round plan can be compared, cached and
logged by the caller without the engine ever holding state between rounds.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from matching.reason_facts import ReasonFact

if TYPE_CHECKING:
    from matching.rules import MatchRules

SparseVector = dict[int, float]
DenseVector = tuple[float, ...]
Vector = SparseVector | DenseVector


def normalise_organisation(name: str) -> str:
    """Fold case and spacing so "Leeds  City council" and "leeds city council" count as one organisation."""
    return " ".join(name.casefold().split())


@dataclass(frozen=True)
class Person:
    """One practitioner available this round, with the profile facts matching may use."""

    id: str
    name: str
    organisation: str
    org_type: str
    region: str
    areas: frozenset[str]
    stage: str
    challenge: str
    vector: Vector = field(hash=False, compare=False)
    scope: str

    @property
    def organisation_key(self) -> str:
        """The organisation as compared by the same-organisation rule."""
        return normalise_organisation(self.organisation)


@dataclass(frozen=True)
class PairHistory:
    """What the caller knows about past rounds; the engine never looks anything up itself."""

    recent_rounds: tuple[tuple[frozenset[str], ...], ...] = ()
    blocked: frozenset[frozenset[str]] = frozenset()
    continuing: frozenset[frozenset[str]] = frozenset()


@dataclass(frozen=True)
class Group:
    """People introduced to each other, with the mean pair score and why they were matched
    (as facts naming nobody: matching.reason_facts.reason_words renders them)."""

    members: tuple[str, ...]
    score: float
    similarity: float
    reasons: tuple[ReasonFact, ...]


@dataclass(frozen=True)
class Unmatched:
    """Someone who could not be placed, with words that can be shown to them."""

    person_id: str
    reason: str


@dataclass(frozen=True)
class RoundMetrics:
    """Summary figures so admins can see whether matching beat chance."""

    people: int
    matched: int
    unmatched: int
    mean_score: float
    mean_similarity: float
    cross_org_rate: float
    repeats: int


@dataclass(frozen=True)
class RoundPlan:
    """The full outcome of one round.

    `objective` is the total pair score of the pairing step (every pair made
    also earns `pair_bonus`, which is 0 unless some weights are negative);
    `upper_bound` is a proven bound on that same quantity, so
    `objective / upper_bound` is a guaranteed quality ratio.
    """

    groups: tuple[Group, ...]
    unmatched: tuple[Unmatched, ...]
    metrics: RoundMetrics
    baseline: RoundMetrics
    seed: int
    rules: MatchRules
    upper_bound: float | None
    optimal: bool
    objective: float = 0.0
    pair_bonus: float = 0.0
