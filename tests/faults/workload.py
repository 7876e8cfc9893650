"""A stream of top-ups and invoices through the public APIs, and the checks that end a scenario.

Clients retry a command with the same ``Idempotency-Key`` while a service is down, as a
real client would. ``settle`` waits until every top-up is succeeded or failed and every
invoice is paid; ``check`` then proves: one outcome per top-up (never both), one
PaymentIntent per succeeded top-up and none captured for a failed one, at most one
captured card payment per invoice, and invariants 1 to 4 with the projection verified.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx

from services.platform import LocalPlatform
from tests.e2e.conftest import customer_headers
from tests.e2e.helpers import CARD_OK, new_card, stripe_client
from tests.e2e.invoice_helpers import Billing, cents, check_invariants, query, wait_until

RETRY_PAUSE = 0.2
TERMINAL = {"succeeded", "failed"}


@dataclass
class Workload:
    """Customers with a saved default card, their top-ups and their invoices."""

    platform: LocalPlatform
    client: httpx.AsyncClient
    customers: list[str] = field(default_factory=list)
    requests: dict[str, str] = field(default_factory=dict)  # request_id -> customer
    invoices: dict[str, str] = field(default_factory=dict)  # invoice_id -> customer
    replicas: dict[str, list[str]] = field(default_factory=dict)  # more base URLs per service

    def urls(self, service: str) -> list[str]:
        """Every base URL the service answers on: the platform's, then its replicas'."""
        return [self.platform.url(service), *self.replicas.get(service, [])]

    @property
    def billing(self) -> Billing:
        return Billing(self.platform, self.client)

    async def prepare(self, count: int) -> None:
        """``count`` new customers, each with a 4242 card saved as default."""
        for _ in range(count):
            customer = f"cus-{uuid.uuid4().hex[:12]}"
            card = await asyncio.to_thread(new_card, self.platform, CARD_OK)
            await self.billing.save_card(customer, card, default=True)
            self.customers.append(customer)

    async def command(self, service: str, path: str, body: dict[str, Any], customer: str) -> Any:
        """POST until the service answers (same Idempotency-Key each time); return the body."""
        key = uuid.uuid4().hex
        headers = {**customer_headers(customer), "Idempotency-Key": key}
        deadline = time.monotonic() + 120
        while True:
            for base in self.urls(service):
                try:
                    response = await self.client.post(
                        f"{base}{path}", json=body, headers=headers, timeout=10
                    )
                except httpx.TransportError:
                    continue
                if response.status_code < 500:
                    assert response.status_code in (201, 202), response.text
                    return response.json()
            assert time.monotonic() < deadline, f"{service} did not take {path} in 120 s"
            await asyncio.sleep(RETRY_PAUSE)

    async def customer_stream(self, customer: str, rounds: int) -> None:
        """Two top-ups then an invoice larger than both, ``rounds`` times."""
        for n in range(rounds):
            for amount in ("20.00", "5.00"):
                body = {"amount": amount, "currency": "USD", "description": f"fault {n}"}
                answer = await self.command(
                    "credits", f"/v1/customers/{customer}/credits", body, customer
                )
                self.requests[answer["request_id"]] = customer
            invoice = {
                "customer_id": customer,
                "currency": "USD",
                "lines": [{"description": f"Plan {n}", "amount": "30.00"}],
            }
            answer = await self.command("invoicing", "/v1/invoices", invoice, customer)
            self.invoices[answer["invoice_id"]] = customer

    async def run(self, rounds: int = 1) -> None:
        """Every customer's stream at once."""
        await asyncio.gather(*(self.customer_stream(c, rounds) for c in self.customers))

    async def _read(self, service: str, path: str, customer: str) -> dict[str, Any] | None:
        for base in self.urls(service):
            try:
                response = await self.client.get(
                    f"{base}{path}", headers=customer_headers(customer)
                )
            except httpx.TransportError:
                continue
            if response.status_code == 200:
                body: dict[str, Any] = response.json()
                return body
        return None

    async def settle_snapshot(self) -> dict[str, str]:
        """Each top-up's status now."""
        statuses: dict[str, str] = {}
        for request_id, customer in self.requests.items():
            path = f"/v1/customers/{customer}/credits/requests/{request_id}"
            body = await self._read("credits", path, customer)
            statuses[request_id] = body["status"] if body else "unknown"
        return statuses

    async def settle(self, timeout: float = 180) -> dict[str, str]:
        """Wait until each top-up is succeeded or failed and each invoice paid; the statuses."""
        statuses: dict[str, str] = {}

        async def done() -> bool:
            for request_id, customer in self.requests.items():
                if statuses.get(request_id) in TERMINAL:
                    continue
                path = f"/v1/customers/{customer}/credits/requests/{request_id}"
                body = await self._read("credits", path, customer)
                statuses[request_id] = body["status"] if body else "unknown"
            for invoice_id, customer in self.invoices.items():
                if statuses.get(invoice_id) == "paid":
                    continue
                body = await self._read("invoicing", f"/v1/invoices/{invoice_id}", customer)
                statuses[invoice_id] = body["status"] if body else "unknown"
            return all(statuses.get(r) in TERMINAL for r in self.requests) and all(
                statuses.get(i) == "paid" for i in self.invoices
            )

        await wait_until(done, timeout, lambda: f"unsettled: {Counter(statuses.values())}")
        return statuses

    async def check(self, say: Callable[[str], None]) -> None:
        """The end of every scenario: outcomes, charges and invariants 1-4."""
        statuses = await self.settle()
        outcomes = await query(
            self.platform, "credits",
            """SELECT payload->>'request_id' AS request_id, event_type FROM credits.events
               WHERE event_type IN ('CreditAdded', 'CreditRequestFailed')""",
        )  # fmt: skip
        seen: dict[str, list[str]] = defaultdict(list)
        for row in outcomes:
            seen[row["request_id"]].append(row["event_type"])
        for request_id in self.requests:
            assert len(seen[request_id]) == 1, f"{request_id}: outcomes {seen[request_id]}"
        intents = await asyncio.to_thread(all_intents, self.platform)
        by_request: dict[str, list[dict[str, Any]]] = defaultdict(list)
        by_invoice: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for intent in intents:
            metadata = intent.get("metadata") or {}
            if "request_id" in metadata:
                by_request[metadata["request_id"]].append(intent)
            if "invoice_id" in metadata:
                by_invoice[metadata["invoice_id"]].append(intent)
        for request_id in self.requests:
            captured = [i for i in by_request[request_id] if i["status"] == "succeeded"]
            if statuses[request_id] == "succeeded":
                assert len(by_request[request_id]) == 1, f"{request_id}: {by_request[request_id]}"
                assert len(captured) == 1
            else:
                assert not captured, f"failed top-up {request_id} was charged: {captured}"
        for invoice_id, customer in self.invoices.items():
            captured = [i for i in by_invoice[invoice_id] if i["status"] == "succeeded"]
            body = await self.billing.invoice(customer, invoice_id)
            assert sum(i["amount"] for i in captured) == cents(body["paid_by_card"]), body
            assert len(captured) <= 1, f"invoice {invoice_id} charged {len(captured)} times"
        await check_invariants(self.platform, self.billing, self.customers)
        tally = Counter(statuses[r] for r in self.requests)
        say(
            f"checked {len(self.requests)} top-ups ({dict(tally)}), {len(self.invoices)} invoices "
            f"paid, {len(intents)} PaymentIntents at Stripe: one outcome per top-up, one charge "
            "per succeeded top-up, at most one per invoice, invariants 1-4, projection verified"
        )


def all_intents(platform: LocalPlatform) -> list[dict[str, Any]]:
    """Every PaymentIntent at Stripe."""
    client, found, after = stripe_client(platform), [], None
    while True:
        params: dict[str, Any] = {"limit": 100, **({"starting_after": after} if after else {})}
        page = client.v1.payment_intents.list(params=params).to_dict()
        found += page["data"]
        if not page.get("has_more") or not page["data"]:
            return found
        after = page["data"][-1]["id"]


@asynccontextmanager
async def workload(
    platform: LocalPlatform, customers: int, replicas: dict[str, list[str]] | None = None
) -> AsyncIterator[Workload]:
    """A workload of ``customers`` prepared customers, with its HTTP client open."""
    async with httpx.AsyncClient(timeout=10) as client:
        work = Workload(platform, client, replicas=replicas or {})
        await work.prepare(customers)
        yield work
