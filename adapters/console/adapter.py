"""The terminal adapter: a chat with the bot where one person can act as several practitioners.

It translates typed lines into invocations and prints what the outbox delivers to each
person. Forms are filled field by field with the core's own validation. It reads plain
lines, so a session can be scripted by piping commands on standard input.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from adapters.console.terminal_input import LineReader
from bot.kernel.core import Core
from bot.kernel.forms import FieldError, parse_field
from bot.kernel.invocation import Actor, Invocation, Place
from bot.kernel.messages import Button, Field, Form, Inline, Mention, Message, RoleMention, render_inline
from bot.kernel.outbox import (
    ChannelPost,
    ConversationFacts,
    Destination,
    DirectMessage,
    GroupMessage,
    ReplyTo,
    people_reached,
)

CONSOLE_HELP = """Console commands (anything else is sent to the bot as /peer …):
  /as NAME        act as another practitioner (created on first use)
  /press N        press button N of the last message you received (or /press LABEL)
  /inbox [NAME]   show everything the bot sent to you (or to NAME)
  /who            list everyone you have acted as
  /demo           load the demo community of 30 practitioners
  /clock [+2h]    show the time; with --fake-clock, move it on (+30m, +2h, +3d, +1w)
                  and deliver whatever falls due
  /help           this list;   /peer help   the bot's own commands
  /quit           leave the console"""

ConsoleCommand = Callable[["ConsoleSession", list[str]], Awaitable[None]]


@dataclass
class ConsolePlatform:
    """Delivers by printing, and remembers each person's messages for /inbox and /press."""

    out: TextIO
    name: str = "console"
    received: dict[str, list[Message]] = field(default_factory=dict)
    attachments_dir: Path | None = None  # where attached files are written (data_dir/attachments)

    async def deliver(self, destination: Destination, message: Message) -> None:
        for user in people_reached(destination):
            self.received.setdefault(user, []).append(message)
        self.out.write(render(destination, message, self._save(message)))
        self.out.flush()

    def _save(self, message: Message) -> dict[str, Path]:
        """Write each attachment into the attachments folder; its path by file name."""
        if self.attachments_dir is None or not message.attachments:
            return {}
        self.attachments_dir.mkdir(parents=True, exist_ok=True)
        saved = {}
        for attachment in message.attachments:
            path = self.attachments_dir / Path(attachment.filename).name
            path.write_bytes(attachment.data)
            saved[attachment.filename] = path
        return saved

    async def conversation_facts(self, destination: Destination) -> ConversationFacts:
        return ConversationFacts(is_direct_message=isinstance(destination, DirectMessage | ReplyTo))


def _heading(destination: Destination) -> str:
    if isinstance(destination, ReplyTo):
        return f"bot → {destination.invocation.actor.user_id}"
    if isinstance(destination, DirectMessage):
        return f"bot → DM {destination.user_id}"
    if isinstance(destination, GroupMessage):
        return "bot → group DM " + ", ".join(destination.user_ids)
    if isinstance(destination, ChannelPost):
        return f"bot → #{destination.channel_id}"
    return "bot"


def _console_inline(element: Inline) -> str:
    """A mention as plain text: the person's name (or id), the role's or channel's id."""
    if isinstance(element, Mention):
        return element.name or element.user_id
    if isinstance(element, RoleMention):
        return f"role {element.role_id}"
    return f"#{element.channel_id}"


def render(destination: Destination, message: Message, saved: dict[str, Path] | None = None) -> str:
    """A delivered message as terminal text."""
    lines = [f"[{_heading(destination)}]"]
    if message.text:
        lines += ["  " + line for line in render_inline(message.text, _console_inline).splitlines()]
    for name, error in message.field_errors.items():
        lines.append(f"  ! {name}: {error}")
    if message.buttons:
        lines.append("  " + "   ".join(f"[{i}] {b.label}" for i, b in enumerate(message.buttons, 1)))
        lines.append("  (type /press N)")
    for attachment in message.attachments:
        where = f", written to {saved[attachment.filename]}" if saved and attachment.filename in saved else ""
        lines.append(f"  (attached: {attachment.filename}, {len(attachment.data)} bytes{where})")
    if message.form:
        lines.append(f"  (form: {message.form.title})")
    return "\n".join(lines) + "\n"


def _field_prompt(spec: Field) -> str:
    parts = [spec.label]
    if spec.choices:
        parts.append("; ".join(f"{i} {label}" for i, label in enumerate(spec.choices.values(), 1)))
        if spec.kind == "multi_choice":
            parts.append("several: separate with commas")
    elif spec.kind == "yes_no":
        parts.append("yes/no")
    if spec.hint:
        parts.append(spec.hint)
    kept = spec.initial if isinstance(spec.initial, tuple) else (spec.initial,) if spec.initial else ()
    initial = ", ".join(spec.choices.get(key, key) for key in kept)
    if initial:
        parts.append(f"Enter keeps: {initial}")
    return "  " + "\n    ".join(parts) + "\n  > "


