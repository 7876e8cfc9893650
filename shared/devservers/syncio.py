"""Run a coroutine to completion from synchronous code, even inside a running event loop.

The coroutine runs with `asyncio.run` in a short-lived worker thread, so a synchronous
caller (a pytest fixture, a readiness probe) never touches the caller's own loop.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

T = TypeVar("T")


def run_sync(factory: Callable[[], Coroutine[Any, Any, T]]) -> T:
    """Run the coroutine made by `factory` in a fresh event loop and return its result."""
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="devservers-sync") as pool:
        return pool.submit(lambda: asyncio.run(factory())).result()
