"""The payments app in-process against real PostgreSQL, Kafka and localstripe, with helpers."""

from __future__ import annotations

import asyncio
import contextlib
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import httpx
import pytest
import stripe
import uvicorn
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from fastapi import FastAPI

from services.payments.app import create_app
from services.payments.components import PaymentsComponents
from services.payments.settings import PaymentsSettings
from shared.auth import issue_customer_token
from shared.contracts import CREDITS_TOPIC, INVOICING_TOPIC, PAYMENTS_TOPIC, Envelope
from shared.contracts.common import EventPayload
from shared.devservers.ports import free_port
from shared.settings import DEV_CUSTOMER_TOKEN_SECRET, DEV_OPERATOR_TOKEN
from shared.testing.apps import serve_in_process

pytestmark = pytest.mark.integration

CARD_OK = "4242424242424242"
CARD_DECLINED_ON_SAVE = "4000000000000002"
CARD_DECLINED_ON_CHARGE = "4000000000000341"
CARD_3DS = "4000002500003155"
OPERATOR = {"Authorization": f"Bearer {DEV_OPERATOR_TOKEN}"}


def customer_headers(customer_id: str) -> dict[str, str]:
    token = issue_customer_token(DEV_CUSTOMER_TOKEN_SECRET, customer_id)
    return {"Authorization": f"Bearer {token}"}


async def wait_until(
    condition: Callable[[], Awaitable[Any]], timeout: float = 30, what: str = "condition"
) -> Any:
    """Poll ``condition`` until it returns something truthy; return that (fail on timeout)."""
    deadline = time.monotonic() + timeout
    while True:
        value = await condition()
        if value:
            return value
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        await asyncio.sleep(0.05)


class Topic:
    """Every envelope published on one topic since the test began, read in the background."""

    def __init__(self, bootstrap: str, topic: str) -> None:
        self.envelopes: list[Envelope] = []
        self._consumer = AIOKafkaConsumer(
            topic,
            bootstrap_servers=bootstrap,
            group_id=None,
            auto_offset_reset="earliest",
            enable_auto_commit=False,
            metadata_max_age_ms=500,
        )
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        await self._consumer.start()
        self._task = asyncio.create_task(self._collect())

    async def _collect(self) -> None:
        while True:
            batches = await self._consumer.getmany(timeout_ms=200)
            for batch in batches.values():
                self.envelopes.extend(Envelope.from_json_bytes(r.value) for r in batch)

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        await self._consumer.stop()

    def of(self, customer_id: str, event_type: str | None = None) -> list[Envelope]:
        return [
            e
            for e in self.envelopes
            if e.customer_id == customer_id and event_type in (None, e.event_type)
        ]

    async def wait_for(
        self, customer_id: str, event_type: str, count: int = 1, timeout: float = 30
    ) -> list[Envelope]:
        async def enough() -> list[Envelope] | None:
            found = self.of(customer_id, event_type)
            return found if len(found) >= count else None

        found: list[Envelope] = await wait_until(enough, timeout, f"{count} {event_type}")
        return found


