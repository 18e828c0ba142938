"""Admin commands for matching (preview, round, rules, set, stats) and a person's private
"don't pair me with" list."""

from __future__ import annotations

from sqlalchemy import func, select

from bot.kernel.core import Core
from bot.kernel.dispatch import Route
from bot.kernel.durations import describe_roughly
from bot.kernel.errors import UserError
from bot.kernel.invocation import Invocation
from bot.kernel.messages import Button, Message
from bot.kernel.storage.models import Profile
from bot.rounds.report import render_plan
from bot.rounds.service import RecentRound, RoundService
from matching.rules import RULE_HELP, rules_to_mapping


def rounds(core: Core) -> RoundService:
    return core.services["rounds"]


def caller_scope(core: Core, inv: Invocation) -> str:
    return rounds(core).scope_of(inv.actor.platform, inv.actor.community)


AGAIN = "again"


def _seed_arg(args: tuple[str, ...]) -> int | None:
    if not args:
        return None
    if len(args) == 2 and args[0] == "seed" and args[1].isdigit():
        return int(args[1])
    raise UserError("Use `/peer admin preview` or `/peer admin preview seed 1234`.")


def recent_round_question(recent: RecentRound, now) -> str:
    """Why a second round needs a yes, in the admin's words: when, and where introductions stand."""
    going = (
        "introductions are going out" if recent.introductions_pending else "its introductions have gone out"
    )
    return (
        f"Round {recent.round_id} was committed {describe_roughly(now - recent.committed_at)} ago; "
        f"{going}. Another round now would give everyone a second partner at once. "
        "Start another anyway?"
    )


async def admin_preview(core: Core, inv: Invocation) -> None:
    planned = await rounds(core).preview(caller_scope(core, inv), _seed_arg(inv.args))
    await core.outbox.reply(
        inv,
        Message(
            render_plan(planned),
            buttons=(Button("Send this round", "admin.round", ("seed", str(planned.plan.seed)), "primary"),),
        ),
    )


async def admin_round(core: Core, inv: Invocation) -> None:
    who = f"{inv.actor.platform}:{inv.actor.user_id}"
    again = bool(inv.args) and inv.args[-1] == AGAIN
    args = inv.args[:-1] if again else inv.args
    try:
        planned = await rounds(core).commit(caller_scope(core, inv), who, _seed_arg(args), again=again)
    except RecentRound as recent:
        await core.outbox.reply(
            inv,
            Message(
                recent_round_question(recent, core.clock.now()),
                buttons=(Button("Start another round", "admin.round", (*args, AGAIN), "danger"),),
            ),
        )
        return
    await core.outbox.reply(
        inv,
        Message(
            f"Round {planned.round_id} committed: {len(planned.plan.groups)} groups; introductions "
            f"are on their way. {len(planned.plan.unmatched)} people will be told why they "
            "weren't matched."
        ),
    )


async def admin_rules(core: Core, inv: Invocation) -> None:
    rules, version = await rounds(core).current_rules(caller_scope(core, inv))
    lines = [f"*Matching rules* (version {version}); change one with `/peer admin set NAME VALUE`:"]
    for key, value in rules_to_mapping(rules).items():
        lines.append(
            f"• `{key}` = {str(value).lower() if isinstance(value, bool) else value}: {RULE_HELP[key]}"
        )
    await core.outbox.reply(inv, Message("\n".join(lines)))


async def admin_set(core: Core, inv: Invocation) -> None:
    if len(inv.args) != 2:
        raise UserError(
            "Use `/peer admin set NAME VALUE`, e.g. `/peer admin set group_size 3`. "
            "`/peer admin rules` lists the names."
        )
    key, value = inv.args
    who = f"{inv.actor.platform}:{inv.actor.user_id}"
    _, version = await rounds(core).set_rule(caller_scope(core, inv), key, value, who)
    await core.outbox.reply(
        inv,
        Message(f"Set `{key}` to {value} (rules version {version}). `/peer admin preview` shows the effect."),
    )


async def admin_stats(core: Core, inv: Invocation) -> None:
    platform, community = inv.actor.platform, inv.actor.community
    async with core.db.session() as session:
        counts = dict(
            (
                await session.execute(
                    select(Profile.status, func.count())
                    .where((Profile.platform == platform) & (Profile.community == community))
                    .group_by(Profile.status)
                )
            ).all()
        )
    scope = caller_scope(core, inv)
    total_rounds = await rounds(core).round_count(scope)
    await core.outbox.reply(
        inv,
        Message(
            f"*Participation* in this community: {counts.get('active', 0)} active, "
            f"{counts.get('paused', 0)} paused, {counts.get('pending', 0)} yet to consent; "
            f"{total_rounds} rounds so far in {scope}."
        ),
    )


async def _find_in_scope(core: Core, inv: Invocation, name: str) -> Profile:
    service = rounds(core)
    scope = caller_scope(core, inv)
    wanted = " ".join(name.casefold().split())
    async with core.db.session() as session:
        candidates = (await session.execute(select(Profile).where(Profile.status != "pending"))).scalars()
        found = [
            p
            for p in candidates
            if service.scope_of(p.platform, p.community) == scope
            and " ".join(p.display_name.casefold().split()) == wanted
        ]
    if not found:
        raise UserError(f"Nobody called “{name}” has joined here. Check the spelling of their display name.")
    return found[0]


async def avoid(core: Core, inv: Invocation) -> None:
    me = await core.people.require(inv.actor)
    if not inv.args:
        async with core.db.session() as session:
            names = [
                (await session.get(Profile, pid)).display_name
                for pid in me.dont_pair_with
                if await session.get(Profile, pid) is not None
            ]
        listing = ", ".join(names) if names else "nobody"
        await core.outbox.reply(
            inv,
            Message(
                f"You won't be paired with: {listing}. Only you can see this list. "
                "Add with `/peer avoid NAME`, remove with `/peer avoid remove NAME`."
            ),
        )
        return
    removing = inv.args[0].casefold() == "remove"
    other = await _find_in_scope(core, inv, " ".join(inv.args[1:] if removing else inv.args))
    if other.id == me.id:
        raise UserError("That's you.")
    async with core.db.session() as session, session.begin():
        stored = await session.get(Profile, me.id)
        current = [pid for pid in stored.dont_pair_with if pid != other.id]
        stored.dont_pair_with = current if removing else [*current, other.id]
    verb = "may be paired with" if removing else "won't be paired with"
    await core.outbox.reply(inv, Message(f"Done: you {verb} {other.display_name}. Only you can see this."))


ROUTES: dict[str, Route] = {
    "admin.preview": Route(
        admin_preview, "admin preview [seed N]", "preview the next round; nothing is sent", admin=True
    ),
    "admin.round": Route(
        admin_round,
        "admin round [seed N] [again]",
        "run a round now and send introductions (again: even just after the last one)",
        admin=True,
    ),
    "admin.rules": Route(admin_rules, "admin rules", "show the matching rules", admin=True),
    "admin.set": Route(admin_set, "admin set NAME VALUE", "change a matching rule", admin=True),
    "admin.stats": Route(admin_stats, "admin stats", "participation figures (never content)", admin=True),
    "avoid": Route(avoid, "avoid [remove] [NAME]", "privately choose people you won't be paired with"),
}
