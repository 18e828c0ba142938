"""The /peer help reply, built from the registered routes so it never drifts from them."""

from __future__ import annotations

from collections.abc import Mapping

from bot.kernel.dispatch import Route


def help_text(routes: Mapping[str, Route], is_admin: bool) -> str:
    """One line per command the person may use."""
    lines = ["*Peer bot*: a peer-only space to learn from others integrating services.", ""]
    for name, route in sorted(routes.items()):
        if route.hidden or (route.admin and not is_admin):
            continue
        usage = route.usage or name.replace(".", " ")
        lines.append(f"• `/peer {usage}`: {route.summary}")
    return "\n".join(lines)
