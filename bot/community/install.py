"""Wiring the community feature into the core: its commands and the questions the core asks it."""

from __future__ import annotations

from bot.community.commands import CommunityCommands
from bot.community.service import CommunitySetup
from bot.kernel.core import Core


def install(core: Core) -> CommunitySetup:
    """Register the setup commands, the join gate and the admin-role grant; return the service."""
    service = CommunitySetup(core.db, core.clock, core.outbox)
    core.dispatcher.add(CommunityCommands(service).routes())
    core.hooks.join_gates.append(service.join_refusal)
    core.hooks.admin_grants.append(service.grants_admin)
    return service
