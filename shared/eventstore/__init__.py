"""The PostgreSQL event store: append with optimistic concurrency, read streams and the log."""

from shared.eventstore.decide import Aggregate, decide_and_append, load
from shared.eventstore.errors import ConcurrencyError, DuplicateEventError, EventStoreError
from shared.eventstore.records import (
    START,
    Checkpoint,
    EventMetadata,
    NewEvent,
    StoredEvent,
    utc_now,
)
from shared.eventstore.schema import EVENTS_DDL
from shared.eventstore.store import EventStore

__all__ = [
    "EVENTS_DDL",
    "START",
    "Aggregate",
    "Checkpoint",
    "ConcurrencyError",
    "DuplicateEventError",
    "EventMetadata",
    "EventStore",
    "EventStoreError",
    "NewEvent",
    "StoredEvent",
    "decide_and_append",
    "load",
    "utc_now",
]
