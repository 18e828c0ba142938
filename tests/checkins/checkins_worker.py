"""One bot process for the multi-process tests and the benchmark: its own core, event loop
and fake clock on a shared PostgreSQL database, recording each delivery as a line in a file.

python checkins_worker.py run|die URL CLOCK_ISO OUT_FILE GO_FILE [BATCH]
  run: wait for GO_FILE, then claim and run due jobs until none are left.
  die: claim one batch, finish 10 of its jobs, then kill itself mid-way (SIGKILL).
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import and_, func, or_, select

from bot.app.bootstrap import build_core, prepare
from bot.kernel.clock import FakeClock
from bot.kernel.config import parse_config
from bot.kernel.outbox import ConversationFacts, DirectMessage
from bot.kernel.storage.job_models import Job


@dataclass
class FilePlatform:
    """Records deliveries (who, and the message's first word) in a file, one line each."""

    path: Path
    name: str = "console"
    count: int = 0

    def __post_init__(self):
        self._file = self.path.open("a", encoding="utf-8", buffering=1)

    async def deliver(self, destination, message) -> None:
        first = message.text.split(":", 1)[0].split(" ", 1)[0]
        self._file.write(f"{os.getpid()}\t{destination.user_id}\t{first}\n")
        self.count += 1

    async def conversation_facts(self, destination) -> ConversationFacts:
        return ConversationFacts(is_direct_message=isinstance(destination, DirectMessage))


async def due_left(core) -> int:
    """Due jobs nobody holds (held ones are the other process's, or wait for their lease)."""
    now = core.clock.now()
    async with core.db.session() as session:
        free = or_(Job.lease_until.is_(None), Job.lease_until < now)
        result = await session.execute(
            select(func.count()).where(and_(Job.status == "pending", Job.due_at <= now, free))
        )
        return result.scalar_one()


async def main(mode: str, url: str, clock_at: str, out: str, go: str, batch: int) -> None:
    config = parse_config({"bot": {"data_dir": tempfile.mkdtemp()}}, {"PEERBOT_DATABASE_URL": url}, "worker")
    core = build_core(config, clock=FakeClock(datetime.fromisoformat(clock_at)))
    core.jobs.batch = batch
    platform = FilePlatform(Path(out))
    core.outbox.register(platform)
    await prepare(core)
    Path(out + ".ready").write_text("ready")
    while not Path(go).exists():
        time.sleep(0.005)
    started = time.perf_counter()
    if mode == "die":
        claimed = await core.jobs.claim(core)
        for job in claimed[:10]:
            await core.jobs.run_one(core, job)
        os.kill(os.getpid(), signal.SIGKILL)
    while True:
        ran = await core.jobs.run_due(core)
        if not ran:
            if not await due_left(core):
                break
            await asyncio.sleep(0.01)  # the other process holds the rest; wait for it to finish
    elapsed = time.perf_counter() - started
    Path(out + ".stats").write_text(f"{platform.count}\t{elapsed:.4f}\n")
    await core.close()


if __name__ == "__main__":
    mode, url, clock_at, out, go = sys.argv[1:6]
    asyncio.run(main(mode, url, clock_at, out, go, int(sys.argv[6]) if len(sys.argv) > 6 else 200))
