"""Invoice payments: one payment per attempt, no card to charge, refunds without credits."""

from __future__ import annotations

import pytest

from services.payments.consumers import invoice_order
from services.payments.domain import charging, refunds
from services.payments.domain import events as ev
from services.payments.domain.payment import Phase, RefundStatus
from services.payments.domain.values import payment_id_for
from shared.contracts import InvoicePaymentRequested, PaymentFailed, RefundRequested

from .factories import CUSTOMER, apply, captured, scheduled


def asked(attempt: int = 1, amount: int = 4776) -> InvoicePaymentRequested:
    return InvoicePaymentRequested(
        invoice_id="inv-1", amount=amount, currency="USD", attempt=attempt
    )


def test_the_first_attempt_keeps_the_id_of_the_invoice() -> None:
    assert payment_id_for("invoice", CUSTOMER, "inv-1", 1) == payment_id_for(
        "invoice", CUSTOMER, "inv-1"
    )


def test_each_attempt_is_a_payment_of_its_own() -> None:
    ids = {payment_id_for("invoice", CUSTOMER, "inv-1", attempt) for attempt in range(1, 6)}
    assert len(ids) == 5
    assert payment_id_for("invoice", CUSTOMER, "inv-1", 2) != payment_id_for(
        "invoice", CUSTOMER, "inv-12"
    )
    with pytest.raises(ValueError, match="from 1"):
        payment_id_for("invoice", CUSTOMER, "inv-1", 0)


def test_an_invoice_order_is_one_payment_per_invoice_and_attempt() -> None:
    first = invoice_order(CUSTOMER, asked())
    assert first.payment_id == payment_id_for("invoice", CUSTOMER, "inv-1")
    assert (first.purpose, first.reference_id, first.amount) == ("invoice", "inv-1", 4776)
    assert invoice_order(CUSTOMER, asked()) == first
    second = invoice_order(CUSTOMER, asked(attempt=2))
    assert second.payment_id == payment_id_for("invoice", CUSTOMER, "inv-1", 2)
    assert second.reference_id == first.reference_id
    assert invoice_order(CUSTOMER, asked(attempt=2)) == second


def test_no_card_to_charge_fails_with_no_payment_method() -> None:
    state = scheduled(purpose="invoice", reference_id="inv-1", payment_method_id=None)
    [failed] = charging.fail_without_card(state)
    wire = PaymentFailed.model_validate(failed.payload)
    assert (wire.code, wire.purpose, wire.reference_id) == ("no_payment_method", "invoice", "inv-1")
    assert wire.message == "No card was given and the customer has no default card on file."
    assert apply(state, [failed]).phase is Phase.FAILED


def test_an_invoice_payment_refund_goes_ahead_without_credits() -> None:
    state = captured(purpose="invoice", reference_id="inv-1")
    events = refunds.request_refund(state, 1000, "duplicate")
    assert [e.type for e in events] == [ev.REFUND_REQUESTED, ev.REFUND_APPROVED]
    assert RefundRequested.model_validate(events[0].payload).purpose == "invoice"
    state = apply(state, events)
    assert state.refunds[0].status is RefundStatus.APPROVED
    assert refunds.refund_pending(state)
    assert charging.next_step(state) is charging.Step.REFUND


def test_a_top_up_refund_waits_for_credits() -> None:
    state = captured()
    [event] = refunds.request_refund(state, None, "duplicate")
    assert RefundRequested.model_validate(event.payload).purpose == "credit_topup"
    state = apply(state, [event])
    assert state.refunds[0].status is RefundStatus.REQUESTED
    assert not refunds.refund_pending(state)
