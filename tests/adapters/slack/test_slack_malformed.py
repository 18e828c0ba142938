"""A correctly signed request that is not well-formed is answered 400, and no byte of it is logged.

Slack only sends UTF-8 JSON or forms, but a signed request is not trusted to be well-formed: a
body that fails to parse used to reach slack-bolt and come back as a 500 with a traceback (and,
for invalid UTF-8, the whole body inside the exception's repr). Library log lines are tried too:
aiohttp quoting a malformed header line, slack-bolt quoting what someone typed into a select.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import time
from urllib.parse import urlencode

import pytest
from fake_slack import SIGNING_SECRET, TEAM, command_body, signed_headers
from log_capture import every_logger_at_debug

MARKER = "MALFORMED-MARKER-5c1e"
FORM = "application/x-www-form-urlencoded"
JSON = "application/json"


def bytes_signed_headers(body: bytes) -> dict[str, str]:
    """Slack's signature computed over the raw bytes, as Slack computes it (slack_sdk's helper
    reads the body as UTF-8 first, so it cannot sign a body that is not UTF-8)."""
    timestamp = str(int(time.time()))
    base = b"v0:" + timestamp.encode() + b":" + body
    digest = hmac.new(SIGNING_SECRET.encode(), base, hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": timestamp, "X-Slack-Signature": f"v0={digest}"}


def _form(**fields: str) -> bytes:
    return urlencode(fields).encode()


COMMAND = {"command": "/peer", "team_id": TEAM, "user_id": "U1", "trigger_id": "1.2.3"}
MARK = MARKER.encode()
UNKNOWN_CHARSET = FORM + "; charset=x-no-such-charset"
MALFORMED = [
    pytest.param(b'{"type": "event_callback", "event": {"text": "' + MARK, JSON, id="bad-json"),
    pytest.param(json.dumps([MARKER]).encode(), JSON, id="json-list"),
    pytest.param(json.dumps(MARKER).encode(), JSON, id="json-string"),
    pytest.param(b'{"type": "event_callback", "text": "' + MARK + b' \xff\xfe"}', JSON, id="json-not-utf8"),
    pytest.param(_form(**COMMAND).replace(b"trigger", MARK + b"\xff&trigger"), FORM, id="form-not-utf8"),
    pytest.param(_form(**COMMAND, text=MARKER) + b"%FF%FE", FORM, id="command-broken-percent-encoding"),
    pytest.param(_form(**COMMAND, text=MARKER), UNKNOWN_CHARSET, id="command-unknown-charset"),
    pytest.param(json.dumps({"team": 5, "text": MARKER}).encode(), JSON, id="json-team-not-text"),
    pytest.param(_form(payload=f"{{{MARKER}"), FORM, id="payload-not-json"),
    pytest.param(_form(payload=json.dumps([MARKER])), FORM, id="payload-list"),
    pytest.param(_form(payload=json.dumps(MARKER)), FORM, id="payload-string"),
    pytest.param(_form(payload='{"type": "x", "x": "') + b"%FF" + MARK, FORM, id="payload-not-utf8"),
]


@pytest.mark.parametrize("slack_mode", ["http"], indirect=True)
@pytest.mark.parametrize(("body", "content_type"), MALFORMED)
async def test_a_signed_malformed_request_gets_400_and_one_content_free_log_line(
    slack_world, body, content_type
):
    with every_logger_at_debug() as capture:
        status, text = await slack_world.driver.post(body, content_type, bytes_signed_headers(body))
        await slack_world.adapter.drain()
    assert status == 400 and MARKER not in text
    assert not [record for record in capture.texts if MARKER in record]
    refusals = [record for record in capture.texts if "malformed request" in record]
    assert len(refusals) == 1 and "Traceback" not in refusals[0]
    assert not slack_world.fake.calls


@pytest.mark.parametrize("slack_mode", ["http"], indirect=True)
async def test_a_well_formed_command_still_works_after_the_checks(slack_world):
    body = urlencode(command_body(slack_world.fake, "U1", "help with my payload")).encode()
    status, _text = await slack_world.driver.post(body, FORM + "; charset=utf-8", signed_headers(body))
    await slack_world.adapter.drain()
    assert status == 200 and slack_world.fake.called("response_url")


@pytest.mark.parametrize("slack_mode", ["http"], indirect=True)
async def test_a_malformed_http_request_line_is_not_quoted_by_aiohttp(slack_world):
    request = (
        f"POST /slack/events HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Note {MARKER} has no colon\r\n"
        "Content-Length: 0\r\n\r\n"
    ).encode()
    with every_logger_at_debug() as capture:
        reader, writer = await asyncio.open_connection("127.0.0.1", slack_world.adapter.port)
        writer.write(request)
        await writer.drain()
        answer = await asyncio.wait_for(reader.read(), 10)
        writer.close()
        await writer.wait_closed()
    assert answer.startswith(b"HTTP/1.") and b" 400 " in answer.split(b"\r\n")[0]
    assert any("aiohttp" in name for name in capture.names), "aiohttp logged nothing at all"
    assert not [record for record in capture.texts if MARKER in record]


@pytest.mark.parametrize("slack_mode", ["http"], indirect=True)
async def test_a_typed_select_search_is_answered_with_no_options_and_never_logged(slack_world):
    suggestion = {
        "type": "block_suggestion",
        "team": {"id": TEAM},
        "user": {"id": "U1", "team_id": TEAM},
        "api_app_id": "A1",
        "action_id": "anything",
        "block_id": "b1",
        "value": f"what they typed {MARKER}",
        "view": {"id": "V1", "type": "modal", "callback_id": "peer-form"},
    }
    body = _form(payload=json.dumps(suggestion))
    with every_logger_at_debug() as capture:
        status, text = await slack_world.driver.post(body, FORM, signed_headers(body))
        await slack_world.adapter.drain()
    assert status == 200 and json.loads(text) == {"options": []}
    assert not [record for record in capture.texts if MARKER in record]
