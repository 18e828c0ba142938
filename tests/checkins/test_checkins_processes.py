"""Two real bot processes on one PostgreSQL database deliver each due message exactly once,
and a process killed mid-batch has its unfinished items delivered once by another after
the lease. PostgreSQL only: skipped unless PEERBOT_TEST_DATABASE_URL is set (CI sets it)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from checkin_helpers import add_people, introduce

from harness import PG_ENV, Harness, fresh_postgres

pytestmark = pytest.mark.skipif(
    not os.environ.get(PG_ENV), reason="needs PostgreSQL (PEERBOT_TEST_DATABASE_URL)"
)

ROOT = Path(__file__).resolve().parents[2]
WORKER = Path(__file__).with_name("checkins_worker.py")
REMINDERS_DUE = datetime(2026, 1, 11, 10, 0, tzinfo=UTC)
PEOPLE = 200


async def prepared_database(tmp_path) -> str:
    """A fresh database with PEOPLE people in pairs, whose reminders all fall due at REMINDERS_DUE."""
    url = os.environ[PG_ENV]
    await fresh_postgres(url)
    h = Harness.create(url, tmp_path)
    await h.start()
    h.clock.set(datetime(2026, 1, 5, 9, 0, tzinfo=UTC))
    users = [f"p{i:03d}" for i in range(PEOPLE)]
    await add_people(h.core, users)
    await introduce(h.core, [users[i : i + 2] for i in range(0, PEOPLE, 2)])
    await h.stop()
    return url


def spawn(mode: str, url: str, at: datetime, out: Path, go: Path, batch: int = 10) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), str(ROOT / "tests"), str(WORKER.parent)])}
    return subprocess.Popen(
        [sys.executable, str(WORKER), mode, url, at.isoformat(), str(out), str(go), str(batch)],
        cwd=ROOT,
        env=env,
    )


def run_together(workers: list[tuple[subprocess.Popen, Path]], go: Path) -> list[int]:
    """Release the workers at once (after each has started) and wait; returns exit codes."""
    deadline = time.monotonic() + 60
    while not all(Path(str(out) + ".ready").exists() for _, out in workers):
        assert time.monotonic() < deadline, "workers did not start"
        assert all(proc.poll() is None for proc, _ in workers), "a worker failed to start"
        time.sleep(0.02)
    go.write_text("go")
    return [proc.wait(timeout=120) for proc, _ in workers]


def deliveries(*files: Path) -> list[tuple[str, str, str]]:
    lines = []
    for path in files:
        if path.exists():
            lines += [tuple(line.split("\t")) for line in path.read_text().splitlines()]
    return lines


async def test_two_processes_deliver_each_due_reminder_exactly_once(tmp_path):
    url = await prepared_database(tmp_path)
    go = tmp_path / "go"
    outs = [tmp_path / "a.txt", tmp_path / "b.txt"]
    codes = run_together([(spawn("run", url, REMINDERS_DUE, out, go), out) for out in outs], go)
    assert codes == [0, 0]
    lines = deliveries(*outs)
    per_user = Counter(user for _, user, _ in lines)
    assert len(per_user) == PEOPLE and set(per_user.values()) == {1}
    assert {first for _, _, first in lines} == {"Reminder"}
    per_process = Counter(pid for pid, _, _ in lines)
    assert len(per_process) == 2, f"one process did all the work: {per_process}"


async def test_a_process_killed_mid_batch_has_its_items_delivered_once_after_the_lease(tmp_path):
    url = await prepared_database(tmp_path)
    go = tmp_path / "go"
    dying_out = tmp_path / "dying.txt"
    [code] = run_together([(spawn("die", url, REMINDERS_DUE, dying_out, go, batch=50), dying_out)], go)
    assert code == -9
    assert len(deliveries(dying_out)) == 10  # it finished 10 of its 50 before it was killed

    before_lease = tmp_path / "before.txt"
    at = REMINDERS_DUE + timedelta(seconds=30)
    assert run_together(
        [(spawn("run", url, at, before_lease, tmp_path / "go2"), before_lease)], tmp_path / "go2"
    ) == [0]
    assert len(deliveries(before_lease)) == PEOPLE - 50  # the dead process's 40 are still leased

    after_lease = tmp_path / "after.txt"
    at = REMINDERS_DUE + timedelta(seconds=61)
    assert run_together(
        [(spawn("run", url, at, after_lease, tmp_path / "go3"), after_lease)], tmp_path / "go3"
    ) == [0]
    assert len(deliveries(after_lease)) == 40
    per_user = Counter(user for _, user, _ in deliveries(dying_out, before_lease, after_lease))
    assert len(per_user) == PEOPLE and set(per_user.values()) == {1}
