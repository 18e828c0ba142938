"""Stopping cleanly: /quit, end of input, Ctrl-C and SIGTERM end the bot at once, with one
line, no traceback, no hang; work under way finishes or gives its leases back; log records
stay out of the console conversation."""

from __future__ import annotations

import asyncio
import fcntl
import os
import pty
import re
import select
import signal
import socket
import subprocess
import sys
import termios
import time
from pathlib import Path

import pytest
from sqlalchemy import select as sql_select

from bot.kernel.jobs import enqueue
from bot.kernel.scheduler import Scheduler
from bot.kernel.storage.job_models import Job

ROOT = Path(__file__).resolve().parents[2]
LOG_LINE = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d+ (DEBUG|INFO|WARNING|ERROR) ", re.M)


def bot_env(**extra: str) -> dict[str, str]:
    """The environment without any real credentials, plus `extra`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DISCORD_", "PEERBOT_"))}
    return {**env, "PYTHONPATH": str(ROOT), **extra}


def run_console(tmp_path: Path, script: str, *args: str, **popen) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "bot", "console", *args],
        input=script,
        text=True,
        cwd=tmp_path,
        env=bot_env(),
        timeout=60,
        **{"capture_output": True, **popen},
    )


@pytest.mark.parametrize("script", ["/quit\n", ""], ids=["quit", "end-of-input"])
def test_piped_quit_or_end_of_input_on_an_empty_database_exits_quietly(tmp_path, script):
    """The first tick starts at once; quitting used to cancel it mid-query (a CancelledError
    traceback every time, and now and then a SQLite thread that kept the process alive)."""
    for attempt in range(3):
        started = time.monotonic()
        done = (
            run_console(tmp_path / str(attempt), script)
            if (tmp_path / str(attempt)).mkdir() is None
            else None
        )
        assert done.returncode == 0, done.stderr
        assert "Traceback" not in done.stderr and "CancelledError" not in done.stderr, done.stderr
        assert done.stdout.rstrip().endswith("Bye.")
        assert time.monotonic() - started < 30


def test_log_records_never_land_in_the_conversation(tmp_path):
    """With standard error on the same screen (here: the same pipe) records go to a log file;
    and pausing 30 silent people is not 30 lines at INFO."""
    rounds = "/peer admin round\n/clock +7d\n/clock +14d\n/clock +14d\n/clock +14d\n"
    done = run_console(
        tmp_path,
        "/demo\n" + rounds * 3 + "/quit\n",
        "--fake-clock",
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        capture_output=False,
    )
    assert done.returncode == 0, done.stdout
    conversation = done.stdout.split("Type /help for console commands", 1)[1]
    assert not LOG_LINE.search(conversation), LOG_LINE.search(conversation).group(0)
    log_file = tmp_path / "peerbot-data" / "peerbot.log"
    assert f"log records go to {Path('peerbot-data') / 'peerbot.log'}" in done.stdout
    assert log_file.exists()
    assert "paused a member" not in log_file.read_text(), "one line per person at INFO floods the log"


# --- a real terminal ------------------------------------------------------------------


class Terminal:
    """`peerbot console` on a pseudo-terminal, so Ctrl-C is a real SIGINT from the terminal."""

    def __init__(self, cwd: Path):
        self.master, slave = pty.openpty()

        def controlling_terminal() -> None:
            os.setsid()
            fcntl.ioctl(0, termios.TIOCSCTTY, 0)

        self.proc = subprocess.Popen(
            [sys.executable, "-m", "bot", "console"],
            stdin=slave,
            stdout=slave,
            stderr=slave,
            cwd=cwd,
            env=bot_env(),
            preexec_fn=controlling_terminal,
        )
        os.close(slave)
        self.seen = b""

    def wait_for(self, text: str, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while text.encode() not in self.seen:
            assert time.monotonic() < deadline, f"never saw {text!r}: {self.seen.decode()[-500:]}"
            if select.select([self.master], [], [], 0.1)[0]:
                try:
                    self.seen += os.read(self.master, 4096)
                except OSError:
                    break

    def type(self, text: str) -> None:
        os.write(self.master, text.encode())

    def exit_code_within(self, seconds: float) -> int:
        try:
            return self.proc.wait(timeout=seconds)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            raise AssertionError(f"still running {seconds} s after Ctrl-C") from None

    def rest(self) -> str:
        while select.select([self.master], [], [], 0.2)[0]:
            try:
                self.seen += os.read(self.master, 4096)
            except OSError:
                break
        os.close(self.master)
        return self.seen.decode(errors="replace")


@pytest.fixture
def terminal(tmp_path):
    term = Terminal(tmp_path)
    term.wait_for("[Y/n] ")
    term.type("n\n")
    term.wait_for("you> ")
    yield term
    if term.proc.poll() is None:
        term.proc.kill()
        term.proc.wait()


def test_ctrl_c_at_the_prompt_exits_at_once_with_one_line(terminal):
    terminal.type("\x03")
    assert terminal.exit_code_within(5) == 130
    screen = terminal.rest()
    after = screen.split("you> ", 1)[1]
    assert after.replace("^C", "").strip() == "Stopped.", after
    assert "Traceback" not in screen


def test_ctrl_c_in_the_middle_of_a_form_says_nothing_was_saved(terminal):
    terminal.type("/peer join\n")
    terminal.wait_for("Display name")
    terminal.type("Alice Smith\n")
    terminal.wait_for("Organisation")
    terminal.type("\x03")
    assert terminal.exit_code_within(5) == 130
    screen = terminal.rest()
    assert "Stopped. The form “Join the peer network” was not submitted: nothing in it was saved." in screen
    assert "Traceback" not in screen


# --- peerbot run with a platform --------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_slack_bot(tmp_path: Path) -> subprocess.Popen:
    """`peerbot run` with Slack in HTTP mode, listening on a free local port."""
    port = free_port()
    (tmp_path / "peerbot.toml").write_text(
        f'[slack]\nmode = "http"\nhttp_port = {port}\napi_url = "http://127.0.0.1:9/api/"\n'
    )
    proc = subprocess.Popen(
        [sys.executable, "-m", "bot", "run"],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=tmp_path,
        env=bot_env(SLACK_BOT_TOKEN="xoxb-test", SLACK_SIGNING_SECRET="s3cret"),
    )
    deadline = time.monotonic() + 30
    while True:
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline, "the bot never listened"
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return proc
        time.sleep(0.05)


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_run_stops_cleanly_on_sigterm_and_sigint(tmp_path, signum):
    proc = start_slack_bot(tmp_path)
    proc.send_signal(signum)
    started = time.monotonic()
    try:
        out, err = proc.communicate(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        raise AssertionError(f"still running 10 s after {signum.name}: {proc.communicate()}") from None
    assert proc.returncode == 0, err
    assert time.monotonic() - started < 10
    assert "Traceback" not in err, err
    assert f"{signum.name}: stopping" in err


# --- work under way at shutdown ---------------------------------------------------------


async def add_jobs(h, n: int) -> None:
    async with h.core.db.session() as session, session.begin():
        for i in range(n):
            await enqueue(session, "slow", f"slow-{i}", h.clock.now(), {}, h.clock.now())


async def jobs_by_key(h) -> dict[str, Job]:
    async with h.core.db.session() as session:
        return {job.key: job for job in (await session.execute(sql_select(Job))).scalars()}


async def start_with_slow_jobs(h, seconds: float) -> tuple[Scheduler, asyncio.Event, list[str]]:
    """Three due jobs whose handler takes `seconds`; returns once the first has started."""
    started, finished = asyncio.Event(), []

    async def slow(core, job) -> None:
        started.set()
        await asyncio.sleep(seconds)
        finished.append(job.key)

    h.core.jobs.register("slow", slow)
    await add_jobs(h, 3)
    scheduler = Scheduler(h.core, cron_rounds=False)
    await scheduler.start()
    await asyncio.wait_for(started.wait(), 10)
    return scheduler, started, finished


async def test_shutdown_finishes_the_delivery_under_way_and_releases_the_rest(harness):
    harness.core.jobs.concurrency = 1  # one delivery under way, two claimed and waiting
    scheduler, _, finished = await start_with_slow_jobs(harness, 0.3)
    await scheduler.stop(grace=5)
    assert finished == ["slow-0"]
    jobs = await jobs_by_key(harness)
    assert jobs["slow-0"].status == "done"
    for key in ("slow-1", "slow-2"):
        assert (jobs[key].status, jobs[key].lease_owner, jobs[key].attempts) == ("pending", None, 0)


async def test_shutdown_cancels_work_past_the_grace_period_and_releases_its_lease(harness):
    scheduler, _, finished = await start_with_slow_jobs(harness, 60)
    started = time.monotonic()
    await scheduler.stop(grace=0.2)
    assert time.monotonic() - started < 5
    assert finished == []
    jobs = await jobs_by_key(harness)
    assert {(job.status, job.lease_owner) for job in jobs.values()} == {("pending", None)}
