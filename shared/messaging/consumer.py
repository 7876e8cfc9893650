"""Event consumer: envelope checks, dead-lettering, inbox, and offsets committed last.

For each Kafka record the consumer
1. parses and validates the envelope and its payload against ``shared.contracts``;
   a record that fails goes to ``<topic>.dlq`` with the reason in its headers and
   the consumer moves on;
2. skips event types it does not handle (other services' business);
3. runs the handler through the :class:`Inbox`, so the handled event id commits in
   the same transaction as the handler's effects;
4. commits the Kafka offset only after that transaction.

While an event is handled, every log line carries its envelope's
``correlation_id``, ``causation_id``, ``event_id`` and ``event_type``
(``shared.log_context``); each handled event is logged once at INFO, and with
``metrics`` its handling time and every dead letter are counted.

A handler raises :class:`RejectedMessage` for a message it must refuse; that
goes to the dead-letter topic too. Infrastructure failures (database or broker
unreachable) are retried with backoff for as long as they last: the offset is
not committed, so the record is redelivered. Any other error is retried
``max_attempts`` times and then dead-lettered, so one bad record never stops
the consumer.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import wraps
from typing import Any, ParamSpec, TypeVar

import asyncpg
from aiokafka.errors import KafkaError
from faststream.kafka import KafkaBroker
from faststream.kafka.annotations import KafkaMessage
from faststream.middlewares import AckPolicy
from pydantic import BaseModel

from shared.contracts import ContractError, Envelope, decode_message
from shared.database import Conn
from shared.eventstore import EventMetadata
from shared.faults import crash_point
from shared.log_context import bound_log_fields
from shared.messaging.dead_letters import dead_letter_of
from shared.messaging.inbox import Delivery, Inbox
from shared.messaging.relay import Publisher
from shared.metrics import ServiceMetrics

log = logging.getLogger(__name__)

P = ParamSpec("P")
Payload = TypeVar("Payload", bound=BaseModel)

# InternalClientError: a connection left in a broken state by a lost server (seen after restarts)
_TRANSIENT = (
    OSError,
    asyncpg.PostgresConnectionError,
    asyncpg.InterfaceError,
    asyncpg.InternalClientError,
    KafkaError,
)


class RejectedMessage(Exception):  # noqa: N818 - a message, not an error of ours
    """A handler refuses a well-formed message: it goes to the dead-letter topic."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason = reason
        self.detail = detail


@dataclass(frozen=True, slots=True)
class IncomingEvent:
    """A validated event as a handler receives it."""

    envelope: Envelope
    payload: BaseModel
    delivery: Delivery

    def payload_as(self, model: type[Payload]) -> Payload:
        """The payload as ``model``; a payload of another type is refused (dead letter)."""
        if not isinstance(self.payload, model):
            raise RejectedMessage("invalid_payload", f"expected {model.__name__}")
        return self.payload

    def metadata(self) -> EventMetadata:
        """The metadata of events this event causes: its customer and correlation, itself."""
        envelope = self.envelope
        return EventMetadata(envelope.customer_id, envelope.correlation_id, envelope.event_id)


def refusing(
    refused: type[Exception],
) -> Callable[[Callable[P, Awaitable[None]]], Callable[P, Awaitable[None]]]:
    """Decorate a handler so that a domain's ``refused`` error becomes a dead letter.

    The error's ``reason`` and ``detail`` attributes (its class name and message
    when it has none) go into the dead-letter headers.
    """

    def wrap(handler: Callable[P, Awaitable[None]]) -> Callable[P, Awaitable[None]]:
        @wraps(handler)
        async def handle(*args: P.args, **kwargs: P.kwargs) -> None:
            try:
                await handler(*args, **kwargs)
            except refused as exc:
                reason = str(getattr(exc, "reason", type(exc).__name__))
                raise RejectedMessage(reason, str(getattr(exc, "detail", exc))) from exc

        return handle

    return wrap


Handler = Callable[[IncomingEvent, Conn], Awaitable[None]]