class Harness:
    """One running payments app plus a producer onto the topics it consumes."""

    def __init__(
        self,
        client: httpx.AsyncClient,
        parts: PaymentsComponents,
        settings: PaymentsSettings,
        producer: AIOKafkaProducer,
        payments_topic: Topic,
        stripe_api_base: str,
    ) -> None:
        self.http = client
        self.parts = parts
        self.settings = settings
        self.producer = producer
        self.published = payments_topic
        self.stripe_api_base = stripe_api_base
        self.stripe = stripe.StripeClient("sk_test_x", base_addresses={"api": stripe_api_base})

    def topic(self, name: str) -> str:
        return self.settings.kafka_topic_prefix + name

    async def publish(
        self, payload: EventPayload, customer_id: str, *, event_id: uuid.UUID | None = None
    ) -> Envelope:
        envelope = Envelope.wrap(
            payload, customer_id=customer_id, correlation_id=uuid.uuid4(), event_id=event_id
        )
        topic = CREDITS_TOPIC if envelope.producer == "credits" else INVOICING_TOPIC
        await self.producer.send_and_wait(
            self.topic(topic),
            value=envelope.to_json_bytes(),
            key=envelope.kafka_key(),
            headers=[(k, v.encode()) for k, v in envelope.headers().items()],
        )
        return envelope

    async def resend(self, envelope: Envelope) -> None:
        await self.producer.send_and_wait(
            self.topic(envelope.topic), value=envelope.to_json_bytes(), key=envelope.kafka_key()
        )

    def new_card(self, number: str) -> str:
        """A PaymentMethod for a test card number, as Stripe.js would make it."""
        method = self.stripe.v1.payment_methods.create(
            params={
                "type": "card",
                "card": {"number": number, "exp_month": 12, "exp_year": 2030, "cvc": "123"},
            }
        )
        return str(method.id)

    async def stripe_customer(self, customer_id: str) -> str | None:
        return (await self.parts.profiles.profile(customer_id)).stripe_customer_id

    def intents_for(self, payment_id: str) -> list[dict[str, Any]]:
        """Every PaymentIntent at localstripe whose metadata names ``payment_id``."""
        found: list[dict[str, Any]] = []
        after: str | None = None
        while True:
            params: dict[str, Any] = {"limit": 100}
            if after:
                params["starting_after"] = after
            page = self.stripe.v1.payment_intents.list(params=params).to_dict()  # type: ignore[arg-type]
            found += [i for i in page["data"] if i["metadata"].get("payment_id") == payment_id]
            if not page["has_more"] or not page["data"]:
                return found
            after = page["data"][-1]["id"]

    async def payment(self, payment_id: str) -> dict[str, Any]:
        response = await self.http.get(f"/v1/payments/{payment_id}", headers=OPERATOR)
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    async def stream_types(self, stream_id: str) -> list[str]:
        events = await self.parts.runtime.store.read_stream(stream_id)
        return [e.event_type for e in events]


AppFactory = Callable[..., contextlib.AbstractAsyncContextManager[Harness]]


@contextlib.asynccontextmanager
async def serve_on_a_port(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """Serve the app with uvicorn on a free loopback port (for callers such as localstripe)."""
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=free_port(), log_config=None, lifespan="on")
    )
    task = asyncio.create_task(server.serve())

    async def started() -> bool:
        assert not task.done(), "uvicorn stopped"
        return bool(server.started)

    try:
        await wait_until(started, what="uvicorn to start")
        base = f"http://127.0.0.1:{server.config.port}"
        async with httpx.AsyncClient(base_url=base, timeout=30) as client:
            yield client
    finally:
        server.should_exit = True
        await task


@pytest.fixture
def payments_settings(
    fresh_database_url: str, kafka_bootstrap_servers: str, stripe_api_base: str
) -> PaymentsSettings:
    return PaymentsSettings(
        database_url=fresh_database_url,
        kafka_bootstrap_servers=kafka_bootstrap_servers,
        kafka_topic_prefix=f"t{uuid.uuid4().hex[:10]}.",
        stripe_api_base=stripe_api_base,
        stripe_api_key="sk_test_x",
        payments_retry_backoff=0.1,
        payments_retry_backoff_max=1.0,
        payments_action_poll=0.2,
        payments_action_poll_max=1.0,
        stripe_timeout=5.0,
    )


@pytest.fixture
def start_payments(payments_settings: PaymentsSettings) -> AppFactory:
    """Start the app (as often as a test likes, e.g. to restart it) with settings overrides."""

    real_stripe_api_base = payments_settings.stripe_api_base or ""

    @contextlib.asynccontextmanager
    async def start(*, listen: bool = False, **overrides: Any) -> AsyncIterator[Harness]:
        settings = payments_settings.model_copy(update=overrides)
        app = create_app(settings)
        producer = AIOKafkaProducer(
            bootstrap_servers=settings.kafka_bootstrap_servers, enable_idempotence=False
        )
        topic = Topic(
            settings.kafka_bootstrap_servers, settings.kafka_topic_prefix + PAYMENTS_TOPIC
        )
        serve = serve_on_a_port if listen else serve_in_process
        async with serve(app) as client:
            await producer.start()
            await topic.start()
            try:
                yield Harness(
                    client, app.state.payments, settings, producer, topic, real_stripe_api_base
                )
            finally:
                await topic.stop()
                await producer.stop()

    return start


@pytest.fixture
async def payments(start_payments: AppFactory) -> AsyncIterator[Harness]:
    """The payments app with the test's settings."""
    async with start_payments() as harness:
        yield harness


@pytest.fixture
def customer_id() -> str:
    return f"cus-{uuid.uuid4().hex[:12]}"
