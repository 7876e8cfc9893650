"""Every consumed topic replayed from offset 0 into the services' groups: no state changes."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from services.platform import SERVICE_NAMES, LocalPlatform
from tests.e2e.invoice_helpers import query

from .kafka_groups import CONSUMED, lag, rewind, wait_caught_up
from .workload import workload


async def snapshot(platform: LocalPlatform) -> dict[str, Any]:
    """Everything the services hold: each stream's version, and the balances."""
    state: dict[str, Any] = {}
    for service in SERVICE_NAMES:
        rows = await query(
            platform, service,
            f"SELECT stream_id, max(version) FROM {service}.events GROUP BY 1 ORDER BY 1",
        )  # fmt: skip
        state[service] = [tuple(r) for r in rows]
    rows = await query(
        platform, "credits", "SELECT customer_id, balance, version FROM credits.balances ORDER BY 1"
    )
    state["balances"] = [tuple(r) for r in rows]
    return state


def summary(state: dict[str, Any]) -> str:
    return ", ".join(f"{k}: {len(v)} rows" for k, v in state.items())


async def test_replaying_every_topic_from_zero_changes_nothing(
    platform: LocalPlatform, say: Callable[[str], None]
) -> None:
    async with workload(platform, 3) as work:
        await work.run(rounds=2)
        await work.check(say)
        for service in SERVICE_NAMES:
            await wait_caught_up(platform, service)
        before = await snapshot(platform)
        await asyncio.to_thread(platform.stop)
        rewound = {s: await rewind(platform, s) for s in SERVICE_NAMES}
        behind = {s: await lag(platform, s) for s in SERVICE_NAMES}
        assert all(behind.values()), behind
        say(f"services stopped; offsets of {rewound} partitions set to 0 ({CONSUMED})")
        say(f"records each group will read again: {behind}")
        await asyncio.to_thread(platform.start)
        for service in SERVICE_NAMES:
            await wait_caught_up(platform, service)
        after = await snapshot(platform)
        say(f"every group consumed its topics again from offset 0; unchanged: {summary(before)}")
        assert after == before
        await work.check(say)
