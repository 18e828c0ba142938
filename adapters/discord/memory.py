"""What the Discord adapter keeps between an interaction and its replies, in memory only:
the interactions being handled, forms filled in over several modal pages, buttons whose
commands are too long for a custom id, and who was found to have DMs closed.

It also turns a core message's buttons and form into Discord buttons, since both need the
ids it hands out. A restart forgets it all; the person is told to start again (EXPIRED).
"""

from __future__ import annotations

import secrets
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

import discord

from adapters.discord.render import (
    FORM_PAGE_PREFIX,
    STORED_PREFIX,
    ButtonPress,
    button_custom_id,
    form_lead,
    form_pages,
    make_view,
)
from bot.kernel.messages import Button, Form, Message

REMEMBERED = 2000  # form sessions and long buttons kept in memory
EXPIRED = (
    "This form or button has expired (the bot may have restarted). Please start again with the "
    "command you used, e.g. `/peer join` or `/peer threads`."
)


def _remember(store: OrderedDict, key: Any, value: Any) -> None:
    store[key] = value
    store.move_to_end(key)
    while len(store) > REMEMBERED:
        store.popitem(last=False)


@dataclass
class FormSession:
    """A form being filled in over several modal pages; values kept until the last page."""

    user_id: str
    community: str
    form: Form
    values: dict[str, Any] = field(default_factory=dict)
    lead: str = ""  # the text above the first page's inputs


def first_page_with_error(form: Form, errors, lead: str) -> int:
    """The modal page holding the first field with an error (0 if none)."""
    for index, page in enumerate(form_pages(form, lead)):
        if any(spec.name in errors for spec in page):
            return index
    return 0


class InteractionMemory:
    """Interactions under way, form sessions, stored buttons and closed DMs."""

    def __init__(self) -> None:
        self.pending: dict[str, discord.Interaction] = {}
        self.forms: OrderedDict[str, FormSession] = OrderedDict()
        self.stored_buttons: OrderedDict[str, ButtonPress] = OrderedDict()
        self.dms_closed: set[tuple[str, str]] = set()

    def start_form(self, user_id: str, community: str, form: Form, lead: str = "") -> str:
        """Open a form session for one person; returns its token (carried in custom ids)."""
        token = secrets.token_hex(6)
        initial = {f.name: f.initial for f in form.fields if f.initial not in ("", ())}
        _remember(self.forms, token, FormSession(user_id, community, form, initial, lead))
        return token

    def view(self, community: str, message: Message, user_id: str) -> discord.ui.View | None:
        """The message's buttons, with one that opens its form (at the first page in error)."""
        items = [(b.label, self._button_id(community, b), b.style) for b in message.buttons]
        if message.form is not None:
            lead = form_lead(message.form)
            token = self.start_form(user_id, community, message.form, lead)
            page = first_page_with_error(message.form, message.field_errors, lead)
            label = "Fix the form" if message.field_errors else "Open the form"
            items.insert(0, (label, f"{FORM_PAGE_PREFIX}:{token}:{page}", "primary"))
        return make_view(items)

    def _button_id(self, community: str, button: Button) -> str:
        custom_id = button_custom_id(community, button)
        if custom_id is None:
            custom_id = f"{STORED_PREFIX}:{secrets.token_hex(8)}"
            _remember(self.stored_buttons, custom_id, ButtonPress(community, button.command, button.args))
        return custom_id
