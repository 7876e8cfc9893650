"""Tables that find invoices without reading the whole log: by customer, and by due date.

``invoice_index`` lists each customer's invoices in issue order; a row is
written in the transaction that issues the invoice, so a list read right after
the 201 finds it. The invoices' state always comes from their streams (short),
read in one query per page. ``invoice_due_dates`` holds the invoices that have a
due date and may still expire; the expiry job drops a row once its invoice has
expired or can no longer expire.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from shared.database import Executor
from shared.eventstore import StoredEvent

from .stream import STREAM_PREFIX

INDEX_DDL = """
CREATE TABLE IF NOT EXISTS invoice_index (
    seq          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    invoice_id   text NOT NULL UNIQUE,
    customer_id  text NOT NULL,
    issued_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS invoice_index_by_customer ON invoice_index (customer_id, seq);

CREATE TABLE IF NOT EXISTS invoice_due_dates (
    invoice_id   text PRIMARY KEY,
    due_at       timestamptz NOT NULL
);
CREATE INDEX IF NOT EXISTS invoice_due_dates_by_date ON invoice_due_dates (due_at);
"""

_STREAMS = """
SELECT stream_id, version, position, transaction_id::text::bigint, event_id::text, event_type,
       schema_version, customer_id, payload::text, occurred_at, recorded_at,
       correlation_id::text, causation_id::text
FROM events WHERE stream_id = ANY($1::text[])
ORDER BY stream_id, version
"""


async def record_issue(
    executor: Executor, invoice_id: str, customer_id: str, due_at: datetime | None
) -> None:
    """Index a newly issued invoice (in the transaction that issues it)."""
    await executor.execute(
        "INSERT INTO invoice_index (invoice_id, customer_id) VALUES ($1, $2)",
        invoice_id,
        customer_id,
    )
    if due_at is not None:
        await executor.execute(
            "INSERT INTO invoice_due_dates (invoice_id, due_at) VALUES ($1, $2)",
            invoice_id,
            due_at,
        )


async def customer_page(
    executor: Executor, customer_id: str, limit: int, before: int | None
) -> tuple[list[str], int | None]:
    """Up to ``limit`` of the customer's invoice ids issued before cursor ``before``, newest
    first, and the cursor of the next page (None on the last one)."""
    rows = await executor.fetch(
        """SELECT seq, invoice_id FROM invoice_index
           WHERE customer_id = $1 AND ($2::bigint IS NULL OR seq < $2)
           ORDER BY seq DESC LIMIT $3""",
        customer_id,
        before,
        limit + 1,
    )
    page = rows[:limit]
    next_cursor = page[-1]["seq"] if len(rows) > limit else None
    return [row["invoice_id"] for row in page], next_cursor


async def streams(executor: Executor, invoice_ids: Sequence[str]) -> dict[str, list[StoredEvent]]:
    """The stored events of each invoice, in version order (one query)."""
    rows = await executor.fetch(_STREAMS, [f"{STREAM_PREFIX}{i}" for i in invoice_ids])
    found: dict[str, list[StoredEvent]] = {i: [] for i in invoice_ids}
    for row in rows:
        found[row[0].removeprefix(STREAM_PREFIX)].append(StoredEvent.from_row(row))
    return found


async def due(executor: Executor, limit: int) -> list[str]:
    """Ids of invoices whose due date has passed and that may still expire, oldest first."""
    rows = await executor.fetch(
        """SELECT invoice_id FROM invoice_due_dates WHERE due_at <= now()
           ORDER BY due_at LIMIT $1""",
        limit,
    )
    return [row["invoice_id"] for row in rows]


async def forget_due_date(executor: Executor, invoice_id: str) -> None:
    """Stop looking at an invoice's due date: it expired, or it can no longer expire."""
    await executor.execute("DELETE FROM invoice_due_dates WHERE invoice_id = $1", invoice_id)
