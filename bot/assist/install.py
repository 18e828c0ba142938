"""Wiring the LLM help into the core: one Assistant, built from the config, closed with the core."""

from __future__ import annotations

from bot.assist.service import Assistant, assistant_from_config
from bot.kernel.core import Core


def install(core: Core) -> Assistant:
    """Build the Assistant and release its client's connections when the core closes.

    The caller hands the returned Assistant to the features that use it (and its client
    to `vectoriser_from_config`), so nothing looks it up by name.
    """
    assistant = assistant_from_config(core.config)
    core.hooks.closes.append(assistant.close)
    return assistant
