"""Wiring the profiles feature into the core: its service, its commands and the home page."""

from __future__ import annotations

from functools import partial

from bot.kernel.core import Core
from bot.kernel.similarity import Vectoriser
from bot.profiles.commands import ProfileCommands
from bot.profiles.home import home_summary
from bot.profiles.service import ProfileService
from bot.profiles.suggestions import TagSuggester


def install(core: Core, vectoriser: Vectoriser, suggester: TagSuggester) -> ProfileService:
    """Build the ProfileService, register the profile commands and the home page; return it.

    `vectoriser` embeds challenges when profiles are saved; `suggester` (the assist
    feature's Assistant) offers integration areas on joining. Each feature's personal data
    parts, registered on `core.hooks.personal_data` before or after this, are exported and
    erased with the profile.
    """
    service = ProfileService(core.db, core.clock, vectoriser, core.hooks.personal_data, suggester)
    core.dispatcher.add(ProfileCommands(service).routes())
    core.hooks.home_page = partial(home_summary, core)
    return service
