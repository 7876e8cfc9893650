"""The write path: load a stream, decide in pure code, append at the version it was read at.

A service describes its aggregate as an initial state and an ``evolve`` fold;
``decide`` is a pure function from state to new events. When another writer
appended first, the append raises :class:`ConcurrencyError`; on its own
connection :func:`decide_and_append` reloads and decides again, inside a
caller's transaction it lets the error go up so that the caller reruns the
whole transaction (the inbox does).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from shared.database import Conn
from shared.eventstore.errors import ConcurrencyError
from shared.eventstore.records import NewEvent, StoredEvent
from shared.eventstore.store import EventStore

State = TypeVar("State")


@dataclass(frozen=True)
class Aggregate(Generic[State]):
    """How to rebuild one kind of stream's state from its events."""

    initial: Callable[[], State]
    evolve: Callable[[State, StoredEvent], State]


async def load(
    store: EventStore,
    stream_id: str,
    aggregate: Aggregate[State],
    *,
    conn: Conn | None = None,
) -> tuple[State, int]:
    """Return the stream's current state and version (0 for a new stream)."""
    state = aggregate.initial()
    version = 0
    for event in await store.read_stream(stream_id, conn=conn):
        state = aggregate.evolve(state, event)
        version = event.version
    return state, version


async def decide_and_append(
    store: EventStore,
    stream_id: str,
    aggregate: Aggregate[State],
    decide: Callable[[State], Sequence[NewEvent]],
    *,
    conn: Conn | None = None,
    attempts: int = 20,
) -> list[StoredEvent]:
    """Load, decide, append; retry on conflict when running on its own connection.

    Returns the stored events (empty when ``decide`` decided nothing). Domain
    errors raised by ``decide`` go up unchanged, and nothing is written.
    """
    tries = 1 if conn is not None else attempts
    for attempt in range(1, tries + 1):
        state, version = await load(store, stream_id, aggregate, conn=conn)
        events = decide(state)
        if not events:
            return []
        try:
            return await store.append(stream_id, events, version, conn=conn)
        except ConcurrencyError:
            if attempt == tries:
                raise
    raise AssertionError("unreachable")
