"""Rebuild a projection from zero into fresh tables, then swap them in at once.

1. Create the projection's tables, empty, in a staging schema ``<schema>_rebuild``.
2. Replay the whole event store into them, batch by batch, while the service's
   runner keeps the live tables current.
3. In one transaction: take the projection's lock (the runner waits), apply the
   events stored since step 2, move the live tables out to ``<schema>_retired``
   and the staging tables into ``<schema>`` (``ALTER TABLE ... SET SCHEMA``, which
   carries indexes and constraints along), drop the old ones and save the
   checkpoint of the last replayed event. Readers see the old tables or the new
   ones, never a mix, and the runner resumes after the new checkpoint.

Only one rebuild runs at a time (a session advisory lock). An optional
``progress`` callback hears the running count of replayed events after each batch.
"""

from __future__ import annotations

import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass

import asyncpg

from shared.database import Conn, check_schema_name
from shared.eventstore import START, Checkpoint, EventStore
from shared.projections.base import Projection
from shared.projections.checkpoints import lock, save_checkpoint

Progress = Callable[[int], None]
"""Told the number of events handled so far, after each batch."""


def _ignore(_: int) -> None:
    return None


class RebuildRunningError(RuntimeError):
    """Another rebuild of the same projection holds the rebuild lock."""


@dataclass(frozen=True, slots=True)
class RebuildReport:
    """What a rebuild replayed, and how fast."""

    events: int
    seconds: float

    @property
    def events_per_second(self) -> float:
        """Events replayed per second of the whole rebuild."""
        return self.events / self.seconds if self.seconds > 0 else 0.0


@dataclass(frozen=True, slots=True)
class _Schemas:
    live: str
    staging: str
    retired: str

    @property
    def search_path(self) -> str:
        return f"{self.staging}, {self.live}, public"


async def _create_staging(conn: Conn, schemas: _Schemas, projection: Projection) -> None:
    async with conn.transaction():
        await conn.execute(f"DROP SCHEMA IF EXISTS {schemas.staging} CASCADE")
        await conn.execute(f"CREATE SCHEMA {schemas.staging}")
        await conn.execute(f"SET LOCAL search_path TO {schemas.staging}")
        await conn.execute(projection.ddl)


async def _apply_next(
    conn: Conn, store: EventStore, projection: Projection, after: Checkpoint, batch_size: int
) -> tuple[Checkpoint, int]:
    events = await store.read_all(after, batch_size, conn=conn)
    if events:
        await projection.apply(conn, events)
        return events[-1].checkpoint, len(events)
    return after, 0


async def _replay(
    conn: Conn,
    store: EventStore,
    projection: Projection,
    schemas: _Schemas,
    batch_size: int,
    progress: Progress,
) -> tuple[Checkpoint, int]:
    checkpoint, total, applied = START, 0, -1
    while applied:
        async with conn.transaction():
            await conn.execute(f"SET LOCAL search_path TO {schemas.search_path}")
            checkpoint, applied = await _apply_next(conn, store, projection, checkpoint, batch_size)
        total += applied
        progress(total)
    return checkpoint, total


async def _swap(
    conn: Conn,
    store: EventStore,
    projection: Projection,
    schemas: _Schemas,
    start: tuple[Checkpoint, int],
    batch_size: int,
    progress: Progress,
) -> int:
    (checkpoint, total), applied = start, -1
    async with conn.transaction():
        await lock(conn, projection.name)
        await conn.execute(f"SET LOCAL search_path TO {schemas.search_path}")
        while applied:
            checkpoint, applied = await _apply_next(conn, store, projection, checkpoint, batch_size)
            total += applied
            progress(total)
        await conn.execute(f"DROP SCHEMA IF EXISTS {schemas.retired} CASCADE")
        await conn.execute(f"CREATE SCHEMA {schemas.retired}")
        for table in projection.tables:
            await conn.execute(f"ALTER TABLE IF EXISTS {schemas.live}.{table} "
                               f"SET SCHEMA {schemas.retired}")  # fmt: skip
            await conn.execute(f"ALTER TABLE {schemas.staging}.{table} SET SCHEMA {schemas.live}")
        await conn.execute(f"DROP SCHEMA {schemas.retired} CASCADE")
        await conn.execute(f"DROP SCHEMA {schemas.staging} CASCADE")
        await save_checkpoint(conn, projection.name, checkpoint, total, reset=True)
    return total


async def rebuild(
    pool: asyncpg.Pool,
    store: EventStore,
    projection: Projection,
    schema: str,
    *,
    batch_size: int = 2000,
    progress: Progress | None = None,
) -> RebuildReport:
    """Replay ``store`` into fresh tables of ``projection`` and swap them into ``schema``.

    Raises RebuildRunningError when another rebuild of the projection is running.
    """
    schemas = _Schemas(
        check_schema_name(schema),
        check_schema_name(f"{schema}_rebuild"),
        check_schema_name(f"{schema}_retired"),
    )
    key = zlib.crc32(f"billing-projection-rebuild:{schema}:{projection.name}".encode())
    async with pool.acquire() as conn:
        if not await conn.fetchval("SELECT pg_try_advisory_lock($1)", key):
            raise RebuildRunningError(f"a rebuild of {projection.name} is already running")
        try:
            began = time.perf_counter()
            await _create_staging(conn, schemas, projection)
            told = progress or _ignore
            replayed = await _replay(conn, store, projection, schemas, batch_size, told)
            total = await _swap(conn, store, projection, schemas, replayed, batch_size, told)
            return RebuildReport(total, time.perf_counter() - began)
        finally:
            await conn.execute("SELECT pg_advisory_unlock($1)", key)
