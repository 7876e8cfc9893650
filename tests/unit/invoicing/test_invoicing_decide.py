"""Decisions of the invoice: issue, credits first, the remainder by card, pay again, void."""

from __future__ import annotations

from dataclasses import replace

import pytest

from services.invoicing.domain import decide
from services.invoicing.domain.commands import (
    IssueInvoice,
    PayInvoice,
    RecordCardCapture,
    RecordCardFailure,
    RecordDebit,
    RecordDebitDeclined,
    VoidInvoice,
)
from services.invoicing.domain.errors import (
    InvalidField,
    InvoiceClosed,
    PaymentInProgress,
    PaymentMismatch,
    UnknownInvoice,
)
from services.invoicing.domain.state import Invoice, Line, PaymentError
from shared.contracts import InvoiceDebitRequested, InvoiceIssued, InvoicePaid
from shared.contracts import InvoicePaymentRequested as CardAsked
from shared.money import Money

from .conftest import issued, run, types, usd


def capture(amount: str, payment_id: str = "pay_1") -> RecordCardCapture:
    return RecordCardCapture(payment_id, usd(amount), "visa", "4242")


def test_issuing_asks_credits_for_the_whole_amount_in_the_same_decision() -> None:
    lines = (Line("licence", usd("590.00")), Line("support", usd("3.02")))
    events = decide.issue(Invoice("inv1"), IssueInvoice("inv1", "USD", lines))
    assert types(events) == ["InvoiceIssued", "InvoiceDebitRequested"]
    first, second = events
    assert isinstance(first, InvoiceIssued)
    assert (first.amount_due, [x.amount for x in first.lines]) == (59302, [59000, 302])
    assert isinstance(second, InvoiceDebitRequested)
    assert (second.amount, second.currency) == (59302, "USD")
    invoice = decide.fold(Invoice("inv1"), events)
    assert (invoice.status, invoice.remaining, invoice.debits_open) == ("active", usd("593.02"), 1)
    assert decide.issue(invoice, IssueInvoice("inv1", "USD", lines)) == []


def test_an_invoice_without_lines_or_below_zero_is_refused() -> None:
    with pytest.raises(InvalidField):
        decide.issue(Invoice("x"), IssueInvoice("x", "USD", ()))
    with pytest.raises(InvalidField):
        decide.issue(Invoice("x"), IssueInvoice("x", "USD", (Line("credit", usd("-1.00")),)))


def test_a_debit_covering_the_invoice_pays_it_from_credits() -> None:
    invoice, events = run(issued("7.96"), decide.record_debit, RecordDebit(usd("7.96")))
    assert types(events) == ["InvoiceCreditsApplied", "InvoicePaid"]
    paid = events[-1]
    assert isinstance(paid, InvoicePaid)
    assert (paid.paid_from_credits, paid.paid_by_card, paid.currency) == (796, 0, "USD")
    assert (invoice.status, invoice.remaining, invoice.payment_in_progress) == (
        "paid", usd("0.00"), False,
    )  # fmt: skip


def test_a_partial_debit_sends_the_remainder_to_the_default_card() -> None:
    invoice, events = run(issued("593.02"), decide.record_debit, RecordDebit(usd("92.04")))
    assert types(events) == ["InvoiceCreditsApplied", "InvoicePaymentRequested"]
    asked = events[-1]
    assert isinstance(asked, CardAsked)
    assert (asked.amount, asked.payment_method_id, asked.attempt) == (50098, None, 1)
    assert (invoice.paid_from_credits, invoice.remaining) == (usd("92.04"), usd("500.98"))
    invoice, events = run(invoice, decide.record_card_capture, capture("500.98"))
    assert types(events) == ["InvoiceCardCaptured", "InvoicePaid"]
    assert isinstance(events[-1], InvoicePaid)
    assert (events[-1].paid_from_credits, events[-1].paid_by_card) == (9204, 50098)
    assert invoice.status == "paid"


def test_a_declined_debit_sends_everything_to_the_card() -> None:
    invoice, events = run(issued("47.76"), decide.record_debit_declined, RecordDebitDeclined("0"))
    assert types(events) == ["InvoiceCreditsDeclined", "InvoicePaymentRequested"]
    assert invoice.last_payment_error == PaymentError("credits_declined", "0")
    invoice, _ = run(invoice, decide.record_card_capture, capture("47.76"))
    assert (invoice.status, invoice.paid_by_card, invoice.last_payment_error) == (
        "paid", usd("47.76"), None,
    )  # fmt: skip


def test_a_failed_card_leaves_the_invoice_active_with_its_remainder_and_reason() -> None:
    invoice, _ = run(issued("10.00"), decide.record_debit, RecordDebit(usd("4.00")))
    failure = RecordCardFailure("pay_1", "no_payment_method", "The customer has no card.")
    invoice, events = run(invoice, decide.record_card_failure, failure)
    assert types(events) == ["InvoiceCardFailed"]
    assert (invoice.status, invoice.remaining, invoice.card_pending) == ("active", usd("6"), False)
    assert invoice.last_payment_error == PaymentError("no_payment_method", failure.message)
    assert decide.record_card_failure(invoice, failure) == []


