"""One small async function per command: load the account, decide, append.

HTTP commands run on their own transaction (the top-up together with its
idempotency key); reactions to payments' and invoicing's events run on the
consumer's connection, so their events commit with the inbox row of the
message, and a conflict with another writer reruns that whole transaction.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TypeVar

import asyncpg

from shared import idempotency
from shared.contracts import CreditsEvent
from shared.database import Conn
from shared.eventstore import EventStore, StoredEvent, decide_and_append, load

from .domain import decide
from .domain.commands import (
    DebitInvoice,
    GrantCredit,
    RecordCapture,
    RecordFailure,
    RecordRequiresAction,
    RequestCredit,
    RestoreInvoiceCredit,
    ReverseCredit,
)
from .domain.state import CreditAccount
from .stream import ACCOUNT, Metadata, account_stream, to_new_events

Command = TypeVar("Command")


async def _execute(
    store: EventStore,
    decider: Callable[[CreditAccount, Command], list[CreditsEvent]],
    command: Command,
    meta: Metadata,
    conn: Conn | None = None,
) -> list[StoredEvent]:
    return await decide_and_append(
        store,
        account_stream(meta.customer_id),
        ACCOUNT,
        lambda account: to_new_events(decider(account, command), meta),
        conn=conn,
    )


async def load_account(store: EventStore, customer_id: str) -> tuple[CreditAccount, int]:
    """The customer's account as its events leave it, and its stream version."""
    return await load(store, account_stream(customer_id), ACCOUNT)


async def account_as_of(
    store: EventStore, customer_id: str, at: datetime
) -> tuple[CreditAccount, int]:
    """The account as its events recorded at or before ``at`` leave it, and their last version.

    The events are folded in stream order up to the first one recorded after ``at``,
    so the state is one the account really went through (version 0: none yet).
    """
    account, version = ACCOUNT.initial(), 0
    for event in await store.read_stream(account_stream(customer_id)):
        if event.recorded_at > at:
            break
        account, version = ACCOUNT.evolve(account, event), event.version
    return account, version


async def request_credit(
    pool: asyncpg.Pool,
    store: EventStore,
    command: RequestCredit,
    call: idempotency.IdempotentCall,
    meta: Metadata,
) -> idempotency.Answer:
    """Append CreditRequested once per idempotency key; answer ``{request_id, status}``."""

    async def append(conn: Conn) -> idempotency.Answer:
        await _execute(store, decide.request_credit, command, meta, conn)
        return {"request_id": command.request_id, "status": "pending"}

    return await idempotency.run_once(pool, call, command.request_id, append)


async def grant_credit(
    pool: asyncpg.Pool,
    store: EventStore,
    command: GrantCredit,
    meta: Metadata,
    call: idempotency.IdempotentCall | None = None,
) -> idempotency.Answer:
    """Append CreditGranted (once per idempotency key when one is given); answer the grant."""
    answer: idempotency.Answer = {
        "grant_id": command.grant_id,
        "amount": command.amount.to_decimal_string(),
        "currency": command.amount.currency,
        "description": command.description,
        "granted_by": command.granted_by,
    }

    async def append(conn: Conn | None) -> idempotency.Answer:
        await _execute(store, decide.grant_credit, command, meta, conn)
        return answer

    if call is None:
        return await append(None)
    return await idempotency.run_once(pool, call, command.grant_id, append)


async def record_capture(
    store: EventStore, command: RecordCapture, meta: Metadata, conn: Conn
) -> list[StoredEvent]:
    """Append CreditAdded for a captured top-up, unless the request was credited already."""
    return await _execute(store, decide.record_capture, command, meta, conn)


async def record_failure(
    store: EventStore, command: RecordFailure, meta: Metadata, conn: Conn
) -> list[StoredEvent]:
    """Append CreditRequestFailed for an open request."""
    return await _execute(store, decide.record_failure, command, meta, conn)


async def record_requires_action(
    store: EventStore, command: RecordRequiresAction, meta: Metadata, conn: Conn
) -> list[StoredEvent]:
    """Append CreditRequestRequiresAction for an open request."""
    return await _execute(store, decide.record_requires_action, command, meta, conn)


async def reverse_credit(
    store: EventStore, command: ReverseCredit, meta: Metadata, conn: Conn
) -> list[StoredEvent]:
    """Append CreditReversed, or CreditReversalDeclined when the balance cannot cover it."""
    return await _execute(store, decide.reverse_credit, command, meta, conn)


async def debit_invoice(
    store: EventStore, command: DebitInvoice, meta: Metadata, conn: Conn
) -> list[StoredEvent]:
    """Append InvoiceDebited for min(balance, amount), or InvoiceDebitDeclined."""
    return await _execute(store, decide.debit_invoice, command, meta, conn)


async def restore_invoice_credit(
    store: EventStore, command: RestoreInvoiceCredit, meta: Metadata, conn: Conn
) -> list[StoredEvent]:
    """Append CreditRestored once for a voided invoice the balance paid (else nothing)."""
    return await _execute(store, decide.restore_invoice_credit, command, meta, conn)
