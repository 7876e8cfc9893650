"""Random answers from credits and payments: an invoice is never paid more than it is due."""

from __future__ import annotations

import random

import pytest

from services.invoicing.domain import decide
from services.invoicing.domain.commands import (
    PayInvoice,
    RecordCardCapture,
    RecordCardFailure,
    RecordDebit,
    RecordDebitDeclined,
    VoidInvoice,
)
from services.invoicing.domain.errors import InvoicingError
from services.invoicing.domain.events import CardCaptured, CreditsApplied, InvoiceEvent
from services.invoicing.domain.state import Invoice
from shared.contracts import InvoiceDebitRequested, InvoicePaid, InvoicePaymentRequested
from shared.money import Money

from .conftest import issued


def _answer(rng: random.Random, invoice: Invoice, step: int) -> list[InvoiceEvent]:
    """What credits or payments might answer now, as the services behave (or not)."""
    roll = rng.random()
    left = invoice.remaining.minor
    if roll < 0.25 and invoice.debits_open:
        amount = rng.randint(0, left)
        if amount == 0:
            return decide.record_debit_declined(invoice, RecordDebitDeclined("empty"))
        return decide.record_debit(invoice, RecordDebit(Money(amount, "USD")))
    if roll < 0.45 and invoice.card_pending:
        if rng.random() < 0.5:
            return decide.record_card_failure(invoice, RecordCardFailure(f"p{step}", "no", "no"))
        capture = RecordCardCapture(f"p{step}", Money(left, "USD"), "visa", "4242")
        return decide.record_card_capture(invoice, capture) if left else []
    if roll < 0.75:
        method = rng.choice(["card", "credits"])
        return decide.pay(invoice, PayInvoice(method))  # type: ignore[arg-type]
    if roll < 0.8:
        return decide.void(invoice, VoidInvoice("random"))
    # a stray answer: more than is left, or nothing asked
    return decide.record_debit(invoice, RecordDebit(Money(left + rng.randint(1, 500), "USD")))


@pytest.mark.parametrize("seed", range(30))
def test_never_over_paid_paid_once_and_the_remainder_adds_up(seed: int) -> None:
    rng = random.Random(seed)
    invoice = issued(f"{rng.randint(1, 500)}.{rng.randint(0, 99):02d}")
    log: list[InvoiceEvent] = []
    for step in range(200):
        try:
            events = _answer(rng, invoice, step)
        except InvoicingError:
            continue
        invoice = decide.fold(invoice, events)
        log += events
        assert invoice.paid <= invoice.amount_due
        assert not (invoice.debits_open and invoice.card_pending)
    credits = sum(e.amount for e in log if isinstance(e, CreditsApplied))
    cards = sum(e.amount for e in log if isinstance(e, CardCaptured))
    assert (credits, cards) == (invoice.paid_from_credits.minor, invoice.paid_by_card.minor)
    assert invoice.remaining == invoice.amount_due - invoice.paid
    paid = [e for e in log if isinstance(e, InvoicePaid)]
    assert len(paid) == (invoice.status == "paid")
    if paid:
        assert paid[0].paid_from_credits + paid[0].paid_by_card == invoice.amount_due.minor
    requested = [e for e in log if isinstance(e, InvoiceDebitRequested | InvoicePaymentRequested)]
    assert all(e.amount > 0 for e in requested)
