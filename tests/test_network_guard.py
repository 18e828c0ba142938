"""The suite itself refuses to reach anything but the loopback addresses."""

import socket

import pytest


def test_connecting_outside_loopback_fails():
    with pytest.raises(OSError, match="only 127.0.0.0/8"):
        socket.create_connection(("192.0.2.1", 80), timeout=0.5)


def test_loopback_is_allowed():
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    client = socket.create_connection(server.getsockname(), timeout=1)
    client.close()
    server.close()
