"""End-to-end helpers for invoices: the invoicing API, Kafka redelivery, and the invariants.

``check_invariants`` reads the three services' event stores and checks
invariants 1 to 4 of architecture.md for the given customers: balance = the
fold of the credit events = the projection row = the API; each captured top-up
credited once; the balance never below zero along the account's history;
Σ InvoiceDebited per invoice = what invoicing recorded as paid from credits ≤
amount due. It also runs the operator's ``verify`` of the credits projection.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

import asyncpg
import httpx
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition

from services.platform import LocalPlatform
from shared.contracts import Envelope
from shared.money import Money
from shared.settings import DEV_OPERATOR_TOKEN

from .conftest import customer_headers
from .helpers import stripe_client

OPERATOR = {"Authorization": f"Bearer {DEV_OPERATOR_TOKEN}"}
CREDIT_SIGNS = {"CreditAdded": 1, "CreditGranted": 1, "CreditRestored": 1,
                "InvoiceDebited": -1, "CreditReversed": -1}  # fmt: skip


def cents(amount: str) -> int:
    return Money.parse(amount, "USD").minor


class Billing:
    """The three services' HTTP APIs, as a customer or an operator calls them."""

    def __init__(self, platform: LocalPlatform, client: httpx.AsyncClient) -> None:
        self.platform = platform
        self.client = client

    def url(self, service: str, path: str) -> str:
        return f"{self.platform.url(service)}{path}"

    async def issue(self, customer_id: str, *amounts: str, **body: Any) -> httpx.Response:
        lines = [{"description": f"Order {n + 1}", "amount": a} for n, a in enumerate(amounts)]
        payload = {"customer_id": customer_id, "currency": "USD", "lines": lines, **body}
        return await self.client.post(
            self.url("invoicing", "/v1/invoices"), json=payload,
            headers=customer_headers(customer_id),
        )  # fmt: skip

    async def issued(self, customer_id: str, *amounts: str, **body: Any) -> str:
        response = await self.issue(customer_id, *amounts, **body)
        assert response.status_code == 201, response.text
        invoice_id: str = response.json()["invoice_id"]
        return invoice_id

    async def read(self, service: str, path: str, customer_id: str) -> dict[str, Any]:
        """GET a customer's resource as that customer; it must answer 200."""
        response = await self.client.get(
            self.url(service, path), headers=customer_headers(customer_id)
        )
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    async def invoice(self, customer_id: str, invoice_id: str) -> dict[str, Any]:
        return await self.read("invoicing", f"/v1/invoices/{invoice_id}", customer_id)

    async def wait_invoice(
        self, customer_id: str, invoice_id: str, condition: Callable[[dict[str, Any]], object],
        timeout: float = 60,
    ) -> dict[str, Any]:  # fmt: skip
        """Read the invoice until ``condition(body)`` holds."""
        body: dict[str, Any] = {}

        async def holds() -> bool:
            nonlocal body
            body = await self.invoice(customer_id, invoice_id)
            return bool(condition(body))

        await wait_until(holds, timeout, lambda: f"invoice {invoice_id}: {body}")
        return body

    async def pay(self, customer_id: str, invoice_id: str, **body: Any) -> httpx.Response:
        return await self.client.post(
            self.url("invoicing", f"/v1/invoices/{invoice_id}/pay"), json=body,
            headers=customer_headers(customer_id),
        )  # fmt: skip

    async def void(self, invoice_id: str, reason: str = "cancelled") -> httpx.Response:
        return await self.client.post(
            self.url("invoicing", f"/v1/invoices/{invoice_id}/void"), json={"reason": reason},
            headers=OPERATOR,
        )  # fmt: skip

    async def grant(self, customer_id: str, amount: str) -> None:
        response = await self.client.post(
            self.url("credits", f"/v1/customers/{customer_id}/credits/grants"),
            json={"amount": amount, "description": "welcome credit"}, headers=OPERATOR,
        )  # fmt: skip
        assert response.status_code == 201, response.text

    async def save_card(self, customer_id: str, payment_method_id: str, default: bool) -> None:
        response = await self.client.post(
            self.url("payments", f"/v1/customers/{customer_id}/payment-methods"),
            json={"payment_method_id": payment_method_id, "set_default": default},
            headers=customer_headers(customer_id),
        )
        assert response.status_code in (200, 201), response.text

    async def ledger(self, customer_id: str) -> dict[str, Any]:
        return await self.read("credits", f"/v1/customers/{customer_id}/credits", customer_id)

    async def balance(self, customer_id: str) -> str:
        path = f"/v1/customers/{customer_id}/balance"
        balance: str = (await self.read("credits", path, customer_id))["balance"]
        return balance


