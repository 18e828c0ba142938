"""One data folder, one bot process: a lock file beside the SQLite database.

Two bot processes on one SQLite file would both run the job queue (SQLite has no
`SKIP LOCKED`), so both would send every introduction and reminder. The second one is
refused with a clear line instead. The operating system drops the lock when its process
dies, however it dies, so a crash never leaves the folder locked. Short commands
(`peerbot match`, `import`, `export`) take no lock: they run no job queue.
PostgreSQL needs none: replicas share the work through row locks.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from sqlalchemy import make_url

try:
    import fcntl
except ImportError:  # Windows
    fcntl = None
    import msvcrt


class DataFolderInUse(Exception):
    """Another bot process holds the SQLite database; str() says which and what to do."""


def sqlite_file(database_url: str) -> Path | None:
    """The SQLite database file a URL names, or None (PostgreSQL, or an in-memory database)."""
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        return None
    return Path(url.database)


def _try_lock(handle: IO[str]) -> bool:
    try:
        if fcntl is not None:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        else:
            msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)
    except OSError:
        return False
    return True


@contextmanager
def hold_data_folder(database_url: str) -> Iterator[None]:
    """Hold the database's lock file while the bot runs, or raise DataFolderInUse."""
    database = sqlite_file(database_url)
    if database is None:
        yield
        return
    database.parent.mkdir(parents=True, exist_ok=True)
    lock_path = database.with_name(database.name + ".lock")
    with open(lock_path, "a+", encoding="utf-8") as handle:
        if not _try_lock(handle):
            handle.seek(0)
            holder = handle.read().strip() or "unknown"
            raise DataFolderInUse(
                f"another peerbot process (pid {holder}) is already running on {database}. "
                "Stop it first, or point this one at another [bot] data_dir; to run several "
                "processes on one database, use PostgreSQL (PEERBOT_DATABASE_URL)."
            )
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        yield
