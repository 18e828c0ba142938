"""Reading what a SQLite database holds on disk, for tests that erased data leaves no byte."""

from __future__ import annotations

from pathlib import Path


def file_bytes(h) -> bytes:
    """Every byte of a harness's SQLite database: the file, its write-ahead log and its journal."""
    path = Path(h.config.database_url().split(":///", 1)[1])
    return b"".join(
        Path(f"{path}{suffix}").read_bytes()
        for suffix in ("", "-wal", "-journal")
        if Path(f"{path}{suffix}").exists()
    )