async def wait_until(
    condition: Callable[[], Awaitable[bool]], timeout: float, what: Callable[[], str]
) -> None:
    """Poll ``condition`` until it holds; fail with ``what()`` after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not await condition():
        assert time.monotonic() < deadline, f"timed out after {timeout}s: {what()}"
        await asyncio.sleep(0.1)


def intents_for_invoice(platform: LocalPlatform, invoice_id: str) -> list[dict[str, Any]]:
    """Every PaymentIntent at Stripe whose metadata names the invoice."""
    client, found, after = stripe_client(platform), [], None
    while True:
        params: dict[str, Any] = {"limit": 100, **({"starting_after": after} if after else {})}
        page = client.v1.payment_intents.list(params=params).to_dict()
        found += [
            i for i in page["data"] if (i.get("metadata") or {}).get("invoice_id") == invoice_id
        ]
        if not page.get("has_more") or not page["data"]:
            return found
        after = page["data"][-1]["id"]


async def query(
    platform: LocalPlatform, service: str, sql: str, *args: Any
) -> list[asyncpg.Record]:
    """Run a read on a service's own database (its tables live in the schema of its name)."""
    conn = await asyncpg.connect(platform.env(service)["DATABASE_URL"])
    await conn.set_type_codec("jsonb", encoder=json.dumps, decoder=json.loads, schema="pg_catalog")
    try:
        return await conn.fetch(sql, *args)
    finally:
        await conn.close()


def topic_of(platform: LocalPlatform, name: str) -> str:
    return platform.config.extra_env.get("KAFKA_TOPIC_PREFIX", "") + name


async def find_record(platform: LocalPlatform, topic: str, event_type: str, ref: str) -> Any:
    """The first record of ``event_type`` on ``topic`` whose value mentions ``ref``."""
    consumer = AIOKafkaConsumer(
        topic, bootstrap_servers=platform.config.kafka_bootstrap_servers,
        auto_offset_reset="earliest", enable_auto_commit=False,
    )  # fmt: skip
    await consumer.start()
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            for batch in (await consumer.getmany(timeout_ms=1000)).values():
                for record in batch:
                    envelope = Envelope.from_json_bytes(record.value)
                    if envelope.event_type == event_type and ref in record.value.decode():
                        return record
        raise AssertionError(f"no {event_type} for {ref} on {topic}")
    finally:
        await consumer.stop()


async def deliver_again(platform: LocalPlatform, record: Any, consumer_group: str) -> None:
    """Send a consumed record again and wait until ``consumer_group`` has committed past it."""
    servers = platform.config.kafka_bootstrap_servers
    producer = AIOKafkaProducer(bootstrap_servers=servers, enable_idempotence=False)
    await producer.start()
    try:
        sent = await producer.send_and_wait(
            record.topic, value=record.value, key=record.key, headers=list(record.headers)
        )
    finally:
        await producer.stop()
    partition = TopicPartition(record.topic, sent.partition)
    group = topic_of(platform, consumer_group)

    async def passed() -> bool:
        probe = AIOKafkaConsumer(bootstrap_servers=servers, group_id=group)
        await probe.start()
        try:
            return int(await probe.committed(partition) or 0) > sent.offset
        finally:
            await probe.stop()

    await wait_until(passed, 30, lambda: f"{group} to consume offset {sent.offset} again")


