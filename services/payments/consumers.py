"""Kafka handlers: turn credits' and invoicing's events into payment use cases.

Each runs in the inbox transaction of its message (``shared.messaging``) and
calls no external service: charges and refunds are left to the worker.
"""

from __future__ import annotations

from typing import cast

from services.payments import handlers
from services.payments.domain import refunds
from services.payments.domain.errors import NoPendingRefundError, PaymentNotFoundError
from services.payments.domain.events import DomainEvent
from services.payments.domain.payment import ChargeOrder, Payment
from services.payments.domain.values import payment_id_for
from services.payments.repository import Streams
from shared.contracts import (
    CreditRequested,
    CreditReversalDeclined,
    CreditReversed,
    InvoicePaymentRequested,
)
from shared.database import Conn
from shared.messaging.consumer import Handler, IncomingEvent, RejectedMessage


def top_up_order(customer_id: str, request: CreditRequested) -> ChargeOrder:
    """The charge a top-up request asks for."""
    return ChargeOrder(
        payment_id=payment_id_for("credit_topup", customer_id, request.request_id),
        customer_id=customer_id,
        purpose="credit_topup",
        reference_id=request.request_id,
        amount=request.amount,
        currency=request.currency,
        payment_method_id=request.payment_method_id,
        save_card=request.save_card,
        set_default=request.set_default,
    )


def invoice_order(customer_id: str, request: InvoicePaymentRequested) -> ChargeOrder:
    """The charge an invoice asks for: one card payment per invoice and attempt."""
    return ChargeOrder(
        payment_id=payment_id_for("invoice", customer_id, request.invoice_id, request.attempt),
        customer_id=customer_id,
        purpose="invoice",
        reference_id=request.invoice_id,
        amount=request.amount,
        currency=request.currency,
        payment_method_id=request.payment_method_id,
    )


def consumer_handlers(payments: Streams[Payment]) -> dict[str, Handler]:
    """The handlers of the events payments consumes, by event type."""

    async def charge(event: IncomingEvent, conn: Conn, order: ChargeOrder) -> None:
        envelope = event.envelope
        await handlers.schedule_payment(
            payments, conn, order, envelope.correlation_id, envelope.event_id
        )

    async def on_credit_requested(event: IncomingEvent, conn: Conn) -> None:
        request = cast(CreditRequested, event.payload)
        await charge(event, conn, top_up_order(event.envelope.customer_id, request))

    async def on_invoice_payment_requested(event: IncomingEvent, conn: Conn) -> None:
        request = cast(InvoicePaymentRequested, event.payload)
        await charge(event, conn, invoice_order(event.envelope.customer_id, request))

    async def on_credit_reversed(event: IncomingEvent, conn: Conn) -> None:
        answer = cast(CreditReversed, event.payload)
        await _answer(payments, event, conn, answer.payment_id, answer.amount, None)

    async def on_credit_reversal_declined(event: IncomingEvent, conn: Conn) -> None:
        answer = cast(CreditReversalDeclined, event.payload)
        await _answer(payments, event, conn, answer.payment_id, answer.amount, answer.reason)

    return {
        "CreditRequested": on_credit_requested,
        "InvoicePaymentRequested": on_invoice_payment_requested,
        "CreditReversed": on_credit_reversed,
        "CreditReversalDeclined": on_credit_reversal_declined,
    }


async def _answer(
    payments: Streams[Payment],
    event: IncomingEvent,
    conn: Conn,
    payment_id: str,
    amount: int,
    declined_because: str | None,
) -> None:
    def decide(state: Payment) -> list[DomainEvent]:
        if declined_because is None:
            return refunds.approve_refund(state, amount)
        return refunds.decline_refund(state, amount, declined_because)

    try:
        await handlers.answer_refund(
            payments, conn, event.envelope.customer_id, payment_id, decide, event.envelope.event_id
        )
    except PaymentNotFoundError as exc:
        raise RejectedMessage("unknown_payment", str(exc)) from None
    except NoPendingRefundError as exc:
        raise RejectedMessage("no_pending_refund", str(exc)) from None
