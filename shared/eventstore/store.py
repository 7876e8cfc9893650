"""Append-only PostgreSQL event store: optimistic concurrency and a gap-free global reader.

Writers
    ``append(stream_id, events, expected_version)`` inserts the events as versions
    ``expected_version + 1 ...`` of the stream in one statement. The primary key
    ``(stream_id, version)`` is the optimistic concurrency check: when another
    writer got there first the insert fails, nothing is written and
    :class:`ConcurrencyError` is raised (reload, decide again, retry). An append
    whose ``expected_version`` is ahead of the stream writes nothing and raises the
    same error. ``event_id`` is unique: storing an id twice raises
    :class:`DuplicateEventError` and writes nothing.

Readers by global position, and why they never skip a late commit
    The ``position`` identity column is handed out when a row is inserted, not when
    its transaction commits, so position 11 can become visible before position 10:
    a reader that remembered "I have read up to 11" would skip 10 for ever. Each row
    therefore also records ``transaction_id`` (``pg_current_xact_id()``, a 64-bit id
    that never wraps) and readers walk events in ``(transaction_id, position)`` order,
    reading only rows whose transaction id is below ``pg_snapshot_xmin`` of the
    statement's own snapshot. Every transaction with an id below that horizon has
    ended, so its rows are final; every transaction that is still open, or that
    starts later, has an id at or above it (ids are handed out in increasing order)
    and so sorts after anything the reader has already passed. A reader's checkpoint
    is the ``(transaction_id, position)`` of the last event it handled: no event
    committed later can sort before it. The price is that a long-open writing
    transaction holds readers back until it ends; it never makes them skip.

    Per-stream order follows: version ``n + 1`` can only be inserted once version
    ``n`` has committed. So that it also sorts after it, the append checks in the
    same statement that the previous version's transaction id is not above the
    writer's own (possible only when the writer's transaction took its id, by an
    earlier write, before version ``n`` committed); if it is, the append writes
    nothing and raises :class:`ConcurrencyError`, and the retry, in a new
    transaction, gets a higher id.

The table refuses UPDATE, DELETE and TRUNCATE through triggers (see ``schema.py``).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from typing import Any

import asyncpg

from shared.database import Conn, Executor
from shared.eventstore.errors import ConcurrencyError, DuplicateEventError
from shared.eventstore.records import START, Checkpoint, NewEvent, StoredEvent
from shared.metrics import ServiceMetrics

_COLUMNS = """stream_id, version, position, transaction_id::text::bigint AS transaction_id,
    event_id::text, event_type, schema_version, customer_id, payload::text, occurred_at,
    recorded_at, correlation_id::text, causation_id::text"""

_APPEND = """
INSERT INTO events (stream_id, version, event_id, event_type, schema_version, customer_id,
                    payload, occurred_at, correlation_id, causation_id)
SELECT $1, $2 + e.ord, e.event_id, e.event_type, e.schema_version, e.customer_id,
       e.payload, e.occurred_at, e.correlation_id, e.causation_id
FROM unnest($3::uuid[], $4::text[], $5::int[], $6::text[], $7::jsonb[], $8::timestamptz[],
            $9::uuid[], $10::uuid[])
     WITH ORDINALITY AS e(event_id, event_type, schema_version, customer_id, payload,
                          occurred_at, correlation_id, causation_id, ord)
WHERE $2 = 0 OR EXISTS (
    SELECT 1 FROM events p
    WHERE p.stream_id = $1 AND p.version = $2 AND p.transaction_id <= pg_current_xact_id())
ORDER BY e.ord
RETURNING position, transaction_id::text::bigint, recorded_at
"""

_APPEND_ONE = """
INSERT INTO events (stream_id, version, event_id, event_type, schema_version, customer_id,
                    payload, occurred_at, correlation_id, causation_id)
SELECT $1, $2 + 1, $3, $4, $5, $6, $7, $8, $9, $10
WHERE $2 = 0 OR EXISTS (
    SELECT 1 FROM events p
    WHERE p.stream_id = $1 AND p.version = $2 AND p.transaction_id <= pg_current_xact_id())
