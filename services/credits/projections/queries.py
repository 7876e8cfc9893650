"""What the HTTP API reads from the credits read models: ledger pages, balances, requests."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import asyncpg

from services.credits.domain.state import TopUpRequest
from shared.database import Executor
from shared.money import Money

from .rows import request_from_row


@dataclass(frozen=True, slots=True)
class Entry:
    """One ledger entry as the API shows it."""

    number: int
    amount: Money
    description: str
    created_at: datetime
    balance_after: Money


@dataclass(frozen=True, slots=True)
class Balance:
    """An account's balance and the stream version it reflects."""

    amount: Money
    version: int


def _entry(row: asyncpg.Record) -> Entry:
    currency = row["currency"]
    return Entry(
        number=row["number"],
        amount=Money(row["amount"], currency),
        description=row["description"],
        created_at=row["created_at"],
        balance_after=Money(row["balance_after"], currency),
    )


async def balance(db: Executor, customer_id: str, default_currency: str) -> Balance:
    """The account's current balance (zero in ``default_currency`` for an unknown account)."""
    row = await db.fetchrow(
        "SELECT balance, currency, version FROM balances WHERE customer_id = $1", customer_id
    )
    if row is None:
        return Balance(Money.zero(default_currency), 0)
    return Balance(Money(row["balance"], row["currency"] or default_currency), row["version"])


async def _entries(
    db: Executor, customer_id: str, limit: int, before: int | None
) -> tuple[list[Entry], int | None]:
    rows = await db.fetch(
        """SELECT number, amount, currency, description, created_at, balance_after
           FROM ledger_entries WHERE customer_id = $1 AND number < $2
           ORDER BY number DESC LIMIT $3""",
        customer_id,
        before if before is not None else 2**31 - 1,
        limit + 1,
    )
    entries = [_entry(r) for r in rows[:limit]]
    next_cursor = entries[-1].number if len(rows) > limit else None
    return entries, next_cursor


async def ledger_page(
    pool: asyncpg.Pool, customer_id: str, limit: int, before: int | None, default_currency: str
) -> tuple[Balance, list[Entry], int | None]:
    """The balance and up to ``limit`` entries numbered below ``before``, newest first,
    with the cursor of the next page; read at one instant."""
    async with (
        pool.acquire() as conn,
        conn.transaction(isolation="repeatable_read", readonly=True),
    ):
        current = await balance(conn, customer_id, default_currency)
        entries, next_cursor = await _entries(conn, customer_id, limit, before)
    return current, entries, next_cursor


async def request(pool: asyncpg.Pool, customer_id: str, request_id: str) -> TopUpRequest | None:
    """A top-up request as the read model has it, or None."""
    row = await pool.fetchrow(
        "SELECT * FROM credit_requests WHERE customer_id = $1 AND request_id = $2",
        customer_id,
        request_id,
    )
    return None if row is None else request_from_row(row)
