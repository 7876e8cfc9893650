"""Kafka side of the invoicing service: credits' and payments' answers become invoice commands.

Debits (``InvoiceDebited``, ``InvoiceDebitDeclined``) and the results of invoice
payments (``PaymentCaptured`` / ``PaymentFailed`` with purpose ``invoice``, whose
``reference_id`` is the invoice id) are recorded on the invoice; top-up payments
and every other event are not the invoice's business. A message the invoice
refuses (an unknown invoice, a payment that does not fit it) is dead-lettered
with the reason.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from functools import partial

from shared.contracts import InvoiceDebitDeclined, InvoiceDebited, PaymentCaptured, PaymentFailed
from shared.database import Conn
from shared.eventstore import EventStore
from shared.messaging.consumer import Handler, IncomingEvent, refusing
from shared.money import Money

from . import handlers
from .domain.commands import RecordCardCapture, RecordCardFailure, RecordDebit, RecordDebitDeclined
from .domain.errors import MessageRefused

StoreHandler = Callable[[EventStore, IncomingEvent, Conn], Awaitable[None]]


_refusing = refusing(MessageRefused)
"""Turn the invoice's refusal of a message into a dead letter with its reason."""


@_refusing
async def on_invoice_debited(store: EventStore, event: IncomingEvent, conn: Conn) -> None:
    """Credits paid (part of) an invoice."""
    debit = event.payload_as(InvoiceDebited)
    command = RecordDebit(Money(debit.amount, debit.currency))
    await handlers.record_debit(store, debit.invoice_id, command, event.metadata(), conn)


@_refusing
async def on_invoice_debit_declined(store: EventStore, event: IncomingEvent, conn: Conn) -> None:
    """Credits paid nothing of an invoice."""
    declined = event.payload_as(InvoiceDebitDeclined)
    command = RecordDebitDeclined(declined.reason)
    await handlers.record_debit_declined(
        store, declined.invoice_id, command, event.metadata(), conn
    )


@_refusing
async def on_payment_captured(store: EventStore, event: IncomingEvent, conn: Conn) -> None:
    """A card paid an invoice's remainder."""
    paid = event.payload_as(PaymentCaptured)
    if paid.purpose != "invoice":
        return
    amount = Money(paid.amount, paid.currency)
    command = RecordCardCapture(paid.payment_id, amount, paid.card.brand, paid.card.last4)
    await handlers.record_card_capture(store, paid.reference_id, command, event.metadata(), conn)


@_refusing
async def on_payment_failed(store: EventStore, event: IncomingEvent, conn: Conn) -> None:
    """A card payment of an invoice failed: the invoice keeps its remainder and the reason."""
    failed = event.payload_as(PaymentFailed)
    if failed.purpose != "invoice":
        return
    command = RecordCardFailure(failed.payment_id, failed.code, failed.message)
    await handlers.record_card_failure(store, failed.reference_id, command, event.metadata(), conn)


def consumer_handlers(store: EventStore) -> Mapping[str, Handler]:
    """The handlers of the events the invoicing service consumes, by event type."""
    return {
        InvoiceDebited.event_type: partial(on_invoice_debited, store),
        InvoiceDebitDeclined.event_type: partial(on_invoice_debit_declined, store),
        PaymentCaptured.event_type: partial(on_payment_captured, store),
        PaymentFailed.event_type: partial(on_payment_failed, store),
    }
