"""Reading and saving a projection's checkpoint, and the lock that serialises its writers."""

from __future__ import annotations

import zlib

from shared.database import Conn
from shared.eventstore import START, Checkpoint


def lock_key(name: str) -> int:
    """The advisory lock key of a projection: every writer of its rows takes it first."""
    return zlib.crc32(f"billing-projection:{name}".encode())


async def lock(conn: Conn, name: str) -> None:
    """Take the projection's lock until the end of the current transaction."""
    await conn.execute("SELECT pg_advisory_xact_lock($1)", lock_key(name))


async def load_checkpoint(conn: Conn, name: str) -> Checkpoint:
    """The projection's checkpoint, or the start of the log when it has none."""
    row = await conn.fetchrow(
        "SELECT transaction_id, position FROM projection_checkpoints WHERE name = $1", name
    )
    return START if row is None else Checkpoint(row[0], row[1])


async def save_checkpoint(
    conn: Conn, name: str, checkpoint: Checkpoint, applied: int, *, reset: bool = False
) -> None:
    """Record that the projection holds every event up to ``checkpoint``.

    ``applied`` counts events; with ``reset`` it replaces the running total.
    """
    await conn.execute(
        """
        INSERT INTO projection_checkpoints (name, transaction_id, position, applied)
        VALUES ($1, $2, $3, $4)
        ON CONFLICT (name) DO UPDATE
        SET transaction_id = EXCLUDED.transaction_id, position = EXCLUDED.position,
            applied = CASE WHEN $5 THEN EXCLUDED.applied
                           ELSE projection_checkpoints.applied + EXCLUDED.applied END,
            updated_at = now()
        """,
        name,
        checkpoint.transaction_id,
        checkpoint.position,
        applied,
        reset,
    )
