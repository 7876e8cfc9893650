"""Value types of the event store: events to append, stored events, reader checkpoints."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, NamedTuple

from shared.eventstore.ids import uuid7


def utc_now() -> datetime:
    """Return the current time in UTC (aware)."""
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class NewEvent:
    """An event a writer wants to append to a stream.

    ``customer_id`` travels with every event: it becomes the Kafka key when the
    outbox relay publishes it, so all events of one customer keep their order.
    """

    event_type: str
    customer_id: str
    payload: dict[str, Any]
    correlation_id: uuid.UUID
    causation_id: uuid.UUID | None = None
    schema_version: int = 1
    event_id: uuid.UUID = field(default_factory=uuid7)
    occurred_at: datetime = field(default_factory=utc_now)


class Checkpoint(NamedTuple):
    """A reader's place in the global order: events sort by (transaction_id, position).

    ``Checkpoint.START`` is before every event.
    """

    transaction_id: int
    position: int


START = Checkpoint(0, 0)


class StoredEvent:
    """An event as stored: its stream, version, global position and metadata.

    Readers of the whole log handle hundreds of thousands of events a second, so
    ids and the payload may arrive as text and are turned into ``UUID`` and
    ``dict`` only when first asked for; ``payload_json`` gives the payload as the
    database stored it, without a round trip through Python objects.
    """

    __slots__ = (
        "_causation_id",
        "_correlation_id",
        "_event_id",
        "_payload",
        "_payload_json",
        "customer_id",
        "event_type",
        "occurred_at",
        "position",
        "recorded_at",
        "schema_version",
        "stream_id",
        "transaction_id",
        "version",
    )

    def __init__(
        self,
        stream_id: str,
        version: int,
        position: int,
        transaction_id: int,
        event_id: uuid.UUID | str,
        event_type: str,
        schema_version: int,
        customer_id: str,
        payload: dict[str, Any] | str,
        occurred_at: datetime,
        recorded_at: datetime,
        correlation_id: uuid.UUID | str,
        causation_id: uuid.UUID | str | None,
    ) -> None:
        self.stream_id = stream_id
        self.version = version
        self.position = position
        self.transaction_id = transaction_id
        self.event_type = event_type
        self.schema_version = schema_version
        self.customer_id = customer_id
        self.occurred_at = occurred_at
        self.recorded_at = recorded_at
        self._event_id = event_id
        self._correlation_id = correlation_id
        self._causation_id = causation_id
        self._payload: dict[str, Any] | None = None if isinstance(payload, str) else payload
        self._payload_json: str | None = payload if isinstance(payload, str) else None

    @property
    def event_id(self) -> uuid.UUID:
        """The event's unique id."""
        if isinstance(self._event_id, str):
            self._event_id = uuid.UUID(self._event_id)
        return self._event_id

    @property
    def correlation_id(self) -> uuid.UUID:
        """The id shared by every event of one business flow."""
        if isinstance(self._correlation_id, str):
            self._correlation_id = uuid.UUID(self._correlation_id)
        return self._correlation_id

    @property
    def causation_id(self) -> uuid.UUID | None:
        """The id of the event or command that caused this one."""
        if isinstance(self._causation_id, str):
            self._causation_id = uuid.UUID(self._causation_id)
        return self._causation_id

    def ids_text(self) -> tuple[str, str, str | None]:
        """Event, correlation and causation ids as text, without building UUIDs."""
        causation = self._causation_id
        return (
            str(self._event_id),
            str(self._correlation_id),
            None if causation is None else str(causation),
        )

    @property
    def payload(self) -> dict[str, Any]:
        """The payload as a dict."""
        if self._payload is None:
            self._payload = json.loads(self._payload_json or "null")
        return self._payload

    @property
    def payload_json(self) -> str:
        """The payload as JSON text."""
        if self._payload_json is None:
            self._payload_json = json.dumps(self._payload)
        return self._payload_json

    @property
    def checkpoint(self) -> Checkpoint:
        """The reader checkpoint just after this event."""
        return Checkpoint(self.transaction_id, self.position)

    def _key(self) -> tuple[object, ...]:
        return (
            self.stream_id,
            self.version,
            self.position,
            self.transaction_id,
            self.event_id,
            self.event_type,
            self.schema_version,
            self.customer_id,
            self.payload,
            self.occurred_at,
            self.recorded_at,
            self.correlation_id,
            self.causation_id,
        )

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, StoredEvent):
            return NotImplemented
        return self._key() == other._key()

    def __hash__(self) -> int:
        return hash((self.stream_id, self.version))

    def __repr__(self) -> str:
        return (
            f"StoredEvent({self.stream_id!r} v{self.version} {self.event_type} "
            f"position={self.position} transaction_id={self.transaction_id} id={self._event_id})"
        )
