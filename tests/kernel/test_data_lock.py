"""One SQLite data folder, one bot process: a second is refused with a clear line, and the
lock goes with the process however it ends (here: SIGKILL), so a restart is never blocked."""

from __future__ import annotations

import os
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bot.kernel.storage.data_lock import DataFolderInUse, hold_data_folder, sqlite_file

ROOT = Path(__file__).resolve().parents[2]


def start_console(folder: Path) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    for name in ("PEERBOT_DATABASE_URL", "PEERBOT_CONFIG", "SLACK_BOT_TOKEN", "DISCORD_BOT_TOKEN"):
        env.pop(name, None)
    proc = subprocess.Popen(
        [sys.executable, "-m", "bot", "console"],
        cwd=folder,
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    return proc


def wait_for_output(proc: subprocess.Popen, wanted: str, seconds: float = 30) -> str:
    """Read the process's standard output until `wanted` appears, or fail at the deadline."""
    seen, deadline = "", time.monotonic() + seconds
    while wanted not in seen:
        left = deadline - time.monotonic()
        assert left > 0 and proc.poll() is None, f"never printed {wanted!r}; got {seen!r}"
        ready, _, _ = select.select([proc.stdout], [], [], left)
        if ready:
            seen += os.read(proc.stdout.fileno(), 4096).decode()
    return seen


def test_a_second_process_on_the_same_data_folder_is_refused_until_the_first_dies(tmp_path):
    first = start_console(tmp_path)
    try:
        wait_for_output(first, "console. You are")
        second = start_console(tmp_path)
        _, err = second.communicate("/quit\n", timeout=60)
        assert second.returncode == 1
        assert (
            f"another peerbot process (pid {first.pid}) is already running on peerbot-data/peerbot.db" in err
        )
        assert "use PostgreSQL" in err and "Traceback" not in err
    finally:
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=30)
    third = start_console(tmp_path)
    out, err = third.communicate("/quit\n", timeout=60)
    assert third.returncode == 0, err
    assert "Bye" in out


def test_the_lock_is_held_for_the_run_and_released_after(tmp_path):
    url = f"sqlite+aiosqlite:///{tmp_path / 'data' / 'peerbot.db'}"
    holding = hold_data_folder(url)
    with holding, pytest.raises(DataFolderInUse, match=f"pid {os.getpid()}"), hold_data_folder(url):
        pass
    with hold_data_folder(url):
        pass


def test_postgresql_and_in_memory_databases_take_no_lock():
    assert sqlite_file("postgresql+asyncpg://postgres@127.0.0.1/test") is None
    assert sqlite_file("sqlite+aiosqlite:///:memory:") is None
    assert sqlite_file("sqlite+aiosqlite:///x/y.db") == Path("x/y.db")
