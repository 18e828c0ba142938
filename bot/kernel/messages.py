"""Platform-neutral output: messages, buttons and forms that adapters render natively."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field


class Sensitivity(enum.Enum):
    """How carefully a message must be routed; the outbox enforces it."""

    PUBLIC = "public"  # may be posted in a channel (only the join-button post)
    PERSONAL = "personal"  # about one person: replies, profiles, check-ins, introductions
    RELAY = "relay"  # anonymous relay content: only the asker's and chosen peers' DMs


@dataclass(frozen=True)
class Button:
    """A button that, when pressed, comes back as an Invocation of `command` with `args`."""

    label: str
    command: str
    args: tuple[str, ...] = ()
    style: str = "default"  # "default" | "primary" | "danger"


@dataclass(frozen=True)
class Attachment:
    """A small file sent with a message (e.g. a calendar .ics)."""

    filename: str
    content_type: str
    data: bytes


@dataclass(frozen=True)
class Field:
    """One input in a form; the core validates it, adapters only render it."""

    name: str
    label: str
    kind: str = "text"  # "text" | "long_text" | "choice" | "multi_choice" | "yes_no"
    choices: Mapping[str, str] = field(default_factory=dict)  # value -> label
    required: bool = True
    min_length: int = 0
    max_length: int = 200
    hint: str = ""
    initial: str | tuple[str, ...] = ""


@dataclass(frozen=True)
class Form:
    """A form to open: submitting it invokes `submit_command` with the fields as `form`."""

    title: str
    fields: tuple[Field, ...]
    submit_command: str
    args: tuple[str, ...] = ()
    intro: str = ""
    submit_label: str = "Submit"


@dataclass(frozen=True)
class Message:
    """What to show: text (simple Markdown: *bold*, bullet lines), buttons, a form, files.

    `field_errors` is set when a submitted form was invalid: adapters show each error next to
    its field (Slack modal errors, console re-prompts) and keep what the person typed.
    """

    text: str = ""
    buttons: tuple[Button, ...] = ()
    form: Form | None = None
    field_errors: Mapping[str, str] = field(default_factory=dict)
    attachments: tuple[Attachment, ...] = ()
