"""Value types of the event store: events to append, stored events, reader checkpoints."""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, NamedTuple

import asyncpg

from shared.eventstore.ids import uuid7


def utc_now() -> datetime:
    """Return the current time in UTC (aware)."""
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class EventMetadata:
    """Who new events concern and what caused them."""

    customer_id: str
    correlation_id: uuid.UUID
    causation_id: uuid.UUID | None = None


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


def _as_uuid(value: uuid.UUID | str) -> uuid.UUID:
    return value if isinstance(value, uuid.UUID) else uuid.UUID(value)


class StoredEvent:
    """An event as stored: its stream, version, global position and metadata.

    Readers of the whole log handle hundreds of thousands of events a second, so
    a stored event wraps the database row as it came and turns ids and the payload
    into ``UUID`` and ``dict`` only when asked; ``payload_json`` gives the payload as
    the database keeps it, and ``ids_text`` the ids, without building objects.
    """

    __slots__ = ("_payload", "_row")

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
        self._row: Sequence[Any] | asyncpg.Record = (
            stream_id, version, position, transaction_id, event_id, event_type,
            schema_version, customer_id, payload, occurred_at, recorded_at,
            correlation_id, causation_id,
        )  # fmt: skip
        self._payload: dict[str, Any] | None = None if isinstance(payload, str) else payload

    @classmethod
    def from_row(cls, row: Sequence[Any] | asyncpg.Record) -> StoredEvent:
        """Wrap a row whose columns come in the order of ``__init__``'s parameters."""
        event = cls.__new__(cls)
        event._row = row
        event._payload = None
        return event

    @property
    def stream_id(self) -> str:
        """The stream the event belongs to."""
        return str(self._row[0])

    @property
    def version(self) -> int:
        """The event's version within its stream, from 1."""
        return int(self._row[1])

    @property
    def position(self) -> int:
        """The position handed out when the row was inserted."""
        return int(self._row[2])

    @property
    def transaction_id(self) -> int:
        """The id of the transaction that stored the event."""
        return int(self._row[3])

    @property
    def event_id(self) -> uuid.UUID:
        """The event's unique id."""
        return _as_uuid(self._row[4])

    @property
    def event_type(self) -> str:
        """The event's type name."""
        return str(self._row[5])

    @property
    def schema_version(self) -> int:
        """The version of the payload's schema."""
        return int(self._row[6])

    @property
    def customer_id(self) -> str:
        """The customer the event concerns (the Kafka key)."""
        return str(self._row[7])

    @property
    def payload(self) -> dict[str, Any]:
        """The payload as a dict."""
        if self._payload is None:
            self._payload = json.loads(self._row[8])
        return self._payload

    @property
    def payload_json(self) -> str:
        """The payload as JSON text."""
        raw = self._row[8]
        return raw if isinstance(raw, str) else json.dumps(raw)

    @property
    def occurred_at(self) -> datetime:
        """When the event happened (UTC)."""
        value: datetime = self._row[9]
        return value

    @property
    def recorded_at(self) -> datetime:
        """When the event store stored it."""
        value: datetime = self._row[10]
        return value

    @property
    def correlation_id(self) -> uuid.UUID:
        """The id shared by every event of one business flow."""
        return _as_uuid(self._row[11])

    @property
    def causation_id(self) -> uuid.UUID | None:
        """The id of the event or command that caused this one."""
        value = self._row[12]
        return None if value is None else _as_uuid(value)

    def ids_text(self) -> tuple[str, str, str | None]:
        """Event, correlation and causation ids as text, without building UUIDs."""
        causation = self._row[12]
        return (
            str(self._row[4]),
            str(self._row[11]),
            None if causation is None else str(causation),
        )

    @property
    def checkpoint(self) -> Checkpoint:
        """The reader checkpoint just after this event."""
        return Checkpoint(self._row[3], self._row[2])

    def _key(self) -> tuple[object, ...]:
        return (
            self.stream_id, self.version, self.position, self.transaction_id, self.event_id,
            self.event_type, self.schema_version, self.customer_id, self.payload,
            self.occurred_at, self.recorded_at, self.correlation_id, self.causation_id,
        )  # fmt: skip

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, StoredEvent):
            return NotImplemented
        return self._key() == other._key()

    def __hash__(self) -> int:
        return hash((self._row[0], self._row[1]))

    def __repr__(self) -> str:
        return (
            f"StoredEvent({self.stream_id!r} v{self.version} {self.event_type} "
            f"position={self.position} transaction_id={self.transaction_id} "
            f"id={self._row[4]})"
        )
