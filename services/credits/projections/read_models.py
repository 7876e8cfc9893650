"""The credits projection: ledger entries, balances and requests, fed batch by batch.

A batch loads the current rows of the accounts and requests it touches, folds
its events over them in Python (``rows.fold_batch``) and writes the result back
with one statement per table, whatever the batch size.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import asyncpg

from services.credits.domain.state import TopUpRequest
from shared.database import Conn
from shared.eventstore import StoredEvent
from shared.projections import Key, Row, Rows

from .rows import (
    BalanceRow,
    BatchChanges,
    RequestKey,
    account_events,
    expected_rows,
    fold_batch,
    request_from_row,
    request_keys,
    request_values,
)
from .schema import READ_MODELS_DDL

_REQUEST_COLUMNS = """status, amount, currency, description, payment_method_id, payment_id,
    client_secret, failure_code, failure_message"""

_INSERT_LEDGER = """
INSERT INTO ledger_entries (customer_id, number, amount, currency, description, created_at,
                            balance_after, event_id, version)
SELECT * FROM unnest($1::text[], $2::int[], $3::bigint[], $4::text[], $5::text[],
                     $6::timestamptz[], $7::bigint[], $8::uuid[], $9::int[])
"""

_UPSERT_BALANCES = """
INSERT INTO balances (customer_id, balance, currency, version, entries)
SELECT * FROM unnest($1::text[], $2::bigint[], $3::text[], $4::int[], $5::int[])
ON CONFLICT (customer_id) DO UPDATE
SET balance = EXCLUDED.balance, currency = EXCLUDED.currency, version = EXCLUDED.version,
    entries = EXCLUDED.entries
"""

_UPSERT_REQUESTS = f"""
INSERT INTO credit_requests (customer_id, request_id, {_REQUEST_COLUMNS})
SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::text[], $6::text[],
                     $7::text[], $8::text[], $9::text[], $10::text[], $11::text[])
ON CONFLICT (customer_id, request_id) DO UPDATE
SET status = EXCLUDED.status, payment_id = EXCLUDED.payment_id,
    client_secret = EXCLUDED.client_secret, failure_code = EXCLUDED.failure_code,
    failure_message = EXCLUDED.failure_message
"""


def _columns(rows: Iterable[Sequence[object]], width: int) -> list[list[object]]:
    columns: list[list[object]] = [[] for _ in range(width)]
    for row in rows:
        for column, value in zip(columns, row, strict=True):
            column.append(value)
    return columns


class CreditsProjection:
    """The read models the credits API serves, as a projection of the credit accounts."""

    name = "credits-read-models"
    tables = ("ledger_entries", "balances", "credit_requests")
    ddl = READ_MODELS_DDL

    async def apply(self, conn: Conn, events: Sequence[StoredEvent]) -> None:
        """Apply a batch of stored events to the tables, in the caller's transaction."""
        decoded = account_events(events)
        if not decoded:
            return
        balances = await self._balances(conn, {stored.customer_id for stored, _ in decoded})
        requests = await self._requests(conn, request_keys(decoded))
        await self._write(conn, fold_batch(decoded, balances, requests))

    async def _balances(self, conn: Conn, customers: set[str]) -> dict[str, BalanceRow]:
        rows = await conn.fetch(
            """SELECT customer_id, balance, currency, version, entries FROM balances
               WHERE customer_id = ANY($1::text[])""",
            list(customers),
        )
        return {r["customer_id"]: BalanceRow(*tuple(r)[1:]) for r in rows}

    async def _requests(self, conn: Conn, keys: set[RequestKey]) -> dict[RequestKey, TopUpRequest]:
        if not keys:
            return {}
        customers, request_ids = _columns(keys, 2)
        rows = await conn.fetch(
            f"""SELECT customer_id, request_id, {_REQUEST_COLUMNS} FROM credit_requests
                WHERE (customer_id, request_id) IN
                      (SELECT * FROM unnest($1::text[], $2::text[]))""",
            customers,
            request_ids,
        )
        return {(r["customer_id"], r["request_id"]): request_from_row(r) for r in rows}

    async def _write(self, conn: Conn, changes: BatchChanges) -> None:
        if changes.ledger:
            ledger = [(row.customer_id, row.number, *row.values()) for row in changes.ledger]
            await conn.execute(_INSERT_LEDGER, *_columns(ledger, 9))
        balances = [(customer, *row.values()) for customer, row in changes.balances.items()]
        await conn.execute(_UPSERT_BALANCES, *_columns(balances, 5))
        if changes.touched_requests:
            requests = [
                (*key, *request_values(changes.requests[key]))
                for key in sorted(changes.touched_requests)
            ]
            await conn.execute(_UPSERT_REQUESTS, *_columns(requests, 11))

    def expected(self, events: Iterable[StoredEvent]) -> Rows:
        """The rows a fold of the log says the tables should hold."""
        return expected_rows(events)

    async def actual(self, conn: Conn) -> Rows:
        """The rows the tables hold."""
        ledger = await conn.fetch(
            """SELECT customer_id, number, amount, currency, description, created_at,
                      balance_after, event_id, version FROM ledger_entries"""
        )
        balances = await conn.fetch(
            "SELECT customer_id, balance, currency, version, entries FROM balances"
        )
        requests = await conn.fetch(
            f"SELECT customer_id, request_id, {_REQUEST_COLUMNS} FROM credit_requests"
        )
        return {
            "ledger_entries": _keyed(ledger, 2),
            "balances": _keyed(balances, 1),
            "credit_requests": _keyed(requests, 2),
        }


def _keyed(records: Iterable[asyncpg.Record], key_width: int) -> dict[Key, Row]:
    return {tuple(r)[:key_width]: tuple(r)[key_width:] for r in records}
