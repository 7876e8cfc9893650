"""The expiry decision: only an active invoice past its due date with something left to pay."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from services.invoicing.domain import decide
from services.invoicing.domain.commands import (
    PayInvoice,
    RecordCardCapture,
    RecordCardFailure,
    RecordDebit,
    RecordDebitDeclined,
    VoidInvoice,
)
from shared.contracts import InvoiceExpired, InvoicePaid

from .conftest import issued, run, types, usd

DUE = datetime(2024, 7, 21, 3, 40, tzinfo=UTC)


def test_an_unpaid_invoice_expires_once_its_due_date_has_passed() -> None:
    invoice, _ = run(issued("10.00", due_at=DUE), decide.record_debit, RecordDebit(usd("4.00")))
    assert decide.expire(invoice, DUE - timedelta(microseconds=1)) == []
    [expired] = decide.expire(invoice, DUE)
    assert isinstance(expired, InvoiceExpired)
    assert (expired.remaining, expired.currency) == (600, "USD")
    after = decide.fold(invoice, [expired])
    assert after.status == "expired"
    assert decide.expire(after, DUE + timedelta(days=1)) == []


def test_invoices_without_due_date_paid_or_void_never_expire() -> None:
    later = DUE + timedelta(days=1)
    assert decide.expire(issued("10.00"), later) == []
    paid, _ = run(issued("10.00", due_at=DUE), decide.record_debit, RecordDebit(usd("10.00")))
    void, _ = run(issued("10.00", due_at=DUE), decide.void, VoidInvoice("x"))
    assert decide.expire(paid, later) == decide.expire(void, later) == []
    assert not paid.awaits_expiry
    assert not void.awaits_expiry


def test_an_expired_invoice_paid_later_by_card_becomes_paid() -> None:
    invoice = issued("10.00", due_at=DUE)
    invoice, _ = run(invoice, decide.record_debit_declined, RecordDebitDeclined("empty"))
    invoice, _ = run(invoice, decide.record_card_failure, RecordCardFailure("p", "no_card", "m"))
    invoice, _ = run(invoice, lambda i, _: decide.expire(i, DUE), None)
    assert invoice.status == "expired"
    invoice, events = run(invoice, decide.pay, PayInvoice("card", "pm_ok"))
    assert types(events) == ["InvoicePaymentRequested"]
    capture = RecordCardCapture("pay_2", usd("10.00"), "visa", "4242")
    invoice, events = run(invoice, decide.record_card_capture, capture)
    assert isinstance(events[-1], InvoicePaid)
    assert invoice.status == "paid"
