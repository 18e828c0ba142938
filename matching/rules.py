"""Admin-tunable matching rules, validated so a typo cannot silently change matching."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields
from typing import Any

STAGE_MODES = ("similar", "ahead")
WEIGHT_KEYS = (
    "weight_similarity",
    "weight_areas",
    "weight_stage",
    "weight_same_region",
    "weight_org_mix",
)

RULE_HELP: dict[str, str] = {
    "weight_similarity": "how much similar challenge descriptions count (-10 to 10)",
    "weight_areas": "how much sharing integration areas counts (-10 to 10)",
    "weight_stage": "how much the stage rule counts (-10 to 10)",
    "stage_mode": "'similar' pairs people at the same stage; "
    "'ahead' pairs people with someone one or two stages ahead",
    "weight_same_region": "bonus (positive) or penalty (negative) for being in the same region (-10 to 10)",
    "weight_org_mix": "how much pairing different kinds of organisation counts (-10 to 10)",
    "never_same_organisation": "true means two people from the same organisation are never paired",
    "no_repeat_rounds": "people who met within this many rounds are not paired again (0 to 52)",
    "group_size": "2 for pairs, 3 for trios",
}


class RuleError(ValueError):
    """A rule value an admin typed that cannot be used; str() is one line for the admin."""


@dataclass(frozen=True)
class MatchRules:
    """The weights and hard rules of a round; validated on creation."""

    weight_similarity: float = 3.0
    weight_areas: float = 1.0
    weight_stage: float = 0.5
    stage_mode: str = "similar"
    weight_same_region: float = 0.0
    weight_org_mix: float = 0.5
    never_same_organisation: bool = True
    no_repeat_rounds: int = 6
    group_size: int = 2

    def __post_init__(self) -> None:
        for key in WEIGHT_KEYS:
            value = getattr(self, key)
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not -10 <= value <= 10:
                raise RuleError(f"{key} = {value!r}: expected a number from -10 to 10")
            object.__setattr__(self, key, float(value))
        if self.stage_mode not in STAGE_MODES:
            raise RuleError(f"stage_mode = {self.stage_mode!r}: expected 'similar' or 'ahead'")
        if not isinstance(self.never_same_organisation, bool):
            raise RuleError(
                f"never_same_organisation = {self.never_same_organisation!r}: expected true or false"
            )
        rounds = self.no_repeat_rounds
        if isinstance(rounds, bool) or not isinstance(rounds, int) or not 0 <= rounds <= 52:
            raise RuleError(f"no_repeat_rounds = {rounds!r}: expected a whole number from 0 to 52")
        if isinstance(self.group_size, bool) or self.group_size not in (2, 3):
            raise RuleError(f"group_size = {self.group_size!r}: expected 2 or 3")


_RULE_KEYS = tuple(f.name for f in fields(MatchRules))


def rules_from_mapping(mapping: Mapping[str, Any]) -> MatchRules:
    """Build rules from stored settings, refusing unknown keys so typos are caught, not ignored."""
    for key in mapping:
        if key not in _RULE_KEYS:
            raise RuleError(
                f"{key} = {mapping[key]!r}: unknown rule, expected one of {', '.join(_RULE_KEYS)}"
            )
    return MatchRules(**dict(mapping))


def rules_to_mapping(rules: MatchRules) -> dict[str, Any]:
    """Plain dict of every rule, for persisting and for showing admins the current settings."""
    return asdict(rules)


def _parse(key: str, raw_text: str) -> Any:
    text = raw_text.strip()
    if key in WEIGHT_KEYS:
        try:
            return float(text)
        except ValueError:
            raise RuleError(f"{key} = {text!r}: expected a number from -10 to 10") from None
    if key == "never_same_organisation":
        lowered = text.lower()
        if lowered in ("true", "yes", "on", "1"):
            return True
        if lowered in ("false", "no", "off", "0"):
            return False
        raise RuleError(f"{key} = {text!r}: expected true or false")
    if key in ("no_repeat_rounds", "group_size"):
        try:
            return int(text)
        except ValueError:
            expected = "2 or 3" if key == "group_size" else "a whole number from 0 to 52"
            raise RuleError(f"{key} = {text!r}: expected {expected}") from None
    return text.lower()


def with_rule(rules: MatchRules, key: str, raw_text: str) -> MatchRules:
    """Change one rule from text an admin typed (e.g. "true", "3", "ahead"), validating it."""
    if key not in _RULE_KEYS:
        raise RuleError(f"{key} = {raw_text!r}: unknown rule, expected one of {', '.join(_RULE_KEYS)}")
    mapping = rules_to_mapping(rules)
    mapping[key] = _parse(key, raw_text)
    return MatchRules(**mapping)
