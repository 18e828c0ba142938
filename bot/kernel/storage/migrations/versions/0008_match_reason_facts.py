"""Match reasons become facts keyed by member id, so a member's erasure leaves no name in them.

Until now match_groups.reasons held the sentences people read ("Sam is a stage ahead, at
implementing"), which kept a leaver's name in their partner's `/peer mydata` and in the
database. Each stored sentence is read back into the fact it was written from (matching/
reason_facts.py): the member a sentence names is found among the group's members by display
name, and one no longer there (or named twice) becomes an unknown member, shown as "your
peer"; the phrases of "both are working on …" are not kept (they are quoted again from the
members' challenges when shown). A sentence that cannot be read is dropped, so no stored
sentence survives. The downgrade writes sentences again from the facts, with the names and
challenges members have now.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-10
"""

import re

import sqlalchemy as sa
from alembic import op

from matching.reason_facts import (
    STAGE_GAP_WORDS,
    OrgTypes,
    ReasonFact,
    SameRegion,
    SameStage,
    SharedAreas,
    SharedWork,
    StageAhead,
    facts_from_json,
    facts_to_json,
    reason_words,
)
from matching.vocabulary import INTEGRATION_AREAS, ORG_TYPES, REGIONS, STAGES

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

groups = sa.table("match_groups", sa.column("id", sa.Integer), sa.column("reasons", sa.JSON))
EVERYONE = {"both": 2, "all three": 3}
GROUP_WIDE = re.compile(
    r"(?P<everyone>both|all three) (?P<verb>are working on|are at the|cover|in) (?P<rest>.+)"
)
AHEAD = re.compile(r"(?P<name>.+) is (?P<gap>a stage|two stages|three stages) ahead, at (?P<stage>.+)")


def _key(vocabulary: dict[str, str], label: str) -> str | None:
    return next((key for key, shown in vocabulary.items() if shown == label), None)


def _keys(vocabulary: dict[str, str], listing: str) -> tuple[str, ...] | None:
    """Keys of a list written "a, b and c"; None if any item is not in the vocabulary."""
    keys = [_key(vocabulary, label) for label in re.split(r", | and ", listing)]
    return None if None in keys else tuple(sorted(keys))


def _group_wide(sentence: str) -> ReasonFact | None:
    found = GROUP_WIDE.fullmatch(sentence)
    if found is None:
        return None
    size, verb, rest = EVERYONE[found["everyone"]], found["verb"], found["rest"]
    if verb == "are working on":
        return SharedWork(size)
    if verb == "are at the":
        stage = _key(STAGES, rest.removesuffix(" stage"))
        return SameStage(size, stage) if stage else None
    if verb == "cover":
        areas = _keys(INTEGRATION_AREAS, rest)
        return SharedAreas(size, areas) if areas else None
    region = _key(REGIONS, rest.removeprefix("the "))
    return SameRegion(size, region) if region else None


def _stage_ahead(sentence: str, names: dict[str, str]) -> ReasonFact | None:
    found = AHEAD.fullmatch(sentence)
    gaps = {words: gap for gap, words in STAGE_GAP_WORDS.items()}
    stage = _key(STAGES, found["stage"]) if found else None
    if stage is None or found["gap"] not in gaps:
        return None
    named = [member for member, name in names.items() if name == found["name"]]
    return StageAhead(named[0] if len(named) == 1 else None, stage, gaps[found["gap"]])


def _org_types(sentence: str) -> ReasonFact | None:
    labels = re.split(r", | and ", sentence)
    if len(labels) < 2 or not all(label.startswith(("a ", "an ")) for label in labels):
        return None
    keys = [_key(ORG_TYPES, label.split(" ", 1)[1]) for label in labels]
    return None if None in keys else OrgTypes(tuple(sorted(keys)))


def sentence_to_fact(sentence: object, names: dict[str, str]) -> ReasonFact | None:
    """The fact a stored sentence was written from, or None if it is not one this code wrote.

    Only the member's id is kept of a name; a fact other than shared work must render back to
    the very sentence (the same labels, articles and order), or the sentence is dropped.
    """
    if not isinstance(sentence, str):
        return None
    fact = _group_wide(sentence) or _stage_ahead(sentence, names) or _org_types(sentence)
    if fact is None or isinstance(fact, SharedWork | StageAhead):
        return fact
    return fact if reason_words([fact], {}, {}) == (sentence,) else None


def _members(bind) -> dict[int, dict[str, tuple[str, str]]]:
    """Each group's members now: profile id (as matching knows it) -> (display name, challenge)."""
    rows = bind.execute(
        sa.text(
            "SELECT m.group_id, p.id, p.display_name, p.challenge FROM group_members m "
            "JOIN profiles p ON p.id = m.profile_id"
        )
    )
    members: dict[int, dict[str, tuple[str, str]]] = {}
    for group_id, profile_id, name, challenge in rows.all():
        members.setdefault(group_id, {})[str(profile_id)] = (name, challenge)
    return members


def upgrade() -> None:
    bind = op.get_bind()
    members = _members(bind)
    for group_id, reasons in bind.execute(sa.select(groups.c.id, groups.c.reasons)).all():
        names = {member: name for member, (name, _) in members.get(group_id, {}).items()}
        facts = [fact for sentence in reasons or [] if (fact := sentence_to_fact(sentence, names))]
        bind.execute(groups.update().where(groups.c.id == group_id).values(reasons=facts_to_json(facts)))


def downgrade() -> None:
    bind = op.get_bind()
    members = _members(bind)
    for group_id, reasons in bind.execute(sa.select(groups.c.id, groups.c.reasons)).all():
        here = members.get(group_id, {})
        names = {member: name for member, (name, _) in here.items()}
        challenges = {member: challenge for member, (_, challenge) in here.items()}
        sentences = list(reason_words(facts_from_json(reasons or []), names, challenges))
        bind.execute(groups.update().where(groups.c.id == group_id).values(reasons=sentences))
