"""Where the outbox relay has got to in the event log, kept in PostgreSQL."""

from __future__ import annotations

from shared.database import Executor
from shared.eventstore import START, Checkpoint


async def load_checkpoint(executor: Executor, relay: str) -> Checkpoint:
    """Return the relay's checkpoint, or the start of the log when it has none."""
    row = await executor.fetchrow(
        "SELECT transaction_id, position FROM outbox_checkpoints WHERE relay_name = $1", relay
    )
    return START if row is None else Checkpoint(row[0], row[1])


async def save_checkpoint(
    executor: Executor, relay: str, checkpoint: Checkpoint, published: int
) -> None:
    """Record that the relay has published everything up to ``checkpoint``."""
    await executor.execute(
        """
        INSERT INTO outbox_checkpoints (relay_name, transaction_id, position, published)
        VALUES ($1, $2, $3, $4)
        ON CONFLICT (relay_name) DO UPDATE
        SET transaction_id = EXCLUDED.transaction_id, position = EXCLUDED.position,
            published = outbox_checkpoints.published + EXCLUDED.published, updated_at = now()
        """,
        relay,
        checkpoint.transaction_id,
        checkpoint.position,
        published,
    )
