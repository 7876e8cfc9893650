"""The database itself refuses UPDATE, DELETE and TRUNCATE on the events table."""

from __future__ import annotations

import uuid

import asyncpg
import pytest

from shared.eventstore import EventStore, NewEvent


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE events SET payload = '{}'::jsonb",
        "UPDATE events SET event_type = 'Forged' WHERE version = 1",
        "DELETE FROM events",
        "DELETE FROM events WHERE version = 1",
        "TRUNCATE events",
    ],
)
async def test_change_is_refused_and_rows_stay(
    store: EventStore, pool: asyncpg.Pool, statement: str
) -> None:
    new = NewEvent("CreditGranted", "cust-1", {"amount": 1}, uuid.uuid4())
    await store.append("acct-1", [new], expected_version=0)
    with pytest.raises(asyncpg.InsufficientPrivilegeError, match="append-only"):
        await pool.execute(statement)
    rows = await store.read_stream("acct-1")
    assert [(r.event_id, r.event_type, r.payload) for r in rows] == [
        (new.event_id, "CreditGranted", {"amount": 1})
    ]
