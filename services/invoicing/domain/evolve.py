"""How events change an invoice: amounts paid, status, and the payments under way."""

from __future__ import annotations

from dataclasses import replace
from functools import singledispatch

from shared.contracts import (
    InvoiceDebitRequested,
    InvoiceExpired,
    InvoiceIssued,
    InvoicePaid,
    InvoicePaymentRequested,
    InvoiceVoided,
)
from shared.money import Money

from .events import CardCaptured, CardFailed, CreditsApplied, CreditsDeclined, InvoiceEvent
from .state import Invoice, Line, PaymentError


def evolve(invoice: Invoice, event: InvoiceEvent) -> Invoice:
    """The invoice after ``event`` (an event it does not know changes nothing)."""
    return _apply(event, invoice)


@singledispatch
def _apply(event: InvoiceEvent, invoice: Invoice) -> Invoice:
    return invoice


@_apply.register
def _issued(event: InvoiceIssued, invoice: Invoice) -> Invoice:
    zero = Money.zero(event.currency)
    lines = tuple(
        Line(line.description, Money(line.amount, event.currency)) for line in event.lines
    )
    return replace(
        invoice, invoice_id=event.invoice_id, status="active", lines=lines, due_at=event.due_at,
        amount_due=Money(event.amount_due, event.currency), paid_from_credits=zero,
        paid_by_card=zero, card_follows_debit=True,
    )  # fmt: skip


@_apply.register
def _debit_requested(event: InvoiceDebitRequested, invoice: Invoice) -> Invoice:
    return replace(invoice, debits_open=invoice.debits_open + 1)


@_apply.register
def _credits_applied(event: CreditsApplied, invoice: Invoice) -> Invoice:
    paid = invoice.paid_from_credits + Money(event.amount, event.currency)
    return replace(
        invoice, paid_from_credits=paid, debits_open=max(0, invoice.debits_open - 1),
        card_follows_debit=False,
    )  # fmt: skip


@_apply.register
def _credits_declined(event: CreditsDeclined, invoice: Invoice) -> Invoice:
    return replace(
        invoice, debits_open=max(0, invoice.debits_open - 1), card_follows_debit=False,
        last_payment_error=PaymentError("credits_declined", event.reason),
    )  # fmt: skip


@_apply.register
def _payment_requested(event: InvoicePaymentRequested, invoice: Invoice) -> Invoice:
    return replace(invoice, card_pending=True, card_attempts=event.attempt)


@_apply.register
def _card_captured(event: CardCaptured, invoice: Invoice) -> Invoice:
    return replace(
        invoice, paid_by_card=invoice.paid_by_card + Money(event.amount, event.currency),
        card_pending=False, captured_payments=invoice.captured_payments | {event.payment_id},
    )  # fmt: skip


@_apply.register
def _card_failed(event: CardFailed, invoice: Invoice) -> Invoice:
    error = PaymentError(event.code, event.message)
    return replace(invoice, card_pending=False, last_payment_error=error)


@_apply.register
def _paid(event: InvoicePaid, invoice: Invoice) -> Invoice:
    return replace(invoice, status="paid", last_payment_error=None)


@_apply.register
def _expired(event: InvoiceExpired, invoice: Invoice) -> Invoice:
    return replace(invoice, status="expired")


@_apply.register
def _voided(event: InvoiceVoided, invoice: Invoice) -> Invoice:
    return replace(invoice, status="void")
