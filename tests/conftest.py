"""Shared fixtures: a network guard, a database per test (SQLite, and PostgreSQL when
PEERBOT_TEST_DATABASE_URL is set), and a core wired to a collecting in-memory platform."""

from __future__ import annotations

import ipaddress
import os
import socket
import sqlite3

import pytest
import pytest_asyncio

from harness import PG_ENV, Harness, fresh_postgres

_real_connect = socket.socket.connect
_real_connect_ex = socket.socket.connect_ex


def _check_address(address) -> None:
    if isinstance(address, tuple) and address:
        host = address[0]
        try:
            ip = ipaddress.ip_address(host.split("%")[0])
        except ValueError:
            raise OSError(f"test tried to connect to a host name {host!r}; use 127.0.0.1") from None
        if not (ip.is_loopback):
            raise OSError(f"test tried to reach {host}: only 127.0.0.0/8 is allowed in tests")


def _guarded_connect(self, address):
    _check_address(address)
    return _real_connect(self, address)


def _guarded_connect_ex(self, address):
    _check_address(address)
    return _real_connect_ex(self, address)


@pytest.fixture(autouse=True, scope="session")
def network_guard():
    """Fail any test that connects anywhere but the loopback addresses."""
    socket.socket.connect = _guarded_connect
    socket.socket.connect_ex = _guarded_connect_ex
    yield
    socket.socket.connect = _real_connect
    socket.socket.connect_ex = _real_connect_ex


def _backends() -> list:
    backends = ["sqlite"]
    if os.environ.get(PG_ENV):
        backends.append("postgresql")
    return backends


@pytest.fixture
def secure_delete_off_by_default(monkeypatch):
    """Every new SQLite connection starts with secure_delete off, as on a build without it, so
    only the bot's own setting can zero what a deletion frees (tests/on_disk.py reads the file)."""
    real_connect = sqlite3.connect

    def connect(*args, **kwargs):
        connection = real_connect(*args, **kwargs)
        connection.execute("PRAGMA secure_delete=OFF")
        return connection

    monkeypatch.setattr(sqlite3, "connect", connect)


@pytest.fixture(params=_backends())
def database_url(request, tmp_path) -> str:
    """A URL to an empty database: a new SQLite file, or the test PostgreSQL emptied."""
    if request.param == "sqlite":
        return f"sqlite+aiosqlite:///{tmp_path / 'test.db'}"
    return os.environ[PG_ENV]


@pytest_asyncio.fixture
async def empty_database(database_url) -> str:
    if database_url.startswith("postgresql"):
        await fresh_postgres(database_url)
    return database_url


@pytest_asyncio.fixture
async def harness(empty_database, tmp_path):
    """A prepared core on a fresh database, a fake clock and a collecting platform."""
    h = Harness.create(empty_database, tmp_path)
    await h.start()
    yield h
    await h.stop()
