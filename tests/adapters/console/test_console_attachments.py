"""Console attachments are written into the data folder and their paths printed."""

from __future__ import annotations

import asyncio
import io

from adapters.console.adapter import ConsolePlatform
from bot.kernel.messages import Attachment, Message
from bot.kernel.outbox import DirectMessage


def test_attachments_are_written_and_their_paths_printed(tmp_path):
    out = io.StringIO()
    platform = ConsolePlatform(out, attachments_dir=tmp_path / "attachments")
    message = Message("Your data", attachments=(Attachment("mydata.json", "application/json", b"{}"),))
    asyncio.run(platform.deliver(DirectMessage("console", "local", "ann"), message))
    written = tmp_path / "attachments" / "mydata.json"
    assert written.read_bytes() == b"{}"
    assert str(written) in out.getvalue()
