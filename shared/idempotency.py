"""Idempotency keys of HTTP commands: the first answer is kept and replayed, never redone.

Each service keeps the table in its own schema; ``reference`` names what the
command created (a request id, an invoice id).

A key belongs to one customer. The key, the hash of the request's canonical
JSON and the answer are stored in the same transaction as the command's
events, after them (the append stays the transaction's first write). Two
concurrent requests with one key cannot both commit: the second insert waits
for the first and finds the key taken, its transaction rolls back, and the
retry replays the stored answer.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import asyncpg

from shared.database import Conn
from shared.eventstore import ConcurrencyError

IDEMPOTENCY_DDL = """
CREATE TABLE IF NOT EXISTS idempotency_keys (
    customer_id  text NOT NULL,
    key          text NOT NULL,
    body_hash    text NOT NULL,
    reference    text NOT NULL,
    response     jsonb NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (customer_id, key)
);
"""

ATTEMPTS = 20

Answer = dict[str, Any]


class IdempotencyConflict(Exception):  # noqa: N818 - reads as what it reports
    """The key was used before with a different request body."""


class _KeyTaken(Exception):  # noqa: N818 - internal signal: roll back and replay
    pass


def body_hash(scope: str, body: dict[str, Any]) -> str:
    """SHA-256 of the canonical JSON of what a request asks (scope = which command)."""
    canonical = json.dumps(
        {"scope": scope, "body": body}, sort_keys=True, separators=(",", ":"), ensure_ascii=False
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class IdempotentCall:
    """One customer's command under an idempotency key."""

    customer_id: str
    key: str
    body_hash: str


async def _earlier_answer(conn: Conn, call: IdempotentCall) -> Answer | None:
    row = await conn.fetchrow(
        "SELECT body_hash, response FROM idempotency_keys WHERE customer_id = $1 AND key = $2",
        call.customer_id,
        call.key,
    )
    if row is None:
        return None
    if row["body_hash"] != call.body_hash:
        raise IdempotencyConflict("this Idempotency-Key was used with a different request body")
    answer: Answer = row["response"]
    return answer


async def _remember(conn: Conn, call: IdempotentCall, reference: str, answer: Answer) -> None:
    stored = await conn.fetchval(
        """INSERT INTO idempotency_keys (customer_id, key, body_hash, reference, response)
           VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING RETURNING true""",
        call.customer_id,
        call.key,
        call.body_hash,
        reference,
        answer,
    )
    if stored is None:
        raise _KeyTaken


async def run_once(
    pool: asyncpg.Pool,
    call: IdempotentCall,
    reference: str,
    action: Callable[[Conn], Awaitable[Answer]],
) -> Answer:
    """Run ``action`` once per key and return its answer; replay it for a repeated key.

    Raises IdempotencyConflict, changing nothing, when the key was used with
    another body.
    """
    for _ in range(ATTEMPTS):
        try:
            async with pool.acquire() as conn, conn.transaction():
                earlier = await _earlier_answer(conn, call)
                if earlier is not None:
                    return earlier
                answer = await action(conn)
                await _remember(conn, call, reference, answer)
                return answer
        except (ConcurrencyError, _KeyTaken):
            continue
    raise ConcurrencyError(f"idempotency:{call.customer_id}", 0)
