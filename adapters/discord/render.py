"""Core messages and forms as Discord parts (text chunks, buttons, modals), and back.

Pure translation, no I/O: custom ids carry a button's command, arguments and community;
a core Form becomes modal pages of at most five inputs (choices as select menus); a modal
submission becomes the field values the core validates.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import discord

from bot.kernel.messages import Button, Field, Form, Inline, Mention, Message, RoleMention, render_inline

MAX_CONTENT = 2000
MAX_CUSTOM_ID = 100
MAX_MODAL_INPUTS = 5
MAX_TEXT_DISPLAY = 4000
MAX_SELECT_OPTIONS = 25
MAX_BUTTONS = 25
BUTTON_PREFIX = "p"  # p:<community>:<json [command, *args]>
STORED_PREFIX = "s"  # s:<token>, when the above would be longer than 100 characters
FORM_PAGE_PREFIX = "fp"  # fp:<token>:<page> opens a modal page; the modal's own id is fm:<token>:<page>
FORM_MODAL_PREFIX = "fm"
STYLES = {
    "primary": discord.ButtonStyle.primary,
    "danger": discord.ButtonStyle.danger,
    "default": discord.ButtonStyle.secondary,
}


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def button_custom_id(community: str, button: Button) -> str | None:
    """The custom id for a core button, or None when it would not fit in 100 characters."""
    encoded = f"{BUTTON_PREFIX}:{community}:" + json.dumps(
        [button.command, *button.args], separators=(",", ":"), ensure_ascii=False
    )
    return encoded if len(encoded) <= MAX_CUSTOM_ID else None


@dataclass(frozen=True)
class ButtonPress:
    """A pressed core button: which community's command, with which arguments."""

    community: str
    command: str
    args: tuple[str, ...]


def parse_button_custom_id(custom_id: str) -> ButtonPress | None:
    """Read back a `p:` custom id; None for anything else (or anything malformed)."""
    prefix, _, rest = custom_id.partition(":")
    community, _, payload = rest.partition(":")
    if prefix != BUTTON_PREFIX or not payload:
        return None
    try:
        words = json.loads(payload)
    except ValueError:
        return None
    if not isinstance(words, list) or not words or not all(isinstance(w, str) for w in words):
        return None
    return ButtonPress(community, words[0], tuple(words[1:]))


def split_text(text: str, limit: int = MAX_CONTENT) -> list[str]:
    """Discord messages hold 2,000 characters: split at line ends where possible."""
    chunks: list[str] = []
    rest = text
    while len(rest) > limit:
        cut = rest.rfind("\n", 0, limit)
        cut = cut if cut > 0 else limit
        chunks.append(rest[:cut])
        rest = rest[cut:].lstrip("\n")
    if rest or not chunks:
        chunks.append(rest)
    return chunks


def _discord_inline(element: Inline) -> str:
    if isinstance(element, Mention):
        return f"<@{element.user_id}>"
    if isinstance(element, RoleMention):
        return f"<@&{element.role_id}>"
    return f"<#{element.channel_id}>"


def discord_text(text: str) -> str:
    """The core's text with its mentions in Discord's own markup."""
    return render_inline(text, _discord_inline)


def render_text(message: Message, form: Form | None = None) -> str:
    """The text of a message, plus its field errors as a list when a form was refused."""
    lines = [discord_text(message.text)] if message.text else []
    if message.field_errors:
        labels = {f.name: f.label for f in (form.fields if form else ())}
        lines += [f"• *{labels.get(name, name)}*: {error}" for name, error in message.field_errors.items()]
    return "\n".join(lines)


def make_view(items: Iterable[tuple[str, str, str]]) -> discord.ui.View | None:
    """A view of buttons (label, custom id, style); stopped, as the adapter handles presses itself."""
    view = discord.ui.View(timeout=None)
    for label, custom_id, style in list(items)[:MAX_BUTTONS]:
        view.add_item(
            discord.ui.Button(
                label=_cut(label, 80), custom_id=custom_id, style=STYLES.get(style, STYLES["default"])
            )
        )
    if not view.children:
        return None
    view.stop()
    return view


def make_files(message: Message) -> list[discord.File]:
    return [discord.File(io.BytesIO(a.data), filename=a.filename) for a in message.attachments]