@dataclass
class ConsoleSession:
    """One terminal: who is acting now, and the loop reading lines."""

    core: Core
    platform: ConsolePlatform
    stdin: TextIO
    user: str
    interactive: bool = False
    actors: dict[str, Actor] = field(default_factory=dict)
    extra_commands: dict[str, ConsoleCommand] = field(default_factory=dict)
    open_form: str | None = None  # the title of the form being filled in, if any
    _reader: LineReader = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._reader = LineReader(self.stdin)

    def actor(self, name: str | None = None) -> Actor:
        name = name or self.user
        if name not in self.actors:
            self.actors[name] = Actor("console", "local", name, display_name=name)
        return self.actors[name]

    def say(self, text: str) -> None:
        self.platform.out.write(text + "\n")
        self.platform.out.flush()

    async def read_line(self, prompt: str = "") -> str | None:
        """The next line, without blocking the event loop (the scheduler keeps running)."""
        if prompt and self.interactive:
            self.platform.out.write(prompt)
            self.platform.out.flush()
        line = await self._reader.readline()
        return None if line == "" else line.rstrip("\n")

    async def invoke(self, invocation: Invocation) -> None:
        """Hand an invocation to the core, then fill any form the reply opened."""
        before = len(self.platform.received.get(invocation.actor.user_id, []))
        await self.core.handle(invocation)
        inbox = self.platform.received.get(invocation.actor.user_id, [])
        opened = [m.form for m in inbox[before:] if m.form is not None]
        if opened:
            await self.fill_form(invocation.actor, opened[-1])

    async def fill_form(self, actor: Actor, form: Form) -> None:
        """Ask for each field in turn, re-asking until the value is valid, then submit."""
        self.say(f"--- {form.title} (type /cancel to stop) ---")
        self.open_form = form.title  # stays set if stopped mid-form, for `stopped_line`
        values = await self._form_values(form)
        self.open_form = None
        if values is None:
            self.say("Form cancelled; nothing was saved.")
            return
        await self.invoke(
            Invocation(
                actor,
                form.submit_command,
                form.args,
                values,
                f"console-{uuid.uuid4()}",
                Place(surface="form"),
            )
        )

    async def _form_values(self, form: Form) -> dict[str, str | list[str]] | None:
        """Each field's accepted value, or None when the person cancels or input ends."""
        values: dict[str, str | list[str]] = {}
        for spec in form.fields:
            while True:
                line = await self.read_line(_field_prompt(spec))
                if line is None or line.strip() == "/cancel":
                    return None
                raw = (
                    line
                    if line.strip() or not spec.initial
                    else (list(spec.initial) if isinstance(spec.initial, tuple) else spec.initial)
                )
                try:
                    parse_field(spec, raw)
                except FieldError as problem:
                    self.say(f"  ! {problem}")
                    continue
                values[spec.name] = raw
                break
        return values

    async def press(self, words: list[str]) -> None:
        inbox = self.platform.received.get(self.user, [])
        with_buttons = [m for m in inbox if m.buttons]
        if not with_buttons:
            self.say("There are no buttons to press.")
            return
        buttons = with_buttons[-1].buttons
        choice = " ".join(words).strip()
        chosen: Button | None = None
        if choice.isdigit() and 1 <= int(choice) <= len(buttons):
            chosen = buttons[int(choice) - 1]
        else:
            chosen = next((b for b in buttons if b.label.casefold() == choice.casefold()), None)
        if chosen is None:
            labels = ", ".join(f"{i} {b.label}" for i, b in enumerate(buttons, 1))
            self.say(f"No button “{choice}”. Choose one of: {labels}.")
            return
        await self.invoke(
            Invocation(
                self.actor(),
                chosen.command,
                chosen.args,
                None,
                f"console-{uuid.uuid4()}",
                Place(),
            )
        )

    async def handle_line(self, line: str) -> bool:
        """Act on one typed line; False means the person wants to quit."""
        text = line.strip()
        if not text or text.startswith("#"):
            return True
        word, _, rest = text.partition(" ")
        words = rest.split()
        if word in ("/quit", "/exit"):
            return False
        if word == "/help":
            self.say(CONSOLE_HELP)
        elif word == "/as":
            if len(words) != 1:
                self.say("Use /as NAME, e.g. /as alice")
            else:
                self.user = words[0]
                self.actor()
                self.say(f"You are now {self.user}.")
        elif word == "/press":
            await self.press(words)
        elif word == "/who":
            self.say("Acting as: " + ", ".join(sorted(self.actors)))
        elif word == "/inbox":
            who = words[0] if words else self.user
            for message in self.platform.received.get(who, []):
                self.say(render(DirectMessage("console", "local", who), message).rstrip())
        elif word in self.extra_commands:
            await self.extra_commands[word](self, words)
        elif word.startswith("/") and word != "/peer":
            self.say(f"Unknown console command {word}. Type /help.")
        else:
            await self.invoke(
                self.core.dispatcher.from_text(
                    self.actor(),
                    text,
                    f"console-{uuid.uuid4()}",
                    Place(surface="dm"),
                )
            )
        return True

    async def run(self) -> None:
        """Read and act on lines until /quit or the end of input.

        Stopped from outside (Ctrl-C, SIGTERM: the task is cancelled), it says in one line
        whether a half-filled form was lost, then lets the cancellation go on.
        """
        try:
            while True:
                line = await self.read_line(f"{self.user}> ")
                if line is None or not await self.handle_line(line):
                    break
        except asyncio.CancelledError:
            self.say(self.stopped_line())
            raise
        self.say("Bye.")

    def stopped_line(self) -> str:
        """What to say when stopped: at a terminal the cursor still sits after the prompt."""
        start = "\n" if self.interactive else ""
        if self.open_form:
            return f"{start}Stopped. The form “{self.open_form}” was not submitted: nothing in it was saved."
        return f"{start}Stopped."
