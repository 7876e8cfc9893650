"""Decisions of the invoice: from its state and a command to the events to append.

Each function is pure: it reads the invoice, raises a domain error for a command
it refuses, and returns the events to append (an empty list when the command
has had its effect already, so a repeated command changes nothing).

The saga of an issued invoice: credits is asked to debit the whole amount; its
answer is recorded, and what it leaves unpaid goes to the default card. Later
payments (``pay``) ask for exactly one thing at a time, so credits and a card
never pay the same remainder twice: an invoice is never paid more than it is due.
"""

from __future__ import annotations

from datetime import datetime

from shared.contracts import (
    CardSummary,
    InvoiceDebitRequested,
    InvoiceExpired,
    InvoiceIssued,
    InvoiceLine,
    InvoicePaid,
    InvoicePaymentRequested,
    InvoiceVoided,
)
from shared.money import Money

from .commands import (
    IssueInvoice,
    PayInvoice,
    RecordCardCapture,
    RecordCardFailure,
    RecordDebit,
    RecordDebitDeclined,
    VoidInvoice,
)
from .errors import InvalidField, InvoiceClosed, PaymentInProgress, PaymentMismatch, UnknownInvoice
from .events import CardCaptured, CardFailed, CreditsApplied, CreditsDeclined, InvoiceEvent
from .evolve import evolve
from .state import Invoice


def fold(invoice: Invoice, events: list[InvoiceEvent]) -> Invoice:
    """The invoice after ``events``."""
    for event in events:
        invoice = evolve(invoice, event)
    return invoice


def known(invoice: Invoice, customer_id: str | None = None) -> Invoice:
    """The invoice, when it exists (and belongs to ``customer_id`` when one is given)."""
    if not invoice.issued or (customer_id is not None and invoice.customer_id != customer_id):
        raise UnknownInvoice(f"no invoice {invoice.invoice_id!r} for this customer")
    return invoice


def _fits(invoice: Invoice, amount: Money, what: str) -> None:
    if amount.currency != invoice.currency:
        raise PaymentMismatch(f"{what} is in {amount.currency}, the invoice in {invoice.currency}")
    if amount > invoice.remaining:
        raise PaymentMismatch(f"{what} of {amount} is more than the {invoice.remaining} left")


def _card_payment(invoice: Invoice, payment_method_id: str | None) -> InvoicePaymentRequested:
    return InvoicePaymentRequested(
        invoice_id=invoice.invoice_id, amount=invoice.remaining.minor,
        currency=invoice.currency, payment_method_id=payment_method_id,
        attempt=invoice.card_attempts + 1,
    )  # fmt: skip


def _then(invoice: Invoice, recorded: list[InvoiceEvent], *, card: bool) -> list[InvoiceEvent]:
    """``recorded``, then InvoicePaid when nothing is left, or the remainder to the card."""
    after = fold(invoice, recorded)
    if not after.is_open:
        return recorded
    if after.remaining.is_zero():
        paid = InvoicePaid(
            invoice_id=after.invoice_id, paid_from_credits=after.paid_from_credits.minor,
            paid_by_card=after.paid_by_card.minor, currency=after.currency,
        )  # fmt: skip
        return [*recorded, paid]
    if card and not after.payment_in_progress:
        return [*recorded, _card_payment(after, None)]
    return recorded


def issue(invoice: Invoice, command: IssueInvoice) -> list[InvoiceEvent]:
    """Issue the invoice and ask credits to pay it; an invoice id is issued once."""
    if invoice.issued:
        return []
    if not command.lines:
        raise InvalidField("lines", "an invoice has at least one line")
    total = Money.zero(command.currency)
    for line in command.lines:
        total += line.amount
    if total.is_negative():
        raise InvalidField("lines", "the lines must add up to zero or more")
    lines = [InvoiceLine(description=x.description, amount=x.amount.minor) for x in command.lines]
    issued = InvoiceIssued(
        invoice_id=command.invoice_id, amount_due=total.minor, currency=command.currency,
        lines=lines, due_at=command.due_at,
    )  # fmt: skip
    debit = InvoiceDebitRequested(
        invoice_id=command.invoice_id, amount=total.minor, currency=command.currency
    )
    return [issued, debit] if total.is_positive() else _then(invoice, [issued], card=False)