async def _credit_breaches(platform: LocalPlatform, billing: Billing, customer: str) -> list[str]:
    events = await query(
        platform, "credits",
        """SELECT event_type, payload FROM credits.events WHERE stream_id = $1 ORDER BY version""",
        f"credit-account-{customer}",
    )  # fmt: skip
    breaches, balance = [], 0
    for event in events:
        balance += CREDIT_SIGNS.get(event["event_type"], 0) * event["payload"].get("amount", 0)
        if balance < 0:
            breaches.append(f"{customer}: balance {balance} after {event['event_type']} (3)")
    rows = await query(
        platform, "credits", "SELECT balance FROM credits.balances WHERE customer_id = $1", customer
    )
    projected = rows[0]["balance"] if rows else 0
    shown = cents(await billing.balance(customer))
    if not balance == projected == shown:
        breaches.append(f"{customer}: fold {balance}, projection {projected}, API {shown} (1)")
    added = Counter(e["payload"]["request_id"] for e in events if e["event_type"] == "CreditAdded")
    captured = await query(
        platform, "payments",
        """SELECT payload->>'reference_id' AS ref FROM payments.events
           WHERE event_type = 'PaymentCaptured' AND customer_id = $1
             AND payload->>'purpose' = 'credit_topup'""",
        customer,
    )  # fmt: skip
    for ref in {r["ref"] for r in captured} | set(added):
        if added[ref] != 1:
            breaches.append(f"{customer}: top-up {ref} credited {added[ref]} times (2)")
    return breaches


async def _invoice_breaches(platform: LocalPlatform, billing: Billing, customer: str) -> list[str]:
    debits = await query(
        platform, "credits",
        """SELECT payload->>'invoice_id' AS invoice_id, sum((payload->>'amount')::bigint) AS total
           FROM credits.events WHERE event_type = 'InvoiceDebited' AND customer_id = $1
           GROUP BY 1""",
        customer,
    )  # fmt: skip
    debited = {r["invoice_id"]: int(r["total"]) for r in debits}
    invoices = await query(
        platform, "invoicing",
        "SELECT invoice_id FROM invoicing.invoice_index WHERE customer_id = $1", customer,
    )  # fmt: skip
    breaches = []
    for invoice_id in {r["invoice_id"] for r in invoices} | set(debited):
        body = await billing.invoice(customer, invoice_id)
        recorded, due = cents(body["paid_from_credits"]), cents(body["amount_due"])
        if not debited.get(invoice_id, 0) == recorded <= due:
            breaches.append(
                f"{customer}: invoice {invoice_id} debited {debited.get(invoice_id, 0)}, "
                f"recorded {recorded}, due {due} (4)"
            )
    return breaches


async def verify_credits_projection(platform: LocalPlatform) -> None:
    """The operator's ``verify``: the credits read models equal a fold of the events."""
    env = {**os.environ, "DATABASE_URL": platform.env("credits")["DATABASE_URL"]}
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "services.credits.projections", "verify", env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
    )  # fmt: skip
    output, _ = await process.communicate()
    assert process.returncode == 0, output.decode()


async def check_invariants(
    platform: LocalPlatform, billing: Billing, customers: Sequence[str], timeout: float = 30
) -> None:
    """Invariants 1-4 for ``customers``, once the services have caught up (within ``timeout``)."""
    breaches: list[str] = []

    async def hold() -> bool:
        nonlocal breaches
        breaches = []
        for customer in customers:
            breaches += await _credit_breaches(platform, billing, customer)
            breaches += await _invoice_breaches(platform, billing, customer)
        return not breaches

    await wait_until(hold, timeout, lambda: "invariants: " + "; ".join(breaches))
    await verify_credits_projection(platform)
