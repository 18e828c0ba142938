"""Stopping on SIGINT (Ctrl-C) and SIGTERM, on the event loop, with the clean-up protected.

`asyncio.run` turns Ctrl-C into a KeyboardInterrupt wherever the code happens to be, and a
second Ctrl-C interrupts the clean-up itself. Here both signals are caught by the event loop
for the whole run: the first one ends the wait in `until_stopped`, later ones are ignored
while the clean-up (bounded by the scheduler's grace period) finishes.
"""

from __future__ import annotations

import asyncio
import signal

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


class StopSignals:
    """Use as `with StopSignals() as stop:`; `stop.received` is the first signal, if any."""

    def __init__(self) -> None:
        self.received: signal.Signals | None = None
        self._event = asyncio.Event()

    def __enter__(self) -> StopSignals:
        loop = asyncio.get_running_loop()
        for signum in STOP_SIGNALS:
            loop.add_signal_handler(signum, self._on_signal, signum)
        return self

    def __exit__(self, *_exc) -> None:
        loop = asyncio.get_running_loop()
        for signum in STOP_SIGNALS:
            loop.remove_signal_handler(signum)

    def _on_signal(self, signum: signal.Signals) -> None:
        if self.received is None:
            self.received = signum
            self._event.set()

    async def until_stopped(self, work: asyncio.Task) -> None:
        """Wait until `work` ends or a stop signal arrives, whichever is first."""
        waiter = asyncio.ensure_future(self._event.wait())
        try:
            await asyncio.wait({work, waiter}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            waiter.cancel()


async def cancel_and_wait(task: asyncio.Task) -> None:
    """Cancel `task` if it still runs and wait for it; its own failure, if any, is raised."""
    if not task.done():
        task.cancel()
    try:
        await task
    except asyncio.CancelledError:
        if asyncio.current_task().cancelling():  # we are being cancelled ourselves
            raise
