"""One small async function per command: load the invoice, decide, append.

HTTP commands run on their own transaction (an issue together with its index
rows and idempotency key); reactions to credits' and payments' events run on
the consumer's connection, so their events commit with the inbox row of the
message. Every command but ``issue`` names an invoice of ``meta.customer_id``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TypeVar

import asyncpg

from shared import idempotency
from shared.database import Conn
from shared.eventstore import EventStore, StoredEvent, decide_and_append, load

from . import invoice_index
from .domain import decide
from .domain.commands import (
    IssueInvoice,
    PayInvoice,
    RecordCardCapture,
    RecordCardFailure,
    RecordDebit,
    RecordDebitDeclined,
    VoidInvoice,
)
from .domain.events import InvoiceEvent
from .domain.state import Invoice
from .stream import (
    Metadata,
    aggregate,
    fold_stored,
    invoice_stream,
    metadata_of_invoice,
    to_new_events,
)

Command = TypeVar("Command")


async def _execute(
    store: EventStore,
    invoice_id: str,
    decider: Callable[[Invoice, Command], list[InvoiceEvent]],
    command: Command,
    meta: Metadata,
    conn: Conn | None = None,
) -> list[StoredEvent]:
    def decide_owned(invoice: Invoice) -> list[InvoiceEvent]:
        return decider(decide.known(invoice, meta.customer_id), command)

    return await decide_and_append(
        store,
        invoice_stream(invoice_id),
        aggregate(invoice_id),
        lambda invoice: to_new_events(decide_owned(invoice), meta),
        conn=conn,
    )


async def load_invoice(store: EventStore, invoice_id: str) -> tuple[Invoice, list[StoredEvent]]:
    """The invoice as its events leave it, and those events."""
    events = await store.read_stream(invoice_stream(invoice_id))
    return fold_stored(invoice_id, events), events


async def issue_invoice(
    pool: asyncpg.Pool,
    store: EventStore,
    command: IssueInvoice,
    meta: Metadata,
    call: idempotency.IdempotentCall | None = None,
) -> str:
    """Append InvoiceIssued and InvoiceDebitRequested (once per idempotency key when one is
    given) and index the invoice; return its id."""

    async def append(conn: Conn) -> idempotency.Answer:
        events = decide.issue(Invoice(command.invoice_id), command)
        stream = invoice_stream(command.invoice_id)
        await store.append(stream, to_new_events(events, meta), 0, conn=conn)
        await invoice_index.record_issue(conn, command.invoice_id, meta.customer_id, command.due_at)
        return {"invoice_id": command.invoice_id}

    if call is not None:
        answer = await idempotency.run_once(pool, call, command.invoice_id, append)
    else:
        async with pool.acquire() as conn, conn.transaction():
            answer = await append(conn)
    return str(answer["invoice_id"])


async def pay(
    store: EventStore, invoice_id: str, command: PayInvoice, meta: Metadata
) -> list[StoredEvent]:
    """Ask the card or the credits for the remainder."""
    return await _execute(store, invoice_id, decide.pay, command, meta)


async def void(
    store: EventStore, invoice_id: str, command: VoidInvoice, meta: Metadata
) -> list[StoredEvent]:
    """Void an unpaid invoice (nothing when it is void already)."""
    return await _execute(store, invoice_id, decide.void, command, meta)


async def record_debit(
    store: EventStore, invoice_id: str, command: RecordDebit, meta: Metadata, conn: Conn
) -> list[StoredEvent]:
    """Record what credits paid, and what follows from it."""
    return await _execute(store, invoice_id, decide.record_debit, command, meta, conn)


async def record_debit_declined(
    store: EventStore, invoice_id: str, command: RecordDebitDeclined, meta: Metadata, conn: Conn
) -> list[StoredEvent]:
    """Record that credits paid nothing, and what follows from it."""
    return await _execute(store, invoice_id, decide.record_debit_declined, command, meta, conn)


async def record_card_capture(
    store: EventStore, invoice_id: str, command: RecordCardCapture, meta: Metadata, conn: Conn
) -> list[StoredEvent]:
    """Record what a card paid, and InvoicePaid when nothing is left."""
    return await _execute(store, invoice_id, decide.record_card_capture, command, meta, conn)


async def record_card_failure(
    store: EventStore, invoice_id: str, command: RecordCardFailure, meta: Metadata, conn: Conn
) -> list[StoredEvent]:
    """Record a failed card payment."""
    return await _execute(store, invoice_id, decide.record_card_failure, command, meta, conn)


async def expire(pool: asyncpg.Pool, store: EventStore, invoice_id: str, now: datetime) -> bool:
    """Expire the invoice when its due date has passed unpaid; tell whether it expired.

    Its due-date row goes in the same transaction, once the invoice has expired
    or can no longer expire. Raises ConcurrencyError when another writer (another
    replica's job, a payment) appended first: nothing is written, and the next
    look decides again.
    """
    async with pool.acquire() as conn, conn.transaction():
        stream = invoice_stream(invoice_id)
        invoice, version = await load(store, stream, aggregate(invoice_id), conn=conn)
        events = decide.expire(invoice, now)
        if events:
            new = to_new_events(events, metadata_of_invoice(invoice))
            await store.append(stream, new, version, conn=conn)
        if events or not invoice.awaits_expiry:
            await invoice_index.forget_due_date(conn, invoice_id)
    return bool(events)
