"""The composition root: builds the core and every feature from the config, and nothing else
does. Nothing here runs at import time.

`build_app` returns the core (what adapters use) with each feature's service as a typed
field (what the command line, the runner and tests use); features never look each other up.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

from bot.app import home_sections
from bot.assist.service import Assistant, assistant_from_config
from bot.checkins.install import install as install_checkins
from bot.checkins.service import CheckinService
from bot.community import setup as community_setup
from bot.community.setup import CommunitySetup
from bot.kernel.clock import Clock, SystemClock
from bot.kernel.config import Config
from bot.kernel.core import Core
from bot.kernel.dispatch import Dispatcher
from bot.kernel.hooks import Hooks
from bot.kernel.jobs import JobQueue
from bot.kernel.outbox import Outbox
from bot.kernel.people import People
from bot.kernel.similarity import Vectoriser, vectoriser_from_config
from bot.kernel.storage.database import Database
from bot.profiles import commands as profile_commands
from bot.profiles.home import home_summary
from bot.profiles.service import ProfileService
from bot.relay import commands as relay_commands
from bot.relay import service as relay
from bot.relay.service import RelayService
from bot.rounds import commands as round_commands
from bot.rounds import introductions
from bot.rounds import schedule as round_schedule
from bot.rounds.personal_data import RoundData
from bot.rounds.service import RoundService

FEATURE_ROUTES = (
    profile_commands.ROUTES,
    round_commands.ROUTES,
    relay_commands.ROUTES,
    community_setup.ROUTES,
)
# Features that hook into the core once it is built (jobs, services, personal data; no I/O) …
FEATURE_INSTALLS = (
    introductions.register,
    round_schedule.install,
    relay.install,
    home_sections.install,
    community_setup.install,
)
# … and that check or schedule something when the database is ready (each may return a note).
FEATURE_STARTS = (relay.start,)


@dataclass
class App:
    """The built bot: the kernel's core and each feature's service."""

    core: Core
    profiles: ProfileService
    rounds: RoundService
    checkins: CheckinService
    relay: RelayService
    assist: Assistant
    community: CommunitySetup


def build_core(
    config: Config,
    clock: Clock | None = None,
    vectoriser: Vectoriser | None = None,
    db: Database | None = None,
) -> Core:
    """The core alone, for callers that only hand it to adapters."""
    return build_app(config, clock, vectoriser, db).core


def build_app(
    config: Config,
    clock: Clock | None = None,
    vectoriser: Vectoriser | None = None,
    db: Database | None = None,
) -> App:
    """Wire every feature from the config; call `prepare` before handling anything."""
    clock = clock or SystemClock()
    db = db or Database(config.database_url(), config.database.connect_timeout.total_seconds())
    outbox = Outbox(config.privacy, db, clock, config.delivery.per_platform)
    assist = assistant_from_config(config)
    vectoriser = vectoriser or vectoriser_from_config(config, assist.client)
    hooks = Hooks(personal_data=[RoundData()])
    profiles = ProfileService(db, clock, vectoriser, hooks.personal_data)
    dispatcher = Dispatcher({})
    for routes in FEATURE_ROUTES:
        dispatcher.add(routes)
    jobs = JobQueue(
        lease=config.checkins.lease,
        concurrency=config.delivery.concurrency or (1 if db.is_sqlite else 32),
        send_margin=config.send_timeout(),
    )
    core = Core(
        config=config,
        db=db,
        clock=clock,
        outbox=outbox,
        dispatcher=dispatcher,
        jobs=jobs,
        people=People(db),
        hooks=hooks,
        profiles=profiles,
    )
    hooks.closes.append(assist.close)
    hooks.home_page = partial(home_summary, core)
    core.services["assist"] = assist
    core.services["rounds"] = RoundService(config, db, clock, vectoriser)
    checkins = install_checkins(core)
    for install in FEATURE_INSTALLS:
        install(core)
    return App(
        core=core,
        profiles=profiles,
        rounds=core.services["rounds"],
        checkins=checkins,
        relay=core.services["relay"],
        assist=assist,
        community=community_setup.setup_service(core),
    )


async def prepare(core: Core) -> list[str]:
    """Make the database ready (create or upgrade per config) and start features.

    Returns what was done, then any notes from features (e.g. why the relay is off).
    """
    notes = [await core.db.prepare(core.config.database.on_old_schema)]
    for start in FEATURE_STARTS:
        note = await start(core)
        if note:
            notes.append(note)
    return notes
