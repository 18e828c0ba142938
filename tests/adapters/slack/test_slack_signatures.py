"""HTTP mode refuses anything not signed by Slack, before bolt sees it, and never logs its body."""

from __future__ import annotations

import hashlib
import hmac
import logging
from urllib.parse import urlencode

import pytest
from fake_slack import SIGNING_SECRET, command_body, signed_headers
from slack_sdk.signature import SignatureVerifier

from adapters.slack.http_endpoint import signature_problem, slack_signature
from bot.kernel.logging_setup import configure_logging

MARKER = "SIGNATURE-MARKER-7f3a"
FORM = "application/x-www-form-urlencoded"


def test_slack_published_signature_vector():
    body = (
        b"token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V"
        b"&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text="
        b"&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmib"
        b"IGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c"
    )
    expected = "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503"
    assert slack_signature("8f742231b10e8888abcd99yyyzzz85a5", "1531420618", body) == expected
    assert (
        signature_problem("8f742231b10e8888abcd99yyyzzz85a5", "1531420618", expected, body, 1531420618)
        is None
    )
    assert (
        signature_problem("8f742231b10e8888abcd99yyyzzz85a5", "1531420618", expected, body, 1531420919)
        == "stale"
    )


def test_a_body_that_is_not_utf8_is_checked_over_its_bytes():
    """slack_sdk's verifier reads the body as UTF-8; Slack signs bytes. Such a body, signed, is
    let through to be refused as malformed (400), and a wrong signature is still refused."""
    secret, timestamp, body = "8f742231b10e8888abcd99yyyzzz85a5", "1531420618", b"text=\xff\xfe"
    base = b"v0:" + timestamp.encode() + b":" + body
    signed = "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()
    assert signature_problem(secret, timestamp, signed, body, 1531420618) is None
    assert signature_problem("another-secret", timestamp, signed, body, 1531420618) == "bad signature"
    assert signature_problem(secret, timestamp, signed, body, 1531420919) == "stale"


class Everything(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture
def every_log_record():
    """Every record any logger creates, at DEBUG, after the bot's own logging set-up."""
    configure_logging("DEBUG")
    loggers = [logging.getLogger(name) for name in list(logging.root.manager.loggerDict)]
    levels = {logger: logger.level for logger in loggers}
    for logger in loggers:
        logger.setLevel(logging.DEBUG)
    handler = Everything()
    logging.getLogger().addHandler(handler)
    yield handler.records
    logging.getLogger().removeHandler(handler)
    for logger, level in levels.items():
        logger.setLevel(level)
    logging.getLogger().setLevel(logging.WARNING)


@pytest.mark.parametrize("slack_mode", ["http"], indirect=True)
@pytest.mark.parametrize(
    "headers",
    [
        pytest.param(lambda body: {}, id="unsigned"),
        pytest.param(lambda body: signed_headers(body, secret="wrong-secret"), id="wrong-secret"),
        pytest.param(lambda body: signed_headers(body, age=301), id="stale"),
        pytest.param(
            lambda body: {**signed_headers(body), "X-Slack-Request-Timestamp": "soon"}, id="bad-time"
        ),
        pytest.param(lambda body: signed_headers(body + b"&x=1"), id="other-body"),
    ],
)
async def test_unsigned_wrong_or_stale_requests_get_401_and_are_not_logged(
    slack_world, headers, every_log_record
):
    body = urlencode(command_body(slack_world.fake, "U1", f"join {MARKER}")).encode()
    status, text = await slack_world.driver.post(body, FORM, headers(body))
    await slack_world.adapter.drain()
    assert status == 401 and MARKER not in text
    assert not slack_world.fake.called("response_url") and not slack_world.fake.called("views.open")
    logged = [r.getMessage() for r in every_log_record]
    assert any("rejected a request" in line for line in logged)
    assert not [line for line in logged if MARKER in line or "join%20" in line or "join+" in line]


@pytest.mark.parametrize("slack_mode", ["http"], indirect=True)
async def test_a_signed_request_is_handled(slack_world, every_log_record):
    body = urlencode(command_body(slack_world.fake, "U1", f"help {MARKER}")).encode()
    status, _text = await slack_world.driver.post(body, FORM, signed_headers(body, secret=SIGNING_SECRET))
    await slack_world.adapter.drain()
    assert status == 200
    assert slack_world.fake.called("response_url")
    assert not [r for r in every_log_record if MARKER in r.getMessage()]


@pytest.mark.parametrize("slack_mode", ["http"], indirect=True)
async def test_each_request_is_verified_once_with_slack_sdks_verifier(slack_world, monkeypatch):
    checks: list[str] = []
    verify = SignatureVerifier.is_valid

    def counted(self, body, timestamp, signature):
        checks.append(timestamp)
        return verify(self, body, timestamp, signature)

    monkeypatch.setattr(SignatureVerifier, "is_valid", counted)
    body = urlencode(command_body(slack_world.fake, "U1", "help")).encode()
    status, _text = await slack_world.driver.post(body, FORM, signed_headers(body, secret=SIGNING_SECRET))
    await slack_world.adapter.drain()
    assert status == 200 and slack_world.fake.called("response_url")
    assert len(checks) == 1
