"""The rules of rounds, as pure functions: which scope a community is matched in, what an admin
typed, when a second round needs a yes, which pairs a history rules out, and where and when an
introduction may go. No database and no clock: callers pass `now`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from itertools import combinations

from bot.kernel.errors import UserError
from bot.kernel.invocation import Actor
from bot.kernel.outbox import DirectMessage, GroupMessage
from bot.kernel.quiet_hours import QuietHoursSettings, hold_for_quiet_hours
from bot.kernel.storage.models import Profile
from bot.rounds.plans import AvoidRequest
from matching.model import PairHistory, Person

AGAIN = "again"
FEDERATION = "federation:"
# Looking ahead this many times is enough for any set of time zones to share a daytime moment.
QUIET_HOURS_LOOKAHEADS = 3

# One member of a past group: (round id, group id, group outcome, profile id, wants to continue).
Membership = tuple[int, int, str | None, int, bool]


def scope_of(federations: Mapping[str, Sequence[str]], platform: str, community: str) -> str:
    """The scope a community is matched in: its federation, or the community itself."""
    key = f"{platform}:{community}"
    for name, members in federations.items():
        if key in members:
            return f"{FEDERATION}{name}"
    return key


def communities_in(federations: Mapping[str, Sequence[str]], scope: str) -> list[tuple[str, str]]:
    """(platform, community) pairs belonging to a scope."""
    members = (
        federations.get(scope.removeprefix(FEDERATION), ()) if scope.startswith(FEDERATION) else (scope,)
    )
    return [tuple(member.split(":", 1)) for member in members if ":" in member]


def started_by(actor: Actor) -> str:
    """Who started a round or changed a rule, as stored with it."""
    return f"{actor.platform}:{actor.user_id}"


def seed_from_args(args: Sequence[str]) -> int | None:
    """`seed N` after `admin preview` or `admin round`: a reproducible plan; nothing: a random one."""
    if not args:
        return None
    if len(args) == 2 and args[0] == "seed" and args[1].isdigit():
        return int(args[1])
    raise UserError("Use `/peer admin preview` or `/peer admin preview seed 1234`.")


def split_again(args: Sequence[str]) -> tuple[tuple[str, ...], bool]:
    """A trailing `again` confirms a repeat round: (the other words, whether it was there)."""
    again = bool(args) and args[-1] == AGAIN
    return tuple(args[:-1] if again else args), again


def avoid_request(args: Sequence[str]) -> AvoidRequest | None:
    """`/peer avoid` lists (None); `/peer avoid NAME` adds; `/peer avoid remove NAME` removes."""
    if not args:
        return None
    remove = args[0].casefold() == "remove"
    return AvoidRequest(" ".join(args[1:] if remove else args), remove)


def same_name(typed: str, display_name: str) -> bool:
    """Whether a typed name is this display name, ignoring case and spacing."""
    return " ".join(typed.casefold().split()) == " ".join(display_name.casefold().split())


def needs_repeat_confirmation(committed_at: datetime, now: datetime, within: timedelta) -> bool:
    """A round committed less than `within` ago (a zero `within` never asks) would give everyone
    a second partner at once, so another one needs an admin's yes."""
    return bool(within) and now - committed_at < within


def pair_history(
    recent_rounds: Sequence[int], memberships: Iterable[Membership], dont_pair: Mapping[int, Sequence[int]]
) -> PairHistory:
    """Who met in the recent rounds (newest first), who asked to continue together in the
    newest, and who asked never to be paired; ids as the matching engine names people.

    A group marked "not_met" does not count as having met; `dont_pair` lists only the people
    available now, and only pairs between them are blocked.
    """
    groups: dict[int, dict] = {}
    for round_id, group_id, outcome, profile_id, wants in memberships:
        group = groups.setdefault(group_id, {"round": round_id, "outcome": outcome, "members": []})
        group["members"].append((str(profile_id), wants))
    by_round: dict[int, list[frozenset[str]]] = {r: [] for r in recent_rounds}
    continuing: set[frozenset[str]] = set()
    for group in groups.values():
        members = [m for m, _ in group["members"]]
        if group["outcome"] != "not_met":
            by_round[group["round"]].extend(frozenset(p) for p in combinations(members, 2))
        if recent_rounds and group["round"] == recent_rounds[0]:
            keen = [m for m, wants in group["members"] if wants]
            continuing.update(frozenset(p) for p in combinations(keen, 2) if len(keen) >= 2)
    blocked = {
        frozenset((str(pid), str(other)))
        for pid, others in dont_pair.items()
        for other in others
        if other in dont_pair and other != pid
    }
    return PairHistory(
        recent_rounds=tuple(tuple(by_round[r]) for r in recent_rounds),
        blocked=frozenset(blocked),
        continuing=frozenset(continuing),
    )


def people_for_round(profiles: Sequence[Profile], vectors: Sequence, scope: str) -> tuple[Person, ...]:
    """Profiles as the matching engine sees them: what it may weigh, and nothing more."""
    return tuple(
        Person(
            id=str(p.id),
            name=p.display_name,
            organisation=p.organisation,
            org_type=p.org_type,
            region=p.region,
            areas=frozenset(p.areas),
            stage=p.stage,
            challenge=p.challenge,
            vector=vector,
            scope=scope,
        )
        for p, vector in zip(profiles, vectors, strict=True)
    )


def group_destination(members: Sequence[Profile]) -> list[GroupMessage | DirectMessage]:
    """One group conversation when everyone is in the same community, else one DM each."""
    communities = {(p.platform, p.community) for p in members}
    if len(communities) == 1:
        platform, community = communities.pop()
        return [GroupMessage(platform, community, tuple(p.user_id for p in members))]
    return [DirectMessage(p.platform, p.community, p.user_id) for p in members]


def daytime_for_everyone(settings: QuietHoursSettings, timezones: Iterable[str], now: datetime) -> datetime:
    """The first moment from `now` outside everyone's quiet hours, so a group message wakes nobody.

    Takes one reading of the clock: comparing the answer with a second reading of a moving
    clock would call every moment "quiet hours" and hold an introduction forever.
    """
    zones = list(timezones)
    when = now
    for _ in range(QUIET_HOURS_LOOKAHEADS):
        holds = [hold_for_quiet_hours(settings, zone, when) for zone in zones]
        later = max((h for h in holds if h is not None), default=None)
        if later is None:
            break
        when = later
    return when
