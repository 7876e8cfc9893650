"""Kafka side of the credits service: payments' and invoicing's events become account commands.

From payments, top-up results (purpose ``credit_topup``) settle requests;
results of invoice payments are not the credit account's business and are
skipped. ``RefundRequested`` asks credits to take a top-up's credit back
before the card is refunded; a refund of an invoice payment (purpose
``invoice``) took no credit, so credits ignores it and answers nothing:
payments refunds such a payment without waiting for credits.

From invoicing, ``InvoiceDebitRequested`` debits the balance (up to the
amount asked, never below zero) and ``InvoiceVoided`` gives back what an
invoice took, once; a void of an invoice the balance never paid changes
nothing. A message the account refuses (a result for a request it never
made...) is dead-lettered with the reason.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping
from functools import partial

from shared.contracts import (
    InvoiceDebitRequested,
    InvoiceVoided,
    PaymentCaptured,
    PaymentFailed,
    PaymentRequiresAction,
    RefundRequested,
)
from shared.database import Conn
from shared.eventstore import EventStore
from shared.messaging.consumer import Handler, IncomingEvent, refusing
from shared.money import Money

from . import handlers
from .domain.commands import (
    DebitInvoice,
    RecordCapture,
    RecordFailure,
    RecordRequiresAction,
    RestoreInvoiceCredit,
    ReverseCredit,
)
from .domain.errors import MessageRefused

log = logging.getLogger(__name__)

StoreHandler = Callable[[EventStore, IncomingEvent, Conn], Awaitable[None]]


_refusing = refusing(MessageRefused)
"""Turn the account's refusal of a message into a dead letter with its reason."""


@_refusing
async def on_payment_captured(store: EventStore, event: IncomingEvent, conn: Conn) -> None:
    """A captured top-up payment: credit the request once."""
    paid = event.payload_as(PaymentCaptured)
    if paid.purpose != "credit_topup":
        return
    amount = Money(paid.amount, paid.currency)
    command = RecordCapture(paid.reference_id, paid.payment_id, amount)
    if not await handlers.record_capture(store, command, event.metadata(), conn):
        log.info("request %s was credited already: %s changes nothing", paid.reference_id, paid)


@_refusing
async def on_payment_failed(store: EventStore, event: IncomingEvent, conn: Conn) -> None:
    """A failed top-up payment: the request fails with the decline's code and message."""
    failed = event.payload_as(PaymentFailed)
    if failed.purpose != "credit_topup":
        return
    command = RecordFailure(failed.reference_id, failed.payment_id, failed.code, failed.message)
    await handlers.record_failure(store, command, event.metadata(), conn)


@_refusing
async def on_payment_requires_action(store: EventStore, event: IncomingEvent, conn: Conn) -> None:
    """A top-up payment waits for 3-D Secure: the request shows the client secret."""
    waiting = event.payload_as(PaymentRequiresAction)
    if waiting.purpose != "credit_topup":
        return
    command = RecordRequiresAction(waiting.reference_id, waiting.payment_id, waiting.client_secret)
    await handlers.record_requires_action(store, command, event.metadata(), conn)


@_refusing
async def on_refund_requested(store: EventStore, event: IncomingEvent, conn: Conn) -> None:
    """A top-up refund is asked: take the payment's credit back first, or decline."""
    refund = event.payload_as(RefundRequested)
    if refund.purpose != "credit_topup":
        return
    amount = Money(refund.amount, refund.currency)
    command = ReverseCredit(refund.payment_id, amount, refund.reason)
    await handlers.reverse_credit(store, command, event.metadata(), conn)


@_refusing
async def on_invoice_debit_requested(store: EventStore, event: IncomingEvent, conn: Conn) -> None:
    """Invoicing asks for a debit: pay min(balance, amount) of the invoice, or decline."""
    asked = event.payload_as(InvoiceDebitRequested)
    command = DebitInvoice(asked.invoice_id, Money(asked.amount, asked.currency))
    await handlers.debit_invoice(store, command, event.metadata(), conn)


@_refusing
async def on_invoice_voided(store: EventStore, event: IncomingEvent, conn: Conn) -> None:
    """An invoice was voided: give back what the balance paid for it, once."""
    voided = event.payload_as(InvoiceVoided)
    command = RestoreInvoiceCredit(voided.invoice_id)
    if not await handlers.restore_invoice_credit(store, command, event.metadata(), conn):
        log.info("invoice %s: no credit to restore", voided.invoice_id)


def consumer_handlers(store: EventStore) -> Mapping[str, Handler]:
    """The handlers of the events the credits service consumes, by event type."""
    return {
        PaymentCaptured.event_type: partial(on_payment_captured, store),
        PaymentFailed.event_type: partial(on_payment_failed, store),
        PaymentRequiresAction.event_type: partial(on_payment_requires_action, store),
        RefundRequested.event_type: partial(on_refund_requested, store),
        InvoiceDebitRequested.event_type: partial(on_invoice_debit_requested, store),
        InvoiceVoided.event_type: partial(on_invoice_voided, store),
    }
