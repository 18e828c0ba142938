"""The composition root: builds the core and every feature from the config, and nothing else
does. Nothing here runs at import time.

`build_app` returns the core (what adapters use) with each feature's service as a typed
field (what the command line, the runner and tests use); features never look each other up.
The order of installs is the order of hooks: rounds' personal data first, the check-in line
on the home page before the relay's.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.assist.embeddings import vectoriser_from_config
from bot.assist.install import install as install_assist
from bot.assist.service import Assistant
from bot.checkins.install import install as install_checkins
from bot.checkins.service import CheckinService
from bot.community.install import install as install_community
from bot.community.service import CommunitySetup
from bot.kernel.clock import Clock, SystemClock
from bot.kernel.config import Config
from bot.kernel.core import Core
from bot.kernel.data_keys import data_keys_from_config
from bot.kernel.dispatch import Dispatcher
from bot.kernel.hooks import Hooks
from bot.kernel.jobs import JobQueue
from bot.kernel.outbox import Outbox
from bot.kernel.people import People
from bot.kernel.similarity import Vectoriser
from bot.kernel.storage.database import Database
from bot.profiles.install import install as install_profiles
from bot.profiles.service import ProfileService
from bot.relay.install import install as install_relay
from bot.relay.service import RelayService
from bot.rounds.install import install as install_rounds
from bot.rounds.service import RoundService


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


def kernel_from_config(config: Config, clock: Clock | None = None, db: Database | None = None) -> Core:
    """The kernel's parts, with no feature installed yet."""
    clock = clock or SystemClock()
    db = db or Database(config.database_url(), config.database.connect_timeout.total_seconds())
    db.use_data_keys(data_keys_from_config(config))
    return Core(
        config=config,
        db=db,
        clock=clock,
        outbox=Outbox(config.privacy, db, clock, config.delivery.per_platform),
        dispatcher=Dispatcher({}),
        jobs=JobQueue(
            lease=config.checkins.lease,
            concurrency=config.delivery.concurrency or (1 if db.is_sqlite else 32),
            send_margin=config.send_timeout(),
        ),
        people=People(db),
        hooks=Hooks(),
    )


def build_app(
    config: Config,
    clock: Clock | None = None,
    vectoriser: Vectoriser | None = None,
    db: Database | None = None,
) -> App:
    """Wire every feature from the config; call `prepare` before handling anything."""
    core = kernel_from_config(config, clock, db)
    assist = install_assist(core)
    vectoriser = vectoriser or vectoriser_from_config(config, assist.client)
    rounds = install_rounds(core, vectoriser, assist)
    profiles = install_profiles(core, vectoriser, assist)
    checkins = install_checkins(core)
    relay = install_relay(core, assist)
    community = install_community(core)
    return App(
        core=core,
        profiles=profiles,
        rounds=rounds,
        checkins=checkins,
        relay=relay,
        assist=assist,
        community=community,
    )


async def prepare(core: Core) -> list[str]:
    """Make the database ready (create or upgrade per config) and start features.

    Returns what was done, then any notes from features (e.g. why the relay is off).
    """
    notes = [await core.db.prepare(core.config.database.on_old_schema)]
    key_note = await core.db.prepare_data_keys()
    if key_note:
        notes.append(key_note)
    for start in core.hooks.starts:
        note = await start()
        if note:
            notes.append(note)
    return notes
