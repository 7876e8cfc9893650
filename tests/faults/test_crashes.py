"""kill -9 at chosen points while top-ups and invoices run; restart; nothing lost or doubled.

Each case restarts one service with a crash point armed (``BILLING_CRASH_AT``), runs a
stream of top-ups and invoices, waits until the service has killed itself (SIGKILL) at
that point, restarts it unarmed and checks the end state (see ``workload.Workload.check``).
"""

from __future__ import annotations

import asyncio
import signal
from collections.abc import Callable

import pytest

from services.platform import LocalPlatform
from shared.faults import ENV_VAR

from .workload import workload

CRASHES = [
    ("payments", "charge:after_stripe_call", "after the Stripe call, before its result is stored"),
    ("credits", "relay:before_publish", "after events commit, before they are published"),
    ("payments", "relay:before_publish", "after events commit, before they are published"),
    ("invoicing", "relay:before_publish", "after events commit, before they are published"),
    ("credits", "consumer:after_handler_commit", "after a handler commits, before the offset"),
    ("payments", "consumer:after_handler_commit", "after a handler commits, before the offset"),
    ("invoicing", "consumer:after_handler_commit", "after a handler commits, before the offset"),
]


@pytest.mark.parametrize(
    ("service", "point", "meaning"), CRASHES, ids=[f"{s}-{p}" for s, p, _ in CRASHES]
)
async def test_kill_at_a_crash_point_then_restart(
    platform: LocalPlatform, say: Callable[[str], None], service: str, point: str, meaning: str
) -> None:
    async with workload(platform, 3) as work:
        await asyncio.to_thread(platform.restart, service, env={ENV_VAR: point})
        say(f"{service} armed to die at {point} ({meaning}); 3 customers x 2 top-ups + 1 invoice")
        stream = asyncio.create_task(work.run())
        code = await asyncio.to_thread(platform.wait_dead, service, 120)
        assert code == -signal.SIGKILL, f"{service} exited with {code}"
        say(f"{service} was killed (SIGKILL) at {point}; restarting it")
        await asyncio.to_thread(platform.restart, service, env={ENV_VAR: None})
        await stream
        await work.check(say)
