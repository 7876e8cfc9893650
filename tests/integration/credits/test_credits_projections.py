"""Projections: rebuilt from zero they equal the live ones; verify finds any corrupted row."""

from __future__ import annotations

import asyncio
import os
import random
import sys
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from services.credits import handlers
from services.credits.domain.commands import (
    DebitInvoice,
    GrantCredit,
    RecordCapture,
    RecordFailure,
    RecordRequiresAction,
    RequestCredit,
    RestoreInvoiceCredit,
    ReverseCredit,
)
from services.credits.projections import CreditsProjection
from services.credits.stream import Metadata
from shared.idempotency import IdempotentCall
from shared.money import Money
from shared.projections import Rows

from .conftest import CreditsService
from .helpers import wait_until

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[3]


@dataclass
class Traffic:
    """Drives a random mix of commands through the service's handlers."""

    service: CreditsService
    customers: list[str]
    rng: random.Random = field(default_factory=lambda: random.Random(4))
    pending: dict[str, list[tuple[str, Money]]] = field(default_factory=dict)
    paid: dict[str, list[tuple[str, Money]]] = field(default_factory=dict)

    def meta(self, customer: str) -> Metadata:
        return Metadata(customer, uuid.uuid4())

    async def request(self, customer: str) -> None:
        amount = Money(self.rng.randint(100, 50000), "USD")
        command = RequestCredit(f"req_{uuid.uuid4().hex}", amount, f"top-up {amount}")
        call = IdempotentCall(customer, uuid.uuid4().hex, "h")
        runtime = self.service.runtime
        await handlers.request_credit(
            runtime.pool, runtime.store, command, call, self.meta(customer)
        )
        self.pending.setdefault(customer, []).append((command.request_id, amount))

    async def settle(self, customer: str) -> None:
        request_id, amount = self.pending[customer].pop(0)
        payment_id = f"pay_{uuid.uuid4().hex[:16]}"
        outcome = self.rng.random()
        store, meta = self.service.runtime.store, self.meta(customer)
        async with self.service.pool.acquire() as conn, conn.transaction():
            if outcome < 0.6:
                await handlers.record_capture(
                    store, RecordCapture(request_id, payment_id, amount), meta, conn
                )
                self.paid.setdefault(customer, []).append((payment_id, amount))
            elif outcome < 0.8:
                command = RecordFailure(request_id, payment_id, "card_declined", "Declined.")
                await handlers.record_failure(store, command, meta, conn)
            else:
                secret = f"pi_{payment_id}_secret_x"
                command3 = RecordRequiresAction(request_id, payment_id, secret)
                await handlers.record_requires_action(store, command3, meta, conn)
                self.pending[customer].append((request_id, amount))

    async def grant(self, customer: str) -> None:
        amount = Money(self.rng.randint(1, 10000), "USD")
        command = GrantCredit(f"grant_{uuid.uuid4().hex}", amount, "goodwill", "operator")
        runtime = self.service.runtime
        await handlers.grant_credit(runtime.pool, runtime.store, command, self.meta(customer))

    async def refund(self, customer: str) -> None:
        payment_id, amount = self.rng.choice(self.paid[customer])
        part = Money(self.rng.randint(1, amount.minor * 2), "USD")
        async with self.service.pool.acquire() as conn, conn.transaction():
            command = ReverseCredit(payment_id, part, "refund asked")
            await handlers.reverse_credit(
                self.service.runtime.store, command, self.meta(customer), conn
            )

    async def invoice(self, customer: str) -> None:
        invoice_id = f"inv_{self.rng.randint(0, 30)}"
        store, meta = self.service.runtime.store, self.meta(customer)
        async with self.service.pool.acquire() as conn, conn.transaction():
            if self.rng.random() < 0.75:
                amount = Money(self.rng.randint(1, 20000), "USD")
                await handlers.debit_invoice(store, DebitInvoice(invoice_id, amount), meta, conn)
            else:
                command = RestoreInvoiceCredit(invoice_id)
                await handlers.restore_invoice_credit(store, command, meta, conn)

    async def step(self) -> None:
        customer = self.rng.choice(self.customers)
        roll = self.rng.random()
        if roll < 0.15 and self.paid.get(customer):
            await self.refund(customer)
        elif roll < 0.25:
            await self.grant(customer)
        elif roll < 0.35:
            await self.invoice(customer)
        elif roll < 0.65 and self.pending.get(customer):
            await self.settle(customer)
        else:
            await self.request(customer)


