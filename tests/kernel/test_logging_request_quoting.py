"""Library records above WARNING that quote a request are replaced by a fixed line at the logger."""

import json
import logging
from urllib.parse import urlencode

from aiohttp.http_exceptions import BadHttpMessage
from log_capture import every_logger_at_debug
from slack_bolt.logger.messages import warning_unhandled_by_global_middleware, warning_unhandled_request
from slack_bolt.request.async_request import AsyncBoltRequest

from bot.kernel.logging_setup import guarded_logger

MARKER = "TYPED-INTO-A-SELECT-9d2b"


def _block_suggestion() -> AsyncBoltRequest:
    payload = {"type": "block_suggestion", "action_id": "a", "block_id": "b", "value": f"typed {MARKER}"}
    return AsyncBoltRequest(
        body=urlencode({"payload": json.dumps(payload)}),
        headers={"content-type": "application/x-www-form-urlencoded"},
    )


def test_slack_bolts_unhandled_request_warnings_never_carry_the_request():
    request = _block_suggestion()
    assert MARKER in warning_unhandled_request(request), "bolt's own warning quotes the value"
    with every_logger_at_debug() as capture:
        for name in ("slack_bolt.peerbot", "slack_bolt.AsyncApp"):
            guarded_logger(name).warning(warning_unhandled_request(request))
            guarded_logger(name).warning(warning_unhandled_by_global_middleware("m", request))
    assert not [text for text in capture.texts if MARKER in text]
    assert sum("slack-bolt found no listener for a request" in text for text in capture.texts) == 2
    assert sum("a middleware left a request unanswered" in text for text in capture.texts) == 2


def test_aiohttps_bad_request_record_keeps_only_the_exception_type():
    try:
        raise BadHttpMessage(f"Invalid header token: b'X-Note {MARKER}'")
    except BadHttpMessage as problem:
        with every_logger_at_debug() as capture:
            server_log = guarded_logger("aiohttp.server")
            server_log.error("Error handling request from %s", "127.0.0.1", exc_info=problem)
    assert not [text for text in capture.texts if MARKER in text]
    assert any("aiohttp refused or failed a request (BadHttpMessage)" in text for text in capture.texts)


def test_slack_bolts_failure_records_keep_only_the_exception_type():
    try:
        {}[f"typed {MARKER}"]
    except KeyError as problem:
        with every_logger_at_debug() as capture:
            bolt_log = guarded_logger("slack_bolt.peerbot")
            bolt_log.exception(f"Failed to run listener function (error: {problem})")
    assert not [text for text in capture.texts if MARKER in text]
    assert any("a middleware or listener failed on a request (KeyError)" in text for text in capture.texts)


def test_other_library_warnings_pass_unchanged():
    with every_logger_at_debug() as capture:
        guarded_logger("slack_bolt.peerbot").warning("an ordinary bolt warning %s", "kept")
        logging.getLogger("bot.x").warning("Unhandled request in our own code")
    assert any("an ordinary bolt warning kept" in text for text in capture.texts)
    assert any("Unhandled request in our own code" in text for text in capture.texts)
