"""Wiring the relay into the core: its service, commands, job kinds, start-up check, home
section and share of personal data. Called once by the composition root; no I/O here."""

from __future__ import annotations

from functools import partial

from bot.kernel.core import Core
from bot.relay.commands import RelayCommands
from bot.relay.detail_check import IdentifyingDetailsFinder
from bot.relay.home_section import relay_threads_section
from bot.relay.organiser_commands import OrganiserCommands
from bot.relay.personal_data import RelayPersonalData
from bot.relay.service import RelayService
from bot.relay.suspensions import SuspensionData


def install(core: Core, assistant: IdentifyingDetailsFinder | None) -> RelayService:
    """Build the relay service and hook it into the core.

    `assistant` spots identifying details in a question; it is asked only when
    `[llm] allow_relay_content` is on, and may be None (local checks only).
    """
    relay = RelayService(core.config, core.db, core.clock, core.outbox, core.people, assistant)
    core.dispatcher.add(RelayCommands(relay).routes())
    core.dispatcher.add(OrganiserCommands(relay).routes())
    core.jobs.register("relay.question", relay.jobs.deliver_question)
    core.jobs.register("relay.message", relay.jobs.redeliver_message)
    core.jobs.register("relay.purge", relay.jobs.scheduled_purge)
    core.jobs.register("relay.reported_notice", relay.jobs.redeliver_report_notice)
    core.hooks.personal_data.append(RelayPersonalData(relay.keys, core.clock))
    core.hooks.personal_data.append(SuspensionData(relay.keys))
    core.hooks.home_sections.append(partial(relay_threads_section, relay))
    core.hooks.starts.append(relay.start)
    return relay