class EventConsumer:
    """Dispatches validated events to handlers, once each, dead-lettering what it must refuse."""

    def __init__(
        self,
        name: str,
        inbox: Inbox,
        handlers: Mapping[str, Handler],
        dead_letters: Publisher,
        *,
        max_attempts: int = 5,
        backoff: float = 0.2,
        max_backoff: float = 5.0,
        metrics: ServiceMetrics | None = None,
    ) -> None:
        self.name = name
        self._inbox = inbox
        self._handlers = dict(handlers)
        self._dead_letters = dead_letters
        self._max_attempts = max_attempts
        self._backoff = backoff
        self._max_backoff = max_backoff
        self._metrics = metrics
        self.handled = 0
        self.dead_lettered = 0

    async def process(self, record: Any) -> None:
        """Handle one aiokafka ``ConsumerRecord`` completely (retries included)."""
        try:
            envelope, payload = decode_message(record.value or b"")
        except ContractError as exc:
            await self._dead_letter(record, exc.reason, exc.detail)
            return
        handler = self._handlers.get(envelope.event_type)
        if handler is None:
            return
        delivery = Delivery(envelope.event_id, record.topic, record.partition, record.offset)
        event = IncomingEvent(envelope, payload, delivery)
        with bound_log_fields(
            correlation_id=envelope.correlation_id,
            causation_id=envelope.causation_id,
            event_id=envelope.event_id,
            event_type=envelope.event_type,
        ):
            await self._run_with_retries(record, event, handler)

    async def _run_with_retries(self, record: Any, event: IncomingEvent, handler: Handler) -> None:
        attempt = 0
        while True:
            attempt += 1
            started = time.perf_counter()
            try:
                if await self._inbox.handle(event.delivery, lambda conn: handler(event, conn)):
                    self.handled += 1
                    self._log_handled(event, time.perf_counter() - started)
                    crash_point("consumer:after_handler_commit")
                else:
                    log.info("%s: already handled %s", self.name, event.envelope.event_type)
                return
            except RejectedMessage as exc:
                await self._dead_letter(record, exc.reason, exc.detail)
                return
            except _TRANSIENT as exc:
                log.warning("%s: %s unavailable (%s), retrying", self.name, event.delivery, exc)
            except Exception as exc:
                log.exception("%s: handler failed on %s", self.name, event.delivery)
                if attempt >= self._max_attempts:
                    await self._dead_letter(
                        record, "handler_failed", f"{type(exc).__name__}: {exc}"
                    )
                    return
            await asyncio.sleep(min(self._max_backoff, self._backoff * 2 ** min(attempt, 8)))

    def _log_handled(self, event: IncomingEvent, seconds: float) -> None:
        event_type = event.envelope.event_type
        if self._metrics is not None:
            self._metrics.observe_handled(event_type, seconds)
        log.info(
            "%s: handled %s",
            self.name,
            event_type,
            extra={
                "duration_ms": round(seconds * 1000, 2),
                "topic": event.delivery.topic,
                "partition": event.delivery.partition,
                "offset": event.delivery.offset,
            },
        )

    async def _dead_letter(self, record: Any, reason: str, detail: str) -> None:
        log.warning(
            "%s: dead-lettering %s[%s]@%s: %s: %s",
            self.name,
            record.topic,
            record.partition,
            record.offset,
            reason,
            detail,
        )
        await self._dead_letters.publish([dead_letter_of(record, self.name, reason, detail)])
        self.dead_lettered += 1
        if self._metrics is not None:
            self._metrics.count_dead_letter(record.topic, reason)


def _raw_body(message: Any) -> Any:
    return message.body


def subscribe(
    broker: KafkaBroker,
    consumer: EventConsumer,
    topics: Sequence[str],
    *,
    group_id: str,
) -> None:
    """Register ``consumer`` on ``broker``: manual offsets, committed after each record."""

    async def on_record(body: bytes, message: KafkaMessage) -> None:
        await consumer.process(message.raw_message)
        await message.ack()

    broker.subscriber(
        *topics,
        group_id=group_id,
        ack_policy=AckPolicy.MANUAL,
        auto_offset_reset="earliest",
        decoder=_raw_body,
        title=f"{group_id}:{','.join(topics)}",
    )(on_record)
