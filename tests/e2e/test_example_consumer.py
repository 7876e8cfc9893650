"""The integrators' example consumer (examples/balance_follower.py) against the platform.

Top-ups, grants, invoice debits and a voided invoice's restored credit for three
customers; the example, run as an integrator would run it, must end with the
balances the credits API shows, and a second pass over the whole topic with the
same state (a new consumer group: every record delivered again) must change nothing.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from services.platform import LocalPlatform

from .helpers import CARD_OK, new_card, top_up, wait_for_request
from .invoice_helpers import Billing, cents, wait_until

pytestmark = pytest.mark.e2e

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "balance_follower.py"


@pytest.fixture
async def billing(platform: LocalPlatform) -> AsyncIterator[Billing]:
    async with httpx.AsyncClient(timeout=30) as client:
        yield Billing(platform, client)


def run_follower(platform: LocalPlatform, group_id: str, state: Path) -> dict[str, Any]:
    """Run the example until it has read the topic to its end; return its summary."""
    done = subprocess.run(
        [
            sys.executable, str(EXAMPLE),
            "--bootstrap-servers", platform.config.kafka_bootstrap_servers,
            "--topic-prefix", platform.config.extra_env.get("KAFKA_TOPIC_PREFIX", ""),
            "--group-id", group_id, "--state", str(state), "--until-idle", "1",
        ],
        capture_output=True, text=True, timeout=90, cwd=EXAMPLE.parents[1],
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    summary: dict[str, Any] = json.loads(done.stdout)
    return summary


async def top_up_by_card(platform: LocalPlatform, customer_id: str, amount: str) -> None:
    card = await asyncio.to_thread(new_card, platform, CARD_OK)
    response = await asyncio.to_thread(
        top_up, platform, customer_id, amount, "top-up", payment_method_id=card
    )
    assert response.status_code == 202, response.text
    request_id = response.json()["request_id"]
    done = await asyncio.to_thread(
        wait_for_request, platform, customer_id, request_id, {"succeeded", "failed"}
    )
    assert done["status"] == "succeeded", done


async def grant(billing: Billing, customer_id: str, amount: str, balance: str) -> None:
    await billing.grant(customer_id, amount)

    async def granted() -> bool:
        return await billing.balance(customer_id) == balance

    await wait_until(granted, 30, lambda: f"{customer_id}: balance {balance}")


def settled(body: dict[str, Any]) -> bool:
    """Paid, or left with its remainder after the card could not pay."""
    return body["status"] == "paid" or (
        not body["payment_in_progress"] and body["last_payment_error"] is not None
    )


async def invoice(billing: Billing, customer_id: str, amount: str, status: str) -> str:
    """Issue an invoice and wait until it has settled in ``status``."""
    invoice_id = await billing.issued(customer_id, amount)
    body = await billing.wait_invoice(customer_id, invoice_id, settled)
    assert body["status"] == status, body
    return invoice_id


async def test_the_example_follows_the_balances_and_ignores_redeliveries(
    platform: LocalPlatform, billing: Billing, tmp_path: Path
) -> None:
    alice, bob, carol = (f"cus-{name}-{uuid.uuid4().hex[:8]}" for name in ("a", "b", "c"))
    await top_up_by_card(platform, alice, "100.00")
    await invoice(billing, alice, "47.76", status="paid")
    await grant(billing, bob, "25.00", balance="25.00")
    await invoice(billing, bob, "10.00", status="paid")
    await grant(billing, carol, "6.00", balance="6.00")
    unpaid = await invoice(billing, carol, "10.00", status="active")  # no card: 4.00 left
    voided = await billing.void(unpaid)
    assert voided.status_code == 200, voided.text

    async def restored() -> bool:
        return await billing.balance(carol) == "6.00"

    await wait_until(restored, 30, lambda: "the voided invoice's credits to come back")
    await top_up_by_card(platform, carol, "20.00")
    expected = {alice: "52.24", bob: "15.00", carol: "26.00"}
    shown = {customer: await billing.balance(customer) for customer in expected}
    assert shown == expected

    state, group = tmp_path / "balances.sqlite3", f"follower-{uuid.uuid4().hex[:8]}"
    followed: dict[str, Any] = {}
    applied = 0

    async def caught_up() -> bool:
        nonlocal followed, applied
        followed = await asyncio.to_thread(run_follower, platform, group, state)
        applied += followed["applied"]
        mine = {c: followed["balances"].get(c, {}).get("USD") for c in expected}
        return mine == {customer: cents(amount) for customer, amount in expected.items()}

    await wait_until(caught_up, 120, lambda: f"the example's balances: {followed}")
    assert followed["set_aside"] == 0

    assert applied >= 8  # this test's events that move a balance, at least

    replay = await asyncio.to_thread(run_follower, platform, f"{group}-replay", state)
    assert replay["duplicates"] == applied, replay  # every event applied came again
    for customer, amount in expected.items():
        assert replay["balances"][customer] == {"USD": cents(amount)}
        assert await billing.balance(customer) == amount
