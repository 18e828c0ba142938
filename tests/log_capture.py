"""Capturing every log record from every logger (libraries too) at DEBUG, as the leak tests need."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

from bot.kernel.logging_setup import configure_logging

LIBRARIES = (
    "sqlalchemy.engine",
    "aiosqlite",
    "asyncpg",
    "slack_bolt",
    "slack_sdk",
    "discord",
    "aiohttp",
    "openai",
    "httpx",
    "websockets",
)


class LogCapture(logging.Handler):
    """Every record any logger creates, rendered every way a handler could render it."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.texts: list[str] = []
        self.names: set[str] = set()

    def emit(self, record: logging.LogRecord) -> None:
        self.names.add(record.name)
        self.texts.append(logging.Formatter().format(record) + repr(record.__dict__))


@contextmanager
def every_logger_at_debug() -> Iterator[LogCapture]:
    """configure_logging("DEBUG"), then force every logger (libraries too) to DEBUG and capture."""
    root = logging.getLogger()
    saved_handlers, saved_level = list(root.handlers), root.level
    configure_logging("DEBUG")
    capture = LogCapture()
    root.addHandler(capture)
    touched = []
    for name in [*LIBRARIES, *logging.root.manager.loggerDict]:
        logger = logging.getLogger(name)
        touched.append((logger, logger.level))
        logger.setLevel(logging.DEBUG)
    try:
        yield capture
    finally:
        for logger, level in touched:
            logger.setLevel(level)
        for handler in list(root.handlers):
            root.removeHandler(handler)
        for handler in saved_handlers:
            root.addHandler(handler)
        root.setLevel(saved_level)