async def event_count(service: CreditsService) -> int:
    count: int = await service.pool.fetchval("SELECT count(*) FROM events")
    return count


async def caught_up(service: CreditsService) -> None:
    async def done() -> bool:
        applied = await service.pool.fetchval(
            "SELECT applied FROM projection_checkpoints WHERE name = $1", CreditsProjection.name
        )
        return bool(applied == await event_count(service))

    await wait_until(done, 30, "the projection to catch up")


async def rows(service: CreditsService) -> Rows:
    async with service.pool.acquire() as conn:
        return await CreditsProjection().actual(conn)


async def cli(database_url: str, command: str) -> tuple[int, str]:
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "services.credits.projections", command,
        cwd=ROOT,
        env={**os.environ, "DATABASE_URL": database_url},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )  # fmt: skip
    output, _ = await asyncio.wait_for(process.communicate(), 120)
    assert process.returncode is not None
    return process.returncode, output.decode()


async def test_rebuild_then_verify_after_1000_mixed_events(
    service: CreditsService, fresh_database_url: str
) -> None:
    traffic = Traffic(service, [f"cus-{i:02d}" for i in range(12)])
    while await event_count(service) < 1000:
        for _ in range(50):
            await traffic.step()
    types = await service.pool.fetch("SELECT DISTINCT event_type FROM events")
    assert {r[0] for r in types} >= {
        "CreditRequested", "CreditAdded", "CreditRequestFailed", "CreditRequestRequiresAction",
        "CreditGranted", "CreditReversed", "CreditReversalDeclined", "InvoiceDebited",
        "InvoiceDebitDeclined", "CreditRestored",
    }  # fmt: skip
    await caught_up(service)
    live = await rows(service)
    code, output = await cli(fresh_database_url, "rebuild")
    assert code == 0, output
    assert "events/s" in output
    assert await rows(service) == live
    code, output = await cli(fresh_database_url, "verify")
    assert (code, output.strip()) == (0, "credits-read-models: identical to a fold of the events")

    customer = traffic.customers[0]
    await service.pool.execute(
        "UPDATE balances SET balance = balance + 1 WHERE customer_id = $1", customer
    )
    await service.pool.execute(
        "DELETE FROM ledger_entries WHERE customer_id = $1 AND number = 1", customer
    )
    code, output = await cli(fresh_database_url, "verify")
    assert code == 1, output
    assert f"balances ('{customer}',): expected" in output
    assert f"ledger_entries ('{customer}', 1): missing" in output
    assert "2 difference(s)" in output

    code, output = await cli(fresh_database_url, "rebuild")
    assert code == 0, output
    assert await rows(service) == live
    assert (await cli(fresh_database_url, "verify"))[0] == 0


async def test_a_rebuild_while_events_keep_coming_loses_none(
    service: CreditsService, fresh_database_url: str
) -> None:
    traffic = Traffic(service, ["cus-a", "cus-b", "cus-c"], random.Random(7))
    for _ in range(200):
        await traffic.step()
    stop = asyncio.Event()

    async def keep_writing() -> int:
        written = 0
        while not stop.is_set():
            await traffic.step()
            written += 1
        return written

    writer = asyncio.create_task(keep_writing())
    code, output = await cli(fresh_database_url, "rebuild")
    stop.set()
    assert await writer > 0
    assert code == 0, output
    await caught_up(service)
    assert (await cli(fresh_database_url, "verify"))[0] == 0
    balances = await service.pool.fetchval("SELECT sum(version) FROM balances")
    assert balances == await event_count(service)
