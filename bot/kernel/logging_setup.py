"""Logging that can never carry message bodies.

Several libraries print request and response bodies at DEBUG (slack_sdk, discord,
aiohttp, sqlalchemy.engine, openai, httpx) and slack-bolt logs a rejected request's body
at INFO. Those loggers are held at WARNING whatever the configured level, and a filter
on our handler drops anything below WARNING from them even if a library lowers its own
level; text the relay marks as sensitive is replaced wherever it appears.

A few library records above that level quote a request too (aiohttp an HTTP request's
offending header line, slack-bolt an unhandled request's fields, such as what someone typed
into a select's search): the same filter replaces those with a fixed line (REQUEST_QUOTING).
"""

from __future__ import annotations

import logging
import os
import sys
import threading
from pathlib import Path
from typing import TextIO

BODY_LOGGING_LIBRARIES = (
    "slack_bolt",
    "slack_sdk",
    "discord",
    "aiohttp",
    "sqlalchemy",
    "openai",
    "httpx",
    "httpx2",
    "httpcore",
    "httpcore2",
    "asyncpg",
    "aiosqlite",
    "websockets",
    "urllib3",
    "alembic",
    "apscheduler",
)
REDACTED = "[redacted]"

# Library records at WARNING or above that quote a request's bytes or fields: (logger name or
# its parent, start of the unformatted message, the fixed line that replaces the record). Only
# the exception's type is kept: its message and traceback can quote the request.
REQUEST_QUOTING = (
    ("aiohttp.server", "", "aiohttp refused or failed a request"),
    ("slack_bolt", "Unhandled request", "slack-bolt found no listener for a request"),
    ("slack_bolt", "A global middleware", "slack-bolt: a middleware left a request unanswered"),
    ("slack_bolt", "Failed to run", "slack-bolt: a middleware or listener failed on a request"),
)


def _quotes_a_request(record: logging.LogRecord) -> str | None:
    """The fixed line for a record that REQUEST_QUOTING lists (not yet replaced), or None."""
    message = str(record.msg)
    for logger, start, line in REQUEST_QUOTING:
        named = record.name == logger or record.name.startswith(logger + ".")
        if named and message.startswith(start) and not message.startswith(line):
            return line
    return None


def _make_content_free(record: logging.LogRecord, line: str) -> None:
    if record.exc_info and record.exc_info[0] is not None:
        line = f"{line} ({record.exc_info[0].__name__})"
    record.msg, record.args = line, ()
    record.exc_info = record.exc_text = record.stack_info = None


class SensitiveText:
    """Texts in flight that must never reach a log; the relay adds and removes them."""

    def __init__(self) -> None:
        self._texts: set[str] = set()
        self._lock = threading.Lock()

    def add(self, text: str) -> None:
        if len(text) >= 4:
            with self._lock:
                self._texts.add(text)

    def discard(self, text: str) -> None:
        with self._lock:
            self._texts.discard(text)

    def scrub(self, message: str) -> str:
        with self._lock:
            texts = list(self._texts)
        for text in texts:
            if text in message:
                message = message.replace(text, REDACTED)
        return message


SENSITIVE = SensitiveText()


class LibraryBodyFilter(logging.Filter):
    """Drops library records below WARNING, replaces those that quote a request with a fixed
    line, and scrubs sensitive text from the rest."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno < logging.WARNING and record.name.split(".")[0] in BODY_LOGGING_LIBRARIES:
            return False
        line = _quotes_a_request(record)
        if line is not None:
            _make_content_free(record, line)
            return True
        message = record.getMessage()
        scrubbed = SENSITIVE.scrub(message)
        if scrubbed != message:
            record.msg, record.args = scrubbed, ()
        return True


def guarded_logger(name: str) -> logging.Logger:
    """A logger to hand a library (e.g. slack_sdk's `logger=`) that drops the library's records
    below WARNING at the source, so no level set later — by an operator, a test or a debugger,
    and whatever handler is attached — can make it print request bodies. `name` must start
    with one of BODY_LOGGING_LIBRARIES."""
    logger = logging.getLogger(name)
    if not any(isinstance(f, LibraryBodyFilter) for f in logger.filters):
        logger.addFilter(LibraryBodyFilter())
    return logger


def guard_library_loggers() -> None:
    """Put the body filter on every logger the body-printing libraries have created so far.

    A logger's own filters apply to the records it creates whatever level or handler anyone
    sets later, but they are not inherited by child loggers: so each one is guarded. Call it
    again after importing a library (adapters do, when they start).
    """
    for name in list(logging.root.manager.loggerDict):
        if name.split(".")[0] in BODY_LOGGING_LIBRARIES:
            guarded_logger(name)


def clamp_library_loggers() -> None:
    """Hold body-printing library loggers at WARNING and guard them (tests call this too)."""
    for name in BODY_LOGGING_LIBRARIES:
        logging.getLogger(name).setLevel(logging.WARNING)
    guard_library_loggers()


def configure_logging(level: str, path: Path | None = None) -> None:
    """Log to standard error (or to the file `path`) at `level`, with the library clamp and
    the filter in place."""
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
    handler = logging.FileHandler(path, encoding="utf-8") if path else logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(LibraryBodyFilter())
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    clamp_library_loggers()


def same_output(first: TextIO, second: TextIO) -> bool:
    """Whether two streams write to the same terminal, file or pipe (e.g. `2>&1`)."""
    try:
        return os.path.samestat(os.fstat(first.fileno()), os.fstat(second.fileno()))
    except (OSError, ValueError, AttributeError):  # not a real file (a test's StringIO)
        return False
