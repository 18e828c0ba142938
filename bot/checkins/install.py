"""Wiring the check-ins feature into the core: its service, commands, jobs, hooks and data."""

from __future__ import annotations

from functools import partial

from bot.checkins.commands import CheckinCommands
from bot.checkins.home import next_checkin_section
from bot.checkins.jobs import CheckinJobs
from bot.checkins.personal_data import CheckinData
from bot.checkins.service import CheckinService
from bot.kernel.core import Core


def install(core: Core) -> CheckinService:
    """Build the check-in service and register what uses it.

    Routes for the commands and buttons, handlers for the scheduled work, the home-page line,
    the personal-data part, and a listener that schedules a group's first check-in once its
    introduction has gone out (the kernel's "group introduced" hook, so rounds need not know
    about check-ins).
    """
    service = CheckinService(core.config.checkins, core.db, core.clock)
    core.dispatcher.add(CheckinCommands(service).routes())
    CheckinJobs(service).register(core)
    core.hooks.group_introduced.append(service.schedule_first)
    core.hooks.home_sections.append(partial(next_checkin_section, service))
    core.hooks.personal_data.append(CheckinData())
    return service
