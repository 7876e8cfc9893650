"""The worker's to-do list (``payment_jobs``) and the ids of handled Stripe webhooks.

A job row says "this payment needs the worker"; it is written in the same
transaction as the event that creates the need (a scheduled charge, a 3-D
Secure outcome, an approved refund). Each write bumps ``generation``, and the
worker deletes or postpones a row only at the generation it read, so a need
recorded while the worker was busy is never lost.
"""

from __future__ import annotations

from dataclasses import dataclass

from shared.database import Executor

PAYMENTS_DDL = """
CREATE TABLE IF NOT EXISTS payment_jobs (
    payment_id   text PRIMARY KEY,
    customer_id  text NOT NULL,
    due_at       timestamptz NOT NULL DEFAULT now(),
    generation   bigint NOT NULL DEFAULT 1,
    failures     integer NOT NULL DEFAULT 0,
    polls        integer NOT NULL DEFAULT 0,
    last_error   text,
    updated_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS payment_jobs_due_at ON payment_jobs (due_at);

CREATE TABLE IF NOT EXISTS stripe_webhook_events (
    event_id     text PRIMARY KEY,
    event_type   text NOT NULL,
    received_at  timestamptz NOT NULL DEFAULT now()
);
"""


@dataclass(frozen=True, slots=True)
class Job:
    """A payment the worker must look at, as read."""

    payment_id: str
    customer_id: str
    generation: int
    failures: int
    polls: int


async def schedule(executor: Executor, payment_id: str, customer_id: str) -> None:
    """Ask the worker to look at a payment now."""
    await executor.execute(
        """
        INSERT INTO payment_jobs (payment_id, customer_id) VALUES ($1, $2)
        ON CONFLICT (payment_id) DO UPDATE
        SET due_at = now(), generation = payment_jobs.generation + 1,
            failures = 0, polls = 0, updated_at = now()
        """,
        payment_id,
        customer_id,
    )


async def due(executor: Executor, limit: int, busy: list[str]) -> list[Job]:
    """Jobs whose time has come, oldest first, leaving out the ``busy`` ones."""
    rows = await executor.fetch(
        """
        SELECT payment_id, customer_id, generation, failures, polls FROM payment_jobs
        WHERE due_at <= now() AND NOT (payment_id = ANY($2::text[]))
        ORDER BY due_at LIMIT $1
        """,
        limit,
        busy,
    )
    return [Job(r[0], r[1], r[2], r[3], r[4]) for r in rows]


async def finish(executor: Executor, job: Job) -> None:
    """Drop the job: nothing is left to do (unless a newer need came meanwhile)."""
    await executor.execute(
        "DELETE FROM payment_jobs WHERE payment_id = $1 AND generation = $2",
        job.payment_id,
        job.generation,
    )


async def postpone(
    executor: Executor, job: Job, delay: float, *, failed: bool, error: str | None = None
) -> None:
    """Look again after ``delay`` seconds: after a failure, or to poll Stripe again."""
    await executor.execute(
        """
        UPDATE payment_jobs
        SET due_at = now() + make_interval(secs => $3),
            failures = CASE WHEN $4 THEN failures + 1 ELSE 0 END,
            polls = CASE WHEN $4 THEN polls ELSE polls + 1 END,
            last_error = $5, updated_at = now()
        WHERE payment_id = $1 AND generation = $2
        """,
        job.payment_id,
        job.generation,
        delay,
        failed,
        error,
    )


async def webhook_seen(executor: Executor, event_id: str) -> bool:
    """Whether this Stripe event was handled already."""
    found = await executor.fetchval(
        "SELECT 1 FROM stripe_webhook_events WHERE event_id = $1", event_id
    )
    return found is not None


async def record_webhook(executor: Executor, event_id: str, event_type: str) -> None:
    """Remember a handled Stripe event (in the transaction of its effect)."""
    await executor.execute(
        "INSERT INTO stripe_webhook_events (event_id, event_type) VALUES ($1, $2)",
        event_id,
        event_type,
    )