def record_debit(invoice: Invoice, command: RecordDebit) -> list[InvoiceEvent]:
    """Record what credits paid; settle the invoice or send the remainder to the card."""
    known(invoice)
    _fits(invoice, command.amount, "debit")
    applied = CreditsApplied(
        invoice_id=invoice.invoice_id, amount=command.amount.minor,
        currency=command.amount.currency,
    )  # fmt: skip
    return _then(invoice, [applied], card=invoice.card_follows_debit)


def record_debit_declined(invoice: Invoice, command: RecordDebitDeclined) -> list[InvoiceEvent]:
    """Record that credits paid nothing; after the first debit, the card is asked instead."""
    known(invoice)
    if invoice.debits_open == 0:
        return []
    declined = CreditsDeclined(invoice_id=invoice.invoice_id, reason=command.reason)
    return _then(invoice, [declined], card=invoice.card_follows_debit)


def record_card_capture(invoice: Invoice, command: RecordCardCapture) -> list[InvoiceEvent]:
    """Record what a card paid (once per payment); settle the invoice when nothing is left."""
    known(invoice)
    if command.payment_id in invoice.captured_payments:
        return []
    _fits(invoice, command.amount, f"payment {command.payment_id}")
    captured = CardCaptured(
        invoice_id=invoice.invoice_id, payment_id=command.payment_id,
        amount=command.amount.minor, currency=command.amount.currency,
        card=CardSummary(brand=command.brand, last4=command.last4),
    )  # fmt: skip
    return _then(invoice, [captured], card=False)


def record_card_failure(invoice: Invoice, command: RecordCardFailure) -> list[InvoiceEvent]:
    """Record a failed card payment: the invoice stays as it is, with the reason."""
    known(invoice)
    if not invoice.card_pending:
        return []
    return [
        CardFailed(
            invoice_id=invoice.invoice_id, payment_id=command.payment_id,
            code=command.code, message=command.message,
        )
    ]  # fmt: skip


def pay(invoice: Invoice, command: PayInvoice) -> list[InvoiceEvent]:
    """Ask for the remainder of an active or expired invoice: by card, or from the credits."""
    known(invoice)
    if not invoice.is_open or invoice.remaining.is_zero():
        raise InvoiceClosed(f"invoice {invoice.invoice_id} is {invoice.status}: nothing to pay")
    if invoice.payment_in_progress:
        raise PaymentInProgress(
            f"a payment of invoice {invoice.invoice_id} is under way; retry once it settles"
        )
    if command.method == "card":
        return [_card_payment(invoice, command.payment_method_id)]
    if command.payment_method_id is not None:
        raise InvalidField("payment_method_id", "a card is named only with method 'card'")
    return [
        InvoiceDebitRequested(
            invoice_id=invoice.invoice_id, amount=invoice.remaining.minor,
            currency=invoice.currency,
        )
    ]  # fmt: skip


def void(invoice: Invoice, command: VoidInvoice) -> list[InvoiceEvent]:
    """Void an unpaid invoice; voiding a void invoice again changes nothing."""
    known(invoice)
    if invoice.status == "void":
        return []
    if invoice.status == "paid":
        raise InvoiceClosed(f"invoice {invoice.invoice_id} is paid and cannot be voided")
    if invoice.card_pending:
        raise PaymentInProgress(
            f"a card payment of invoice {invoice.invoice_id} is under way; void once it settles"
        )
    return [InvoiceVoided(invoice_id=invoice.invoice_id, reason=command.reason)]


def expire(invoice: Invoice, now: datetime) -> list[InvoiceEvent]:
    """Expire an active invoice whose due date has passed with something left to pay."""
    if not invoice.awaits_expiry or invoice.due_at is None or invoice.due_at > now:
        return []
    return [
        InvoiceExpired(
            invoice_id=invoice.invoice_id, remaining=invoice.remaining.minor,
            currency=invoice.currency,
        )
    ]  # fmt: skip
