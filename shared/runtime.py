"""The running parts every service shares: pool, event store, relay, consumer, broker.

A service describes itself with a :class:`ServiceSpec` (its name, its topic,
the topics it consumes, its handlers and its tables); :class:`ServiceRuntime`
starts and stops the rest in the right order. Nothing connects at import time.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Coroutine, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import asyncpg
from aiokafka import AIOKafkaProducer
from faststream.kafka import KafkaBroker

from shared.contracts import Producer
from shared.database import create_pool, migrate
from shared.eventstore import EVENTS_DDL, EventStore
from shared.messaging.consumer import EventConsumer, Handler, subscribe
from shared.messaging.inbox import Inbox
from shared.messaging.kafka import KafkaPublisher, ensure_topics, new_producer
from shared.messaging.lag import ConsumerGroupLag, outbox_lag
from shared.messaging.relay import OutboxRelay, RelayConfig
from shared.messaging.schema import MESSAGING_DDL
from shared.metrics import ServiceMetrics
from shared.settings import ServiceSettings

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ServiceSpec:
    """What makes one service: its name (schema, producer, consumer group) and its parts."""

    name: Producer
    topic: str
    consumes: tuple[str, ...] = ()
    handlers: Callable[[ServiceRuntime], Mapping[str, Handler]] = field(default=lambda _runtime: {})
    ddl: tuple[str, ...] = ()
    background: Callable[[ServiceRuntime], Sequence[Callable[[], Coroutine[Any, Any, None]]]] = (
        field(default=lambda _runtime: ())
    )
    """Long-running jobs (projection runners, workers) started after the consumer."""


class ServiceRuntime:
    """Owns a service's connections and background work between start() and stop().

    Its ``metrics`` (``shared.metrics``) are handed to the event store, the
    consumer and anything else of the service that records figures.
    """

    def __init__(self, spec: ServiceSpec, settings: ServiceSettings) -> None:
        self.spec = spec
        self.settings = settings
        self.broker = KafkaBroker(
            settings.kafka_bootstrap_servers,
            client_id=spec.name,
            enable_idempotence=False,
            logger=logging.getLogger(f"faststream.{spec.name}"),
        )
        self._pool: asyncpg.Pool | None = None
        self._store: EventStore | None = None
        self._producer: AIOKafkaProducer | None = None
        self.relay: OutboxRelay | None = None
        self.consumer: EventConsumer | None = None
        self.metrics = ServiceMetrics(spec.name)
        self._consumer_lag: ConsumerGroupLag | None = None
        self._tasks: list[asyncio.Task[None]] = []

    @property
    def pool(self) -> asyncpg.Pool:
        """The service's connection pool (after start)."""
        if self._pool is None:
            raise RuntimeError(f"{self.spec.name}: runtime not started")
        return self._pool

    @property
    def store(self) -> EventStore:
        """The service's event store (after start)."""
        if self._store is None:
            raise RuntimeError(f"{self.spec.name}: runtime not started")
        return self._store

    def topic(self, name: str) -> str:
        """Return the Kafka topic name of a contract topic, with the configured prefix."""
        return self.settings.kafka_topic_prefix + name

    async def start(self) -> None:
        """Connect, migrate, create topics, start the relay and the consumer."""
        spec, settings = self.spec, self.settings
        own_topic = self.topic(spec.topic)
        consumed = tuple(self.topic(t) for t in spec.consumes)
        self._pool = await create_pool(
            settings.database_url, spec.name, max_size=settings.db_pool_size
        )
        await migrate(self._pool, spec.name, [EVENTS_DDL, MESSAGING_DDL, *spec.ddl])
        self._store = EventStore(self._pool, metrics=self.metrics)
        await ensure_topics(
            settings.kafka_bootstrap_servers,
            {own_topic, *consumed},
            partitions=settings.kafka_topic_partitions,
            replication_factor=settings.kafka_replication_factor,
        )
        self._producer = new_producer(settings.kafka_bootstrap_servers, f"{spec.name}-relay")
        await self._producer.start()
        publisher = KafkaPublisher(self._producer)
        self.relay = OutboxRelay(
            self._pool,
            self._store,
            publisher,
            RelayConfig(name=spec.name, topic=own_topic, producer=spec.name),
        )
        self._store.on_append(self.relay.wake)
        handlers = spec.handlers(self)
        if handlers and spec.consumes:
            self.consumer = EventConsumer(
                spec.name, Inbox(self._pool, spec.name), handlers, publisher, metrics=self.metrics
            )
            group = settings.kafka_topic_prefix + spec.name
            subscribe(self.broker, self.consumer, consumed, group_id=group)
            self._consumer_lag = ConsumerGroupLag(settings.kafka_bootstrap_servers, group, consumed)
        await self.broker.start()
        self._tasks.append(asyncio.create_task(self.relay.run(), name=f"{spec.name}-relay"))
        for job in spec.background(self):
            self._tasks.append(asyncio.create_task(job(), name=f"{spec.name}-{job.__name__}"))
        log.info("%s: started", spec.name)

    async def stop(self) -> None:
        """Stop background work and close connections, newest first."""
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks.clear()
        if self._consumer_lag is not None:
            with contextlib.suppress(Exception):
                await self._consumer_lag.close()
        await self.broker.stop()
        if self._producer is not None:
            await self._producer.stop()
        if self._pool is not None:
            await self._pool.close()
        log.info("%s: stopped", self.spec.name)

    async def refresh_metrics(self, timeout: float = 2.0) -> None:
        """Measure the outbox lag and the consumer group's lag now, for a scrape.

        A figure that cannot be measured within ``timeout`` (its server does not
        answer) is left out of the scrape rather than shown stale.
        """
        lag: int | None = None
        if self._pool is not None:
            try:
                async with asyncio.timeout(timeout):
                    lag = await outbox_lag(self._pool, self.spec.name)
            except Exception as exc:
                log.warning("%s: outbox lag not measured (%s)", self.spec.name, exc)
        self.metrics.set_outbox_lag(lag)
        probe = self._consumer_lag
        if probe is None:
            return
        lags: dict[tuple[str, int], int] | None = None
        try:
            async with asyncio.timeout(timeout):
                lags = await probe.measure()
        except Exception as exc:
            log.warning("%s: consumer lag not measured (%s)", self.spec.name, exc)
            with contextlib.suppress(Exception):
                await probe.close()
        self.metrics.set_consumer_lag(probe.group, lags)

    async def readiness(self, timeout: float = 2.0) -> dict[str, bool]:
        """Check that the database and the Kafka broker answer now."""
        database = False
        if self._pool is not None:
            with contextlib.suppress(Exception):
                async with asyncio.timeout(timeout):
                    database = await self._pool.fetchval("SELECT true") is True
        kafka = False
        with contextlib.suppress(Exception):
            kafka = await self.broker.ping(timeout=timeout)
        return {"database": database, "kafka": kafka}
