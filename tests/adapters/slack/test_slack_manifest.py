"""The shipped app manifest asks for the scopes the adapter needs and nothing that reads or
posts beyond the bot's own conversations."""

from __future__ import annotations

import re
from pathlib import Path

MANIFEST = (Path(__file__).resolve().parents[3] / "adapters" / "slack" / "manifest.yaml").read_text()
NEEDED = {
    "commands",
    "chat:write",
    "im:write",
    "mpim:write",
    "im:read",
    "mpim:read",
    "users:read",
    "im:history",
}


def _scopes() -> set[str]:
    section = MANIFEST.split("    bot:\n", 1)[1].split("settings:", 1)[0]
    return set(re.findall(r"^\s+- ([a-z:.]+)", section, flags=re.M))


def test_manifest_asks_only_for_the_scopes_the_bot_needs():
    assert _scopes() == NEEDED
    for never in ("mpim:history", "chat:write.public", "channels:", "groups:", "files:", "admin"):
        assert not [scope for scope in _scopes() if never in scope]


def test_manifest_creates_the_command_interactivity_and_app_home():
    assert "- command: /peer" in MANIFEST
    assert "home_tab_enabled: true" in MANIFEST
    assert re.search(r"interactivity:\n\s+is_enabled: true", MANIFEST)
    assert "- app_home_opened" in MANIFEST
    assert "socket_mode_enabled: true" in MANIFEST
