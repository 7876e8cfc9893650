"""The invoicing service running in-process on a fresh database, real Kafka and its own topics."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import asyncpg
import httpx
import pytest
from aiokafka import AIOKafkaProducer
from fastapi import FastAPI

from services.invoicing.app import create_app
from services.invoicing.settings import InvoicingSettings
from shared.auth import issue_customer_token
from shared.contracts import Envelope, EventPayload
from shared.messaging.kafka import new_producer
from shared.runtime import ServiceRuntime
from shared.testing.apps import serve_in_process


@dataclass
class InvoicingService:
    """A running invoicing app, an HTTP client to it and a producer on its Kafka."""

    client: httpx.AsyncClient
    app: FastAPI
    settings: InvoicingSettings
    producer: AIOKafkaProducer

    @property
    def runtime(self) -> ServiceRuntime:
        runtime: ServiceRuntime = self.app.state.runtime
        return runtime

    @property
    def pool(self) -> asyncpg.Pool:
        return self.runtime.pool

    def topic(self, name: str) -> str:
        return self.settings.kafka_topic_prefix + name

    def operator(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.settings.operator_token.split(',')[0].strip()}"}

    def customer(self, customer_id: str, **headers: str) -> dict[str, str]:
        token = issue_customer_token(self.settings.customer_token_secret, customer_id)
        return {"Authorization": f"Bearer {token}", **headers}

    async def issue(
        self, customer_id: str, *amounts: str, key: str | None = None, **body: Any
    ) -> httpx.Response:
        payload = {
            "customer_id": customer_id,
            "currency": "USD",
            "lines": [{"description": f"line {i}", "amount": a} for i, a in enumerate(amounts)],
            **body,
        }
        headers = self.customer(customer_id, **({"Idempotency-Key": key} if key else {}))
        return await self.client.post("/v1/invoices", json=payload, headers=headers)

    async def issued(self, customer_id: str, *amounts: str, **body: Any) -> str:
        response = await self.issue(customer_id, *amounts, **body)
        assert response.status_code == 201, response.text
        invoice_id: str = response.json()["invoice_id"]
        return invoice_id

    async def get(self, customer_id: str, invoice_id: str) -> httpx.Response:
        return await self.client.get(
            f"/v1/invoices/{invoice_id}", headers=self.customer(customer_id)
        )

    async def pay(
        self, customer_id: str, invoice_id: str, method: str, **body: Any
    ) -> httpx.Response:
        return await self.client.post(
            f"/v1/invoices/{invoice_id}/pay",
            json={"method": method, **body},
            headers=self.customer(customer_id),
        )

    async def void(self, invoice_id: str, **body: Any) -> httpx.Response:
        return await self.client.post(
            f"/v1/invoices/{invoice_id}/void", json=body or None, headers=self.operator()
        )

    async def publish(self, payload: EventPayload, customer_id: str) -> Envelope:
        """Publish a credits or payments event as its service would."""
        envelope = Envelope.wrap(payload, customer_id=customer_id, correlation_id=uuid.uuid4())
        await self.send(envelope)
        return envelope

    async def send(self, envelope: Envelope) -> None:
        await self.producer.send_and_wait(
            self.topic(envelope.topic),
            value=envelope.to_json_bytes(),
            key=envelope.kafka_key(),
            headers=[(k, v.encode()) for k, v in envelope.headers().items()],
        )

    async def event_types(self, invoice_id: str) -> list[str]:
        rows = await self.pool.fetch(
            "SELECT event_type FROM events WHERE stream_id = $1 ORDER BY version",
            f"invoice-{invoice_id}",
        )
        return [r[0] for r in rows]


def make_settings(database_url: str, bootstrap: str, **overrides: Any) -> InvoicingSettings:
    prefix = f"t{uuid.uuid4().hex[:12]}."
    values: dict[str, Any] = {"invoicing_expiry_interval": 0.1, **overrides}
    return InvoicingSettings(
        database_url=database_url,
        kafka_bootstrap_servers=bootstrap,
        kafka_topic_prefix=prefix,
        **values,
    )


@asynccontextmanager
async def running(settings: InvoicingSettings) -> AsyncIterator[InvoicingService]:
    """Run the invoicing app with ``settings`` and a producer on its Kafka."""
    app = create_app(settings)
    producer = new_producer(settings.kafka_bootstrap_servers, "invoicing-tests")
    async with serve_in_process(app) as client:
        await producer.start()
        try:
            yield InvoicingService(client, app, settings, producer)
        finally:
            await producer.stop()


@pytest.fixture
async def service(
    fresh_database_url: str, kafka_bootstrap_servers: str
) -> AsyncIterator[InvoicingService]:
    """The invoicing service with its own database and topic prefix."""
    async with running(make_settings(fresh_database_url, kafka_bootstrap_servers)) as service:
        yield service


@pytest.fixture
def customer_id() -> str:
    """A customer id no other test uses."""
    return f"cus-{uuid.uuid4().hex[:12]}"
