"""Core messages and forms as Slack Block Kit, and Slack form state back as plain values.

Pure functions with no I/O, so every rendering rule can be tested on its own. Slack's
limits (24-character modal titles, 3,000-character text blocks, 2,000-character button
values) are applied here; the meaning of every field and button stays in the core.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from bot.kernel.messages import (
    Attachment,
    Button,
    Field,
    Form,
    Inline,
    Mention,
    Message,
    RoleMention,
    render_inline,
)

ACTION_PREFIX = "peer:"
FORM_CALLBACK = "peer_form"
INFO_CALLBACK = "peer_info"
TEXT_LIMIT = 3000
TITLE_LIMIT = 24
MAX_BLOCKS = 100


def _plain(text: str, limit: int = 150) -> dict:
    return {"type": "plain_text", "text": (text or " ")[:limit], "emoji": True}


def escape_mrkdwn(text: str) -> str:
    """Slack reads &, < and > as markup; the core's text must show as typed."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _slack_inline(element: Inline) -> str:
    if isinstance(element, Mention):
        return f"<@{element.user_id}>"
    if isinstance(element, RoleMention):
        return f"<!subteam^{element.role_id}>"
    return f"<#{element.channel_id}>"


def mrkdwn(text: str) -> str:
    """The core's text as Slack mrkdwn: shown as typed, with mentions in Slack's own markup."""
    return render_inline(escape_mrkdwn(text), _slack_inline)


def _chunks(text: str, limit: int = TEXT_LIMIT) -> list[str]:
    """Split long text on line breaks so no section exceeds Slack's limit."""
    chunks, current = [], ""
    for line in text.splitlines() or [""]:
        while len(line) > limit:
            if current:
                chunks.append(current)
                current = ""
            chunks.append(line[:limit])
            line = line[limit:]
        candidate = f"{current}\n{line}" if current else line
        if len(candidate) > limit:
            chunks.append(current)
            current = line
        else:
            current = candidate
    if current:
        chunks.append(current)
    return chunks


def encode_button(button: Button) -> str:
    """The value Slack sends back when a button is pressed: the command and its args."""
    return json.dumps({"c": button.command, "a": list(button.args)}, separators=(",", ":"))[:2000]


def decode_button(value: str) -> tuple[str, tuple[str, ...]]:
    """Command and args from a pressed button's value; ("", ()) if it is not ours."""
    try:
        data = json.loads(value or "")
        return str(data["c"]), tuple(str(a) for a in data.get("a", ()))
    except (ValueError, KeyError, TypeError):
        return "", ()


def _button(index: int, button: Button) -> dict:
    element = {
        "type": "button",
        "text": _plain(button.label, 75),
        "action_id": f"{ACTION_PREFIX}{index}:{button.command}"[:255],
        "value": encode_button(button),
    }
    if button.style in ("primary", "danger"):
        element["style"] = button.style
    return element


def to_blocks(message: Message) -> list[dict]:
    """Text as mrkdwn sections, buttons as actions blocks (at most 25 to a block)."""
    blocks: list[dict] = [
        {"type": "section", "text": {"type": "mrkdwn", "text": mrkdwn(chunk)}}
        for chunk in _chunks(message.text)
        if chunk.strip()
    ]
    shown = [a for a in message.attachments if a.data.decode("utf-8", errors="replace") not in message.text]
    blocks += [_attachment_block(a) for a in shown]
    for start in range(0, len(message.buttons), 25):
        elements = [_button(start + i, b) for i, b in enumerate(message.buttons[start : start + 25])]
        blocks.append({"type": "actions", "elements": elements})
    return blocks[:MAX_BLOCKS]


def _attachment_block(attachment: Attachment) -> dict:
    """Files are not uploaded (the bot asks for no file scopes): small text files are shown."""
    note = f"File {attachment.filename} ({len(attachment.data)} bytes)"
    text = attachment.data.decode("utf-8", errors="replace")
    readable = attachment.content_type.startswith("text/") or attachment.content_type.endswith(
        ("json", "calendar")
    )
    if readable and len(text) <= TEXT_LIMIT - 200 and text not in ("",):
        return {
            "type": "section",
            "text": {"type": "mrkdwn", "text": f"{note}:\n```{escape_mrkdwn(text)}```"},
        }
    return {
        "type": "context",
        "elements": [{"type": "mrkdwn", "text": note + ": too large to show in Slack."}],
    }


