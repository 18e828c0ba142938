"""Real `peerbot` processes for end-to-end tests: started as a user would start them, on the
real clock, with a TOML config and secrets in the environment; stopped with SIGTERM, then
SIGKILL if they hang, so no test leaves a process behind.

Everything waits on observed events (`Bots.wait_for`) with a deadline, never on fixed sleeps:
a fake clock hides bugs that need time to move, and a fixed sleep hides slowness.
"""

from __future__ import annotations

import asyncio
import inspect
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
SECRET_PREFIXES = ("PEERBOT_", "SLACK_", "DISCORD_")
TAIL_LINES = 25

# Short durations so a whole cycle (introduction, reminder, check-in, follow-up) takes seconds.
FAST = {
    "checkins": {
        "quiet_start": "00:00",
        "quiet_end": "00:00",
        "poll_interval": "200ms",
        "first_checkin_after": "6s",
        "reminder_before": "3s",
        "followup_after": "2s",
        "followup_window": "1m",
        "lease": "30s",
    },
    "relay": {"delay_min": "1s", "delay_max": "2s", "retention": "3s", "purge_every": "1s"},
}


def toml_value(value: Any) -> str:
    """One TOML value; JSON string escapes are valid TOML basic strings."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{json.dumps(str(k))} = {toml_value(v)}" for k, v in value.items()) + " }"
    raise TypeError(f"no TOML for {type(value).__name__}")


def write_toml(path: Path, sections: dict[str, dict[str, Any]]) -> Path:
    """Write a config file: the bot reads the same file a user would write (tomllib only reads)."""
    lines = []
    for name, values in sections.items():
        lines.append(f"[{name}]")
        lines += [f"{key} = {toml_value(value)}" for key, value in values.items()]
        lines.append("")
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def merged(*layers: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Config sections layered left to right, key by key within a section."""
    out: dict[str, dict[str, Any]] = {}
    for layer in layers:
        for section, values in layer.items():
            out.setdefault(section, {}).update(values)
    return out


def free_port() -> int:
    """A port nobody listens on now, for a bot's Slack HTTP endpoint (several bots, several ports)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def clean_environment(secrets: dict[str, str]) -> dict[str, str]:
    """This machine's environment without anyone's bot secrets, plus the test's own, and the
    worktree first on the path so the code under test is what runs."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(SECRET_PREFIXES)}
    env.update(secrets)
    env["PYTHONPATH"] = str(ROOT)
    env["PYTHONUNBUFFERED"] = "1"
    return env


def tail(path: Path, lines: int = TAIL_LINES) -> str:
    if not path.exists():
        return "(no output)"
    text = path.read_text(encoding="utf-8", errors="replace").splitlines()
    return "\n".join(text[-lines:]) or "(empty)"


@dataclass
class BotProcess:
    """One `peerbot run` process and the files its output goes to."""

    name: str
    process: subprocess.Popen
    stdout: Path
    stderr: Path
    port: int | None = None

    def alive(self) -> bool:
        return self.process.poll() is None

    def report(self) -> str:
        state = "running" if self.alive() else f"exited with {self.process.returncode}"
        return (
            f"--- {self.name} ({state}) stderr tail:\n{tail(self.stderr)}\n"
            f"--- {self.name} stdout tail:\n{tail(self.stdout)}"
        )

    async def stop(self, grace: float = 5.0) -> str:
        """SIGTERM, wait (serving the fakes meanwhile: a bot shutting down may still call them),
        then SIGKILL. Returns a note when shutdown was not clean, for the report."""
        if not self.alive():
            return ""
        self.process.send_signal(signal.SIGTERM)
        end = time.monotonic() + grace
        while self.alive() and time.monotonic() < end:
            await asyncio.sleep(0.05)
        if self.alive():
            self.process.kill()
            self.process.wait(5)
            return f"{self.name} ignored SIGTERM for {grace:.0f}s and was killed"
        if "Traceback" in tail(self.stderr, 200):
            return f"{self.name} printed a traceback while stopping:\n{tail(self.stderr, 12)}"
        return ""


