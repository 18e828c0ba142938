"""Reading the terminal without holding the process open.

Reading through `loop.run_in_executor` parks a thread of asyncio's default executor in
`readline()`, and `asyncio.run` joins that executor before it returns: Ctrl-C at the prompt
then did nothing until Enter was pressed. Here one daemon thread reads a line each time one
is asked for, so stopping never waits for the keyboard.
"""

from __future__ import annotations

import asyncio
import contextlib
import queue
import threading
from typing import TextIO


def _settle(future: asyncio.Future, line: str | None, problem: BaseException | None) -> None:
    if future.done():  # the read was cancelled: the bot is stopping, the line is not wanted
        return
    if problem is not None:
        future.set_exception(problem)
    else:
        future.set_result(line)


class LineReader:
    """Lines of a text stream, read on a daemon thread one request at a time."""

    def __init__(self, stream: TextIO):
        self._stream = stream
        self._requests: queue.SimpleQueue = queue.SimpleQueue()
        self._thread: threading.Thread | None = None

    async def readline(self) -> str:
        """The next line with its newline, or "" at the end of input."""
        loop = asyncio.get_running_loop()
        future = loop.create_future()
        if self._thread is None:
            self._thread = threading.Thread(target=self._serve, name="console-input", daemon=True)
            self._thread.start()
        self._requests.put((loop, future))
        return await future

    def _serve(self) -> None:
        while True:
            loop, future = self._requests.get()
            line, problem = None, None
            try:
                line = self._stream.readline()
            except (OSError, ValueError) as failure:  # stream closed under us
                problem = failure
            with contextlib.suppress(RuntimeError):  # the loop closed: the process is exiting
                loop.call_soon_threadsafe(_settle, future, line, problem)
