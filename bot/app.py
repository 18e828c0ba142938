"""The composition root: builds the core from the config. Nothing here runs at import time."""

from __future__ import annotations

from bot import (
    checkin_commands,
    checkin_jobs,
    community_setup,
    home_sections,
    introductions,
    profile_commands,
    relay,
    relay_commands,
    round_commands,
)
from bot.assist import assistant_from_config
from bot.clock import Clock, SystemClock
from bot.config import Config
from bot.core import Core
from bot.dispatch import Dispatcher
from bot.jobs import JobQueue
from bot.outbox import Outbox
from bot.profiles import ProfileService
from bot.round_data import RoundData
from bot.rounds import RoundService
from bot.similarity import Vectoriser, vectoriser_from_config
from bot.storage.database import Database

FEATURE_ROUTES = (
    profile_commands.ROUTES,
    round_commands.ROUTES,
    checkin_commands.ROUTES,
    relay_commands.ROUTES,
    community_setup.ROUTES,
)
# Features that hook into the core once it is built (jobs, services, personal data; no I/O) …
FEATURE_INSTALLS = (
    introductions.register,
    checkin_jobs.install,
    relay.install,
    home_sections.install,
    community_setup.install,
)
# … and that check or schedule something when the database is ready (each may return a note).
FEATURE_STARTS = (relay.start,)


def build_core(
    config: Config,
    clock: Clock | None = None,
    vectoriser: Vectoriser | None = None,
    db: Database | None = None,
) -> Core:
    """Wire every service from the config; call `prepare` before handling anything."""
    clock = clock or SystemClock()
    db = db or Database(config.database_url(), config.database.connect_timeout.total_seconds())
    outbox = Outbox(config.privacy, db, clock, config.delivery.per_platform)
    assist = assistant_from_config(config)
    vectoriser = vectoriser or vectoriser_from_config(config, assist.client)
    profiles = ProfileService(db, clock, vectoriser, [RoundData()])
    dispatcher = Dispatcher({})
    for routes in FEATURE_ROUTES:
        dispatcher.add(routes)
    jobs = JobQueue(
        lease=config.checkins.lease,
        concurrency=config.delivery.concurrency or (1 if db.is_sqlite else 32),
        send_margin=config.send_timeout(),
    )
    core = Core(
        config=config, db=db, clock=clock, outbox=outbox, profiles=profiles, dispatcher=dispatcher, jobs=jobs
    )
    core.services["assist"] = assist
    core.services["rounds"] = RoundService(config, db, clock, vectoriser)
    for install in FEATURE_INSTALLS:
        install(core)
    return core


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