def form_pages(form: Form, lead: str = "") -> list[tuple[Field, ...]]:
    """The form's fields in order, five to a modal page; four on the first when it opens with
    text (a modal holds five components, and the text is one)."""
    fields = form.fields
    first = MAX_MODAL_INPUTS - 1 if lead else MAX_MODAL_INPUTS
    pages = [fields[:first]] if fields else []
    rest = fields[first:]
    pages += [rest[i : i + MAX_MODAL_INPUTS] for i in range(0, len(rest), MAX_MODAL_INPUTS)]
    return pages or [()]


def form_lead(form: Form, text: str = "") -> str:
    """What a modal says above its inputs: the reply's own text, then the form's intro."""
    return "\n\n".join(discord_text(part) for part in (text, form.intro) if part)


def _initial_values(field: Field, values: Mapping[str, Any]) -> list[str]:
    value = values.get(field.name, field.initial)
    if isinstance(value, list | tuple):
        return [str(v) for v in value]
    if isinstance(value, str) and field.kind == "multi_choice":
        return [v.strip() for v in value.split(",") if v.strip()]
    return [str(value)] if value not in (None, "") else []


def _choices(field: Field) -> Mapping[str, str]:
    if field.kind == "yes_no":
        return {"yes": "Yes", "no": "No"}
    return field.choices


def _input_for(field: Field, values: Mapping[str, Any]) -> discord.ui.Item:
    initial = _initial_values(field, values)
    choices = _choices(field)
    if field.kind in ("choice", "multi_choice", "yes_no") and 0 < len(choices) <= MAX_SELECT_OPTIONS:
        chosen = set(initial)
        options = [
            discord.SelectOption(label=_cut(label, 100), value=key, default=key in chosen)
            for key, label in choices.items()
        ]
        many = field.kind == "multi_choice"
        return discord.ui.Select(
            custom_id=field.name,
            options=options,
            min_values=1 if field.required else 0,
            max_values=len(options) if many else 1,
            required=field.required,
        )
    style = discord.TextStyle.paragraph if field.kind == "long_text" else discord.TextStyle.short
    placeholder = ", ".join(choices.values()) if choices else field.hint
    return discord.ui.TextInput(
        custom_id=field.name,
        style=style,
        default=_cut(", ".join(initial), 4000) or None,
        placeholder=_cut(placeholder, 100) or None,
        required=field.required,
        max_length=min(max(field.max_length, 1), 4000) if field.kind in ("text", "long_text") else None,
    )


def build_modal(
    form: Form, token: str, page: int, values: Mapping[str, Any], lead: str = ""
) -> discord.ui.Modal:
    """One modal page of a form, pre-filled with what the person typed so far; the first page
    starts with `lead` (see form_lead), so no text of the reply is lost when a modal opens."""
    pages = form_pages(form, lead)
    title = form.title if len(pages) == 1 else f"{form.title} ({page + 1}/{len(pages)})"
    modal = discord.ui.Modal(
        title=_cut(title, 45) or "Form", custom_id=f"{FORM_MODAL_PREFIX}:{token}:{page}", timeout=None
    )
    if lead and page == 0:
        modal.add_item(discord.ui.TextDisplay(_cut(lead, MAX_TEXT_DISPLAY)))
    for field in pages[page]:
        description = field.hint if len(field.label) <= 45 else field.label
        modal.add_item(
            discord.ui.Label(
                text=_cut(field.label, 45),
                description=_cut(description, 100) or None,
                component=_input_for(field, values),
            )
        )
    modal.stop()
    return modal


def parse_form_ids(custom_id: str, prefix: str) -> tuple[str, int] | None:
    """(token, page) from an `fp:` or `fm:` custom id."""
    parts = custom_id.split(":")
    if len(parts) != 3 or parts[0] != prefix or not parts[2].isdigit():
        return None
    return parts[1], int(parts[2])


def modal_values(components: Iterable[Mapping[str, Any]]) -> dict[str, str | list[str]]:
    """Submitted inputs by custom id: text as typed, select menus as lists of chosen values."""
    values: dict[str, str | list[str]] = {}
    for component in components:
        if component.get("type") == 1:
            values.update(modal_values(component.get("components", ())))
        elif component.get("type") == 18:
            values.update(modal_values([component.get("component", {})]))
        elif "custom_id" in component:
            if "values" in component:
                values[component["custom_id"]] = list(component["values"])
            else:
                values[component["custom_id"]] = component.get("value", "")
    return values


def form_value(field: Field, submitted: str | list[str]) -> str | list[str]:
    """A select's one chosen value as text for single-choice fields; lists stay lists."""
    if isinstance(submitted, list) and field.kind in ("choice", "yes_no"):
        return submitted[0] if submitted else ""
    return submitted
