"""The credits service running in-process on a fresh database, real Kafka and its own topics."""

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

from services.credits.app import create_app
from services.credits.settings import CreditsSettings
from shared.auth import issue_customer_token
from shared.contracts import Envelope, EventPayload
from shared.messaging.kafka import new_producer
from shared.runtime import ServiceRuntime
from shared.testing.apps import serve_in_process


@dataclass
class CreditsService:
    """A running credits app, an HTTP client to it and a producer on its topics."""

    client: httpx.AsyncClient
    app: FastAPI
    settings: CreditsSettings
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

    async def top_up(
        self, customer_id: str, amount: str = "100.00", key: str | None = None, **body: Any
    ) -> httpx.Response:
        payload = {"amount": amount, "currency": "USD", "description": "test", **body}
        headers = self.customer(customer_id, **{"Idempotency-Key": key or uuid.uuid4().hex})
        return await self.client.post(
            f"/v1/customers/{customer_id}/credits", json=payload, headers=headers
        )

    async def grant(self, customer_id: str, amount: str, description: str = "welcome") -> str:
        response = await self.client.post(
            f"/v1/customers/{customer_id}/credits/grants",
            json={"amount": amount, "description": description},
            headers=self.operator(),
        )
        assert response.status_code == 201, response.text
        grant_id: str = response.json()["grant_id"]
        return grant_id

    async def get(self, customer_id: str, path: str, **params: Any) -> httpx.Response:
        return await self.client.get(
            f"/v1/customers/{customer_id}{path}", params=params, headers=self.customer(customer_id)
        )

    async def publish(self, payload: EventPayload, customer_id: str) -> Envelope:
        """Publish a payments or invoicing event as its service would, on its topic."""
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

    async def event_types(self, customer_id: str | None = None) -> list[str]:
        rows = await self.pool.fetch(
            """SELECT event_type FROM events WHERE $1::text IS NULL OR customer_id = $1
               ORDER BY transaction_id, position""",
            customer_id,
        )
        return [r[0] for r in rows]


def make_settings(database_url: str, bootstrap: str, **overrides: Any) -> CreditsSettings:
    prefix = f"t{uuid.uuid4().hex[:12]}."
    return CreditsSettings(
        database_url=database_url,
        kafka_bootstrap_servers=bootstrap,
        kafka_topic_prefix=prefix,
        **overrides,
    )


@asynccontextmanager
async def running(settings: CreditsSettings) -> AsyncIterator[CreditsService]:
    """Run the credits app with ``settings`` and a producer on its Kafka."""
    app = create_app(settings)
    producer = new_producer(settings.kafka_bootstrap_servers, "credits-tests")
    async with serve_in_process(app) as client:
        await producer.start()
        try:
            yield CreditsService(client, app, settings, producer)
        finally:
            await producer.stop()


@pytest.fixture
async def service(
    fresh_database_url: str, kafka_bootstrap_servers: str
) -> AsyncIterator[CreditsService]:
    """The credits service with its own database and topic prefix."""
    async with running(make_settings(fresh_database_url, kafka_bootstrap_servers)) as service:
        yield service


@pytest.fixture
def customer_id() -> str:
    """A customer id no other test uses."""
    return f"cus-{uuid.uuid4().hex[:12]}"
