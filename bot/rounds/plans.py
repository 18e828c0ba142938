"""What the rounds service hands back: a plan with what it was made from, and the refusal that
asks an admin to confirm a second round soon after the last."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.kernel.storage.models import Profile
from matching.model import PairHistory, Person, RoundPlan
from matching.rules import MatchRules


@dataclass(frozen=True)
class RoundInput:
    """Everything a plan was made from, with the profiles to name people in reports."""

    scope: str
    rules: MatchRules
    rules_version: int
    people: tuple[Person, ...]
    profiles: dict[str, Profile]
    history: PairHistory


@dataclass(frozen=True)
class PlannedRound:
    """A plan and what it was made from (a preview, or a committed round with its id)."""

    input: RoundInput
    plan: RoundPlan
    round_id: int | None = None


class RecentRound(Exception):
    """A round was committed in this scope moments ago; starting another needs a yes."""

    def __init__(self, round_id: int, committed_at: datetime, introductions_pending: int):
        super().__init__(f"round {round_id} was committed at {committed_at.isoformat()}")
        self.round_id, self.committed_at = round_id, committed_at
        self.introductions_pending = introductions_pending


@dataclass(frozen=True)
class Participation:
    """How many people in a community are active, paused or yet to consent, and its rounds."""

    active: int
    paused: int
    pending: int
    scope: str
    rounds: int


@dataclass(frozen=True)
class AvoidRequest:
    """`/peer avoid [remove] NAME`: whom, and whether to take them off the list."""

    name: str
    remove: bool