@dataclass
class Bots:
    """The processes of one test: bots, and CLI commands run the same way."""

    folder: Path
    secrets: dict[str, str]
    config: dict[str, dict[str, Any]] = field(default_factory=dict)
    running: list[BotProcess] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def _config_file(self, name: str, extra: dict[str, dict[str, Any]]) -> Path:
        sections = merged(FAST, {"bot": {"data_dir": str(self.folder / "data")}}, self.config, extra)
        return write_toml(self.folder / f"{name}.toml", sections)

    def _env(self, config: Path, secrets: dict[str, str] | None = None) -> dict[str, str]:
        return clean_environment({**self.secrets, **(secrets or {}), "PEERBOT_CONFIG": str(config)})

    def start(
        self,
        extra: dict[str, dict[str, Any]] | None = None,
        http: bool = False,
        secrets: dict[str, str] | None = None,
    ) -> BotProcess:
        """Start `peerbot run`; with `http`, on a free port of its own (Slack HTTP mode), and
        with `secrets` of its own (e.g. a token that tells its calls apart from another bot's)."""
        name = f"bot{len(self.running) + 1}"
        extra = dict(extra or {})
        port = free_port() if http else None
        if port is not None:
            extra = merged(extra, {"slack": {"mode": "http", "http_host": "127.0.0.1", "http_port": port}})
        config = self._config_file(name, extra)
        stdout, stderr = self.folder / f"{name}.out", self.folder / f"{name}.err"
        with stdout.open("wb") as out, stderr.open("wb") as err:
            process = subprocess.Popen(
                [sys.executable, "-m", "bot", "run"],
                cwd=self.folder,
                env=self._env(config, secrets),
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=err,
            )
        bot = BotProcess(name, process, stdout, stderr, port)
        self.running.append(bot)
        return bot

    async def cli(self, *args: str, within: float = 30) -> str:
        """Run one `peerbot` command to completion (as an organiser would); returns its stdout."""
        config = self._config_file("cli", {})
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot",
            *args,
            cwd=self.folder,
            env=self._env(config),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        try:
            out, err = await asyncio.wait_for(process.communicate(), within)
        except TimeoutError:
            process.kill()
            await process.wait()
            raise AssertionError(f"peerbot {' '.join(args)} took over {within}s") from None
        assert process.returncode == 0, (
            f"peerbot {' '.join(args)} exited with {process.returncode}:\n{err.decode()[-2000:]}"
        )
        return out.decode()

    def report(self) -> str:
        return "\n".join(bot.report() for bot in self.running) or "(no bot processes)"

    async def wait_for(
        self, predicate: Callable[[], Any], within: float, what: str, poll: float = 0.05
    ) -> Any:
        """Poll `predicate` (plain or async) until it returns something truthy, and return that.

        Fails after `within` seconds, or at once if a bot process died, saying what was awaited
        and showing each process's output tail.
        """
        end = time.monotonic() + within
        while True:
            value = predicate()
            if inspect.isawaitable(value):
                value = await value
            if value:
                return value
            dead = [bot.name for bot in self.running if not bot.alive()]
            if dead:
                raise AssertionError(f"{', '.join(dead)} exited while waiting for {what}\n{self.report()}")
            if time.monotonic() > end:
                raise AssertionError(f"waited {within}s for {what}: it did not happen\n{self.report()}")
            await asyncio.sleep(poll)

    async def port_open(self, bot: BotProcess, within: float = 30) -> None:
        """Wait until the bot's HTTP endpoint accepts connections."""

        async def accepting() -> bool:
            try:
                _, writer = await asyncio.open_connection("127.0.0.1", bot.port)
            except OSError:
                return False
            writer.close()
            await writer.wait_closed()
            return True

        await self.wait_for(accepting, within, f"{bot.name} to listen on port {bot.port}", poll=0.1)

    async def stop_all(self) -> list[str]:
        """Stop every process of the test (at once, so shutdowns overlap); returns notes on those
        that did not stop cleanly. Stopping twice is harmless."""
        notes = [n for n in await asyncio.gather(*(bot.stop() for bot in self.running)) if n]
        self.notes += notes
        return notes