RETURNING position, transaction_id::text::bigint, recorded_at
"""

_READ_STREAM = f"""
SELECT {_COLUMNS} FROM events
WHERE stream_id = $1 AND version >= $2
ORDER BY version
"""

_STREAM_VERSION = "SELECT coalesce(max(version), 0) FROM events WHERE stream_id = $1"

_READ_ALL = "SELECT * FROM read_events_after($1::bigint::text::xid8, $2::bigint, $3)"


def _to_stored(row: asyncpg.Record) -> StoredEvent:
    return StoredEvent.from_row(row)


class EventStore:
    """Event store over one service's ``events`` table (found on the pool's search path).

    With ``metrics``, each successful append counts its events by type (an append
    inside a caller's transaction counts even if that transaction rolls back later).
    """

    def __init__(self, pool: asyncpg.Pool, *, metrics: ServiceMetrics | None = None) -> None:
        self._pool = pool
        self._metrics = metrics
        self._listeners: list[Callable[[], None]] = []

    def on_append(self, listener: Callable[[], None]) -> None:
        """Call ``listener`` after each successful append (its transaction may not have
        committed yet: listeners look for the events, they are not handed them)."""
        self._listeners.append(listener)

    async def append(
        self,
        stream_id: str,
        events: Sequence[NewEvent],
        expected_version: int,
        *,
        conn: Conn | None = None,
    ) -> list[StoredEvent]:
        """Append ``events`` after ``expected_version`` (0 for a new stream).

        With ``conn`` the insert joins the caller's transaction; without it, the
        append commits on its own. Raises ConcurrencyError or DuplicateEventError
        and writes nothing when the append cannot be made.
        """
        if not events:
            return []
        if expected_version < 0:
            raise ValueError("expected_version must be >= 0")
        args: list[Any]
        if len(events) == 1:
            e = events[0]
            sql = _APPEND_ONE
            args = [
                stream_id, expected_version, e.event_id, e.event_type, e.schema_version,
                e.customer_id, e.payload, e.occurred_at, e.correlation_id, e.causation_id,
            ]  # fmt: skip
        else:
            sql = _APPEND
            args = [
                stream_id,
                expected_version,
                [e.event_id for e in events],
                [e.event_type for e in events],
                [e.schema_version for e in events],
                [e.customer_id for e in events],
                [e.payload for e in events],
                [e.occurred_at for e in events],
                [e.correlation_id for e in events],
                [e.causation_id for e in events],
            ]
        executor: Executor = conn if conn is not None else self._pool
        try:
            rows = await executor.fetch(sql, *args)
        except asyncpg.UniqueViolationError as exc:
            if exc.constraint_name == "events_event_id_key":
                raise DuplicateEventError(stream_id, [e.event_id for e in events]) from exc
            raise ConcurrencyError(stream_id, expected_version) from exc
        if len(rows) != len(events):
            raise ConcurrencyError(stream_id, expected_version)
        if self._metrics is not None:
            for e in events:
                self._metrics.count_appended(e.event_type)
        for listener in self._listeners:
            listener()
        return [
            StoredEvent(
                stream_id,
                expected_version + i,
                row[0],
                row[1],
                e.event_id,
                e.event_type,
                e.schema_version,
                e.customer_id,
                e.payload,
                e.occurred_at,
                row[2],
                e.correlation_id,
                e.causation_id,
            )
            for i, (e, row) in enumerate(zip(events, rows, strict=True), start=1)
        ]

    async def read_stream(
        self,
        stream_id: str,
        from_version: int = 1,
        *,
        conn: Conn | None = None,
    ) -> list[StoredEvent]:
        """Return the events of one stream from ``from_version`` on, in version order."""
        executor: Executor = conn if conn is not None else self._pool
        rows = await executor.fetch(_READ_STREAM, stream_id, from_version)
        return [_to_stored(r) for r in rows]

    async def stream_version(self, stream_id: str, *, conn: Conn | None = None) -> int:
        """Return the stream's current version (0 when it has no events)."""
        executor: Executor = conn if conn is not None else self._pool
        version = await executor.fetchval(_STREAM_VERSION, stream_id)
        return int(version)

    async def read_all(
        self,
        after: Checkpoint = START,
        limit: int = 1000,
        *,
        conn: Conn | None = None,
    ) -> list[StoredEvent]:
        """Return up to ``limit`` events after ``after`` in global order, none ever skipped."""
        executor: Executor = conn if conn is not None else self._pool
        rows = await executor.fetch(_READ_ALL, after.transaction_id, after.position, limit)
        return [_to_stored(r) for r in rows]

    async def has_event(self, event_id: uuid.UUID) -> bool:
        """Tell whether an event with this id is stored."""
        found = await self._pool.fetchval("SELECT 1 FROM events WHERE event_id = $1", event_id)
        return found is not None
