"""Value types of the event store: events to append, stored events, reader checkpoints."""

from __future__ import annotations

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


@dataclass(frozen=True, slots=True)
class StoredEvent:
    """An event as stored: its stream, version, global position and metadata."""

    stream_id: str
    version: int
    position: int
    transaction_id: int
    event_id: uuid.UUID
    event_type: str
    schema_version: int
    customer_id: str
    payload: dict[str, Any]
    occurred_at: datetime
    recorded_at: datetime
    correlation_id: uuid.UUID
    causation_id: uuid.UUID | None

    @property
    def checkpoint(self) -> Checkpoint:
        """The reader checkpoint just after this event."""
        return Checkpoint(self.transaction_id, self.position)