def test_paying_again_numbers_the_card_attempts_and_names_the_card() -> None:
    invoice, _ = run(issued("10.00"), decide.record_debit_declined, RecordDebitDeclined("empty"))
    invoice, _ = run(invoice, decide.record_card_failure, RecordCardFailure("p1", "declined", "no"))
    invoice, events = run(invoice, decide.pay, PayInvoice("card", "pm_good"))
    [asked] = events
    assert isinstance(asked, CardAsked)
    assert (asked.amount, asked.payment_method_id, asked.attempt) == (1000, "pm_good", 2)
    with pytest.raises(PaymentInProgress):
        decide.pay(invoice, PayInvoice("card"))
    invoice, _ = run(invoice, decide.record_card_failure, RecordCardFailure("p2", "declined", "no"))
    invoice, events = run(invoice, decide.pay, PayInvoice("card"))
    assert isinstance(events[0], CardAsked)
    assert events[0].attempt == 3


def test_paying_from_credits_asks_for_the_remainder_and_does_not_fall_back_to_the_card() -> None:
    invoice, _ = run(issued("10.00"), decide.record_debit, RecordDebit(usd("3.00")))
    invoice, _ = run(invoice, decide.record_card_failure, RecordCardFailure("p", "declined", "no"))
    invoice, events = run(invoice, decide.pay, PayInvoice("credits"))
    assert isinstance(events[0], InvoiceDebitRequested)
    assert events[0].amount == 700
    invoice, events = run(invoice, decide.record_debit, RecordDebit(usd("2.00")))
    assert types(events) == ["InvoiceCreditsApplied"]
    assert (invoice.status, invoice.remaining, invoice.paid_from_credits) == (
        "active", usd("5.00"), usd("5.00"),
    )  # fmt: skip
    with pytest.raises(InvalidField):
        decide.pay(invoice, PayInvoice("credits", "pm_x"))


def test_paid_and_void_invoices_refuse_payment() -> None:
    paid, _ = run(issued("1.99"), decide.record_debit, RecordDebit(usd("1.99")))
    void, _ = run(issued("1.99"), decide.void, VoidInvoice("cancelled"))
    for invoice in (paid, void):
        with pytest.raises(InvoiceClosed):
            decide.pay(invoice, PayInvoice("card"))


def test_voiding_is_refused_when_paid_or_while_a_card_is_charged_and_happens_once() -> None:
    paid, _ = run(issued("1.99"), decide.record_debit, RecordDebit(usd("1.99")))
    with pytest.raises(InvoiceClosed):
        decide.void(paid, VoidInvoice("no"))
    charging, _ = run(issued("5.00"), decide.record_debit_declined, RecordDebitDeclined("0"))
    with pytest.raises(PaymentInProgress):
        decide.void(charging, VoidInvoice("no"))
    partly, _ = run(issued("10.00"), decide.record_debit, RecordDebit(usd("4.00")))
    partly, _ = run(partly, decide.record_card_failure, RecordCardFailure("p", "c", "m"))
    void, events = run(partly, decide.void, VoidInvoice("cancelled"))
    assert types(events) == ["InvoiceVoided"]
    assert (void.status, void.paid_from_credits) == ("void", usd("4.00"))
    assert decide.void(void, VoidInvoice("again")) == []


def test_answers_after_a_void_are_recorded_without_paying_or_charging() -> None:
    void, _ = run(issued("10.00"), decide.void, VoidInvoice("cancelled"))
    void, events = run(void, decide.record_debit, RecordDebit(usd("4.00")))
    assert types(events) == ["InvoiceCreditsApplied"]
    assert (void.status, void.paid_from_credits) == ("void", usd("4.00"))


def test_unknown_invoices_and_other_customers_invoices_are_refused() -> None:
    with pytest.raises(UnknownInvoice, match="nope"):
        decide.record_debit(Invoice("nope"), RecordDebit(usd("1.00")))
    owned = replace(issued("1.00"), customer_id="cus-b")
    assert decide.known(owned, "cus-b") is owned
    with pytest.raises(UnknownInvoice):
        decide.known(owned, "cus-a")


def test_payments_that_do_not_fit_are_refused() -> None:
    invoice = issued("10.00")
    with pytest.raises(PaymentMismatch, match="more than"):
        decide.record_debit(invoice, RecordDebit(usd("10.01")))
    with pytest.raises(PaymentMismatch, match="EUR"):
        decide.record_debit(invoice, RecordDebit(Money.parse("1.00", "EUR")))
    invoice, _ = run(invoice, decide.record_debit_declined, RecordDebitDeclined("0"))
    with pytest.raises(PaymentMismatch):
        decide.record_card_capture(invoice, capture("10.01"))


def test_a_capture_is_recorded_once_per_payment() -> None:
    invoice, _ = run(issued("10.00"), decide.record_debit, RecordDebit(usd("6.00")))
    invoice, _ = run(invoice, decide.record_card_capture, capture("4.00", "pay_a"))
    assert decide.record_card_capture(invoice, capture("4.00", "pay_a")) == []


def test_a_declined_debit_without_an_open_debit_changes_nothing() -> None:
    invoice, _ = run(issued("10.00"), decide.record_debit_declined, RecordDebitDeclined("0"))
    assert decide.record_debit_declined(invoice, RecordDebitDeclined("again")) == []
