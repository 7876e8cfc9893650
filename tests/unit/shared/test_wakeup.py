"""The polling loop's wait: cut short by a wake, eager until work is found."""

from __future__ import annotations

import asyncio
import time

from shared.wakeup import Wakeup


async def test_a_wait_without_a_wake_lasts_the_interval() -> None:
    wakeup = Wakeup(0.05)
    started = time.monotonic()
    await wakeup.wait()
    assert time.monotonic() - started >= 0.045


async def test_a_wake_ends_the_wait_at_once() -> None:
    wakeup = Wakeup(30)
    waiting = asyncio.create_task(wakeup.wait())
    await asyncio.sleep(0)
    wakeup.wake()
    await asyncio.wait_for(waiting, timeout=5)
    assert waiting.done()


async def test_after_a_wake_the_loop_looks_often_until_work_is_found() -> None:
    wakeup = Wakeup(30, eager=0.001, window=30)
    wakeup.wake()
    for _ in range(5):  # eager: each wait is short, although nothing was found
        await asyncio.wait_for(wakeup.wait(), timeout=5)
    wakeup.found()
    waiting = asyncio.create_task(wakeup.wait())
    await asyncio.sleep(0.05)
    assert not waiting.done()  # back to the long interval
    waiting.cancel()


async def test_a_wake_during_a_look_keeps_the_loop_eager() -> None:
    wakeup = Wakeup(30, eager=0.001, window=30)
    wakeup.wake()
    await wakeup.wait()
    wakeup.wake()  # another append while the look ran
    wakeup.found()
    await asyncio.wait_for(wakeup.wait(), timeout=5)
