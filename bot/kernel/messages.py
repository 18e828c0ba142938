"""Platform-neutral output: messages, buttons and forms that adapters render natively.

A message's text may name people, roles and channels with inline elements (`Mention`,
`RoleMention`, `ChannelMention`): written into the text with str(), each adapter renders
them as its platform shows them, so no feature writes Slack or Discord markup.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

FAILED_REPLY = (
    "Sorry, something went wrong on our side and nothing was changed. "
    "Please try again; if it keeps happening, tell your community organiser."
)


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


_OPEN, _CLOSE = "\ue000", "\ue001"  # private-use characters around an inline element
_INLINE = re.compile(_OPEN + r"(user|role|channel):([^|\ue000\ue001]*)(?:\|([^\ue000\ue001]*))?" + _CLOSE)


def without_inline_markers(text: str) -> str:
    """Typed text with the marker characters removed, so nobody can write a mention by hand
    (e.g. paste one into an anonymous question to make it name someone)."""
    return text.replace(_OPEN, "").replace(_CLOSE, "")


def _inline(kind: str, ident: str, name: str = "") -> str:
    clean = name.replace(_OPEN, "").replace(_CLOSE, "").replace("\n", " ")
    return f"{_OPEN}{kind}:{ident}|{clean}{_CLOSE}" if clean else f"{_OPEN}{kind}:{ident}{_CLOSE}"


@dataclass(frozen=True)
class Mention:
    """A person on the platform the message goes to; each adapter shows it its own way
    (Slack and Discord as a mention, the console as the name or id)."""

    user_id: str
    name: str = ""

    def __str__(self) -> str:
        return _inline("user", self.user_id, self.name)


@dataclass(frozen=True)
class RoleMention:
    """A role of a community (a Discord server's role), shown as the platform shows roles."""

    role_id: str

    def __str__(self) -> str:
        return _inline("role", self.role_id)


@dataclass(frozen=True)
class ChannelMention:
    """A channel of a community, shown as a link to it where the platform can."""

    channel_id: str

    def __str__(self) -> str:
        return _inline("channel", self.channel_id)


Inline = Mention | RoleMention | ChannelMention


def render_inline(text: str, render: Callable[[Inline], str]) -> str:
    """The text with each inline element replaced by `render`'s platform form of it."""

    def one(match: re.Match) -> str:
        kind, ident, name = match.group(1), match.group(2), match.group(3) or ""
        if kind == "user":
            return render(Mention(ident, name))
        return render(RoleMention(ident) if kind == "role" else ChannelMention(ident))

    return _INLINE.sub(one, text)
