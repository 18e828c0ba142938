"""`peerbot run` starts Slack through bot/app/platforms.py, and says what is missing."""

from __future__ import annotations

import asyncio
import contextlib

import pytest
from fake_slack import command_body, slack_config

from adapters.slack.adapter import run_slack
from bot.app.bootstrap import build_core, prepare
from bot.app.platforms import run_platforms
from bot.kernel.config import CredentialsError, replace


async def test_run_platforms_starts_slack_in_socket_mode(empty_database, tmp_path, fake_slack):
    config = slack_config(empty_database, tmp_path, "socket", fake_slack.api_url)
    core = build_core(config)
    await prepare(core)
    running = asyncio.ensure_future(run_platforms(core, ["slack"]))
    try:
        ack = await fake_slack.send_envelope("slash_commands", command_body(fake_slack, "U1", "help"))
        assert ack == {}
        async with asyncio.timeout(5):
            while not fake_slack.called("response_url"):
                await asyncio.sleep(0.01)
        assert "/peer" in str(fake_slack.called("response_url")[0].params["blocks"])
    finally:
        running.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await running
        await core.close()


async def test_socket_mode_without_an_app_token_says_so(empty_database, tmp_path, fake_slack):
    config = slack_config(empty_database, tmp_path, "socket", fake_slack.api_url)
    config = replace(config, secrets=replace(config.secrets, slack_app_token=""))
    core = build_core(config)
    with pytest.raises(CredentialsError, match="SLACK_APP_TOKEN"):
        await run_slack(core)
    await core.close()
