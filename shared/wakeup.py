"""Wake a polling loop early when work is on its way.

A loop that polls the database (the outbox relay, the payments worker) waits
``interval`` between looks. ``wake()`` (called when this process appends an
event) ends the wait at once, and since the appending transaction commits a
moment later, the loop then looks again every ``eager`` seconds until a look
finds work (``found()``) or ``window`` seconds pass. Other processes' work is
still found by the ordinary poll.
"""

from __future__ import annotations

import asyncio
import contextlib
import time


class Wakeup:
    """The wait between two looks of a polling loop, cut short by ``wake()``."""

    def __init__(self, interval: float, *, eager: float = 0.002, window: float = 0.25) -> None:
        self.interval = interval
        self.eager = eager
        self.window = window
        self._event = asyncio.Event()
        self._eager_until = 0.0
        self._woken_since_look = False

    def wake(self) -> None:
        """Work is on its way: look now, and often for a short while."""
        self._eager_until = time.monotonic() + self.window
        self._woken_since_look = True
        self._event.set()

    def found(self) -> None:
        """The last look found work: stop looking often, unless woken since."""
        if not self._woken_since_look:
            self._eager_until = 0.0

    async def wait(self) -> None:
        """Wait until the next look is due."""
        if time.monotonic() < self._eager_until:
            await asyncio.sleep(self.eager)
        else:
            self._event.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._event.wait(), timeout=self.interval)
        self._woken_since_look = False