def fallback_text(message: Message) -> str:
    """The plain text Slack shows in notifications and to clients without blocks."""
    text = render_inline(message.text, _slack_inline) or (message.form.title if message.form else "")
    for attachment in message.attachments:
        text += f"\n(file {attachment.filename}, {len(attachment.data)} bytes)"
    return text[:TEXT_LIMIT] or " "


def _option(value: str, label: str) -> dict:
    return {"text": _plain(label, 75), "value": value[:150]}


def _element(field: Field) -> dict:
    name = field.name
    initial = field.initial
    if field.kind in ("choice", "multi_choice", "yes_no"):
        choices = dict(field.choices) if field.kind != "yes_no" else {"yes": "Yes", "no": "No"}
        options = [_option(v, label) for v, label in choices.items()][:100]
        by_value = {o["value"]: o for o in options}
        kind = {"choice": "static_select", "multi_choice": "multi_static_select"}.get(
            field.kind, "radio_buttons"
        )
        element: dict[str, Any] = {"type": kind, "action_id": name, "options": options}
        if kind != "radio_buttons":
            element["placeholder"] = _plain("Choose…")
        if kind == "multi_static_select":
            chosen = [by_value[v] for v in (initial if isinstance(initial, tuple) else ()) if v in by_value]
            if chosen:
                element["initial_options"] = chosen
        elif isinstance(initial, str) and initial in by_value:
            element["initial_option"] = by_value[initial]
        return element
    if field.kind == "date":
        element = {"type": "datepicker", "action_id": name}
        if isinstance(initial, str) and initial:
            element["initial_date"] = initial
        return element
    element = {"type": "plain_text_input", "action_id": name, "multiline": field.kind == "long_text"}
    if isinstance(initial, str) and initial:
        element["initial_value"] = initial[:3000]
    return element


def _input_block(field: Field) -> dict:
    block = {
        "type": "input",
        "block_id": field.name,
        "label": _plain(field.label, 2000),
        "element": _element(field),
        "optional": not field.required,
    }
    if field.hint:
        block["hint"] = _plain(field.hint, 2000)
    return block


def to_modal(form: Form, intro: str = "") -> dict:
    """A form as a modal; the submit command and args ride in private_metadata."""
    blocks: list[dict] = [
        {"type": "section", "text": {"type": "mrkdwn", "text": mrkdwn(chunk)}}
        for chunk in _chunks(intro or form.intro)
        if chunk.strip()
    ]
    blocks += [_input_block(f) for f in form.fields]
    return {
        "type": "modal",
        "callback_id": FORM_CALLBACK,
        "title": _plain(form.title, TITLE_LIMIT),
        "submit": _plain(form.submit_label, TITLE_LIMIT),
        "close": _plain("Cancel", TITLE_LIMIT),
        "private_metadata": json.dumps({"c": form.submit_command, "a": list(form.args)})[:3000],
        "blocks": blocks[:MAX_BLOCKS],
    }


def info_modal(message: Message, title: str) -> dict:
    """A message shown inside a modal (after a form was submitted), with its buttons."""
    return {
        "type": "modal",
        "callback_id": INFO_CALLBACK,
        "title": _plain(title, TITLE_LIMIT),
        "close": _plain("Close", TITLE_LIMIT),
        "blocks": to_blocks(message) or [{"type": "section", "text": {"type": "mrkdwn", "text": "Done."}}],
    }


def home_view(message: Message) -> dict:
    """The App Home tab for one person."""
    return {"type": "home", "blocks": to_blocks(message)}


def submitted_command(view: Mapping[str, Any]) -> tuple[str, tuple[str, ...]]:
    """The command a submitted modal invokes, from its private_metadata."""
    return decode_button(view.get("private_metadata", ""))


def _state_value(state: Mapping[str, Any]) -> str | list[str]:
    kind = state.get("type")
    if kind == "multi_static_select":
        return [o["value"] for o in state.get("selected_options") or ()]
    if kind in ("static_select", "radio_buttons"):
        return (state.get("selected_option") or {}).get("value", "")
    if kind == "datepicker":
        return state.get("selected_date") or ""
    return state.get("value") or ""


def form_values(view: Mapping[str, Any]) -> dict[str, str | list[str]]:
    """What the person entered in a submitted modal, by field name, as the core expects."""
    values: dict[str, str | list[str]] = {}
    for block_id, actions in ((view.get("state") or {}).get("values") or {}).items():
        for state in actions.values():
            values[block_id] = _state_value(state)
    return values


def errors_response(field_errors: Mapping[str, str]) -> dict:
    """The view_submission answer that shows each error under its field and keeps the input."""
    return {"response_action": "errors", "errors": {name: text[:150] for name, text in field_errors.items()}}
