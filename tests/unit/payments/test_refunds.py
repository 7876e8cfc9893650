"""Refund decisions: one at a time, within what was captured, credits answers first."""

from __future__ import annotations

import pytest

from services.payments.domain import charging, refunds
from services.payments.domain import events as ev
from services.payments.domain.errors import NoPendingRefundError, RefundNotAllowedError
from services.payments.domain.payment import Payment, RefundStatus
from shared.contracts import PaymentRefunded, RefundRequested

from .factories import apply, attempted, captured


def requested(amount: int | None = None) -> Payment:
    state = captured()
    return apply(state, refunds.request_refund(state, amount, "duplicate"))


def test_a_refund_defaults_to_everything_captured() -> None:
    state = captured()
    [event] = refunds.request_refund(state, None, "duplicate")
    wire = RefundRequested.model_validate(event.payload)
    assert (wire.amount, wire.currency, wire.reason) == (10000, "USD", "duplicate")


@pytest.mark.parametrize("amount", [0, -1, 10001])
def test_a_refund_must_be_positive_and_within_the_capture(amount: int) -> None:
    with pytest.raises(RefundNotAllowedError):
        refunds.request_refund(captured(), amount, "x")


def test_only_captured_payments_refund() -> None:
    with pytest.raises(RefundNotAllowedError):
        refunds.request_refund(attempted(), None, "x")


def test_one_refund_at_a_time() -> None:
    with pytest.raises(RefundNotAllowedError, match="already under way"):
        refunds.request_refund(requested(400), 100, "again")


def test_approved_refund_is_attempted_then_completed_once() -> None:
    state = requested(400)
    assert not refunds.refund_pending(state)
    state = apply(state, refunds.approve_refund(state, 400))
    assert refunds.refund_pending(state)
    assert charging.next_step(state) is charging.Step.REFUND
    assert refunds.approve_refund(state, 400) == []
    assert not refunds.must_look_up_refund(state)
    state = apply(state, refunds.record_refund_attempt(state))
    assert refunds.must_look_up_refund(state)
    assert refunds.record_refund_attempt(state) == []
    key = refunds.refund_key(state)
    events = refunds.complete_refund(state, "re_1")
    assert [e.type for e in events] == [ev.STRIPE_REFUND_CREATED, ev.PAYMENT_REFUNDED]
    PaymentRefunded.model_validate(events[1].payload)
    state = apply(state, events)
    assert state.refunds[0].status is RefundStatus.REFUNDED
    assert (state.refunded, state.refundable) == (400, 9600)
    assert charging.next_step(state) is None
    assert refunds.complete_refund(state, "re_1") == []
    state = apply(state, refunds.request_refund(state, None, "rest"))
    assert state.refunds[1].amount == 9600
    assert refunds.refund_key(state) != key


def test_a_declined_reversal_refunds_nothing_and_frees_the_payment() -> None:
    state = requested()
    state = apply(state, refunds.decline_refund(state, 10000, "balance too low"))
    assert state.refunds[0].status is RefundStatus.DECLINED
    assert not refunds.refund_pending(state)
    assert state.refundable == 10000


def test_an_answer_nobody_waits_for_is_refused() -> None:
    with pytest.raises(NoPendingRefundError):
        refunds.approve_refund(captured(), 100)
    with pytest.raises(NoPendingRefundError):
        refunds.approve_refund(requested(400), 500)


def test_a_refund_stripe_refuses_is_recorded_as_failed() -> None:
    state = requested()
    state = apply(state, refunds.approve_refund(state, 10000))
    state = apply(state, refunds.record_refund_attempt(state))
    state = apply(state, refunds.fail_refund(state, "charge_already_refunded", "Already."))
    assert state.refunds[0].status is RefundStatus.FAILED
    assert charging.next_step(state) is None
