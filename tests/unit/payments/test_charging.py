"""Charging decisions: once scheduled, attempted before Stripe, settled once, next steps."""

from __future__ import annotations

import pytest

from services.payments.domain import charging
from services.payments.domain import events as ev
from services.payments.domain.errors import IntentMismatchError
from services.payments.domain.payment import Payment, Phase
from services.payments.domain.values import payment_id_for
from shared.contracts import PaymentCaptured, PaymentFailed, PaymentRequiresAction

from .factories import CARD, PAYMENT_ID, apply, attempted, captured, intent, order, scheduled


def test_payment_ids_are_deterministic_per_purpose_customer_and_reference() -> None:
    first = payment_id_for("credit_topup", "cus-1", "req-1")
    assert first == payment_id_for("credit_topup", "cus-1", "req-1")
    assert first != payment_id_for("invoice", "cus-1", "req-1")
    assert first != payment_id_for("credit_topup", "cus-2", "req-1")
    assert len(first) == 32


def test_a_payment_is_scheduled_once() -> None:
    state = scheduled()
    assert state.phase is Phase.SCHEDULED
    assert charging.schedule(state, order(amount=1)) == []


def test_the_attempt_is_recorded_once_and_then_the_intent_must_be_looked_up() -> None:
    state = scheduled()
    assert not charging.must_look_up_intent(state)
    [attempt] = charging.record_attempt(state, "pm_visa")
    assert attempt.type == ev.CHARGE_ATTEMPTED
    state = apply(state, [attempt])
    assert charging.must_look_up_intent(state)
    assert charging.record_attempt(state, "pm_visa") == []
    assert state.payment_method_id == "pm_visa"


def test_a_succeeded_intent_captures_with_the_card_and_records_the_intent() -> None:
    state = attempted()
    events = charging.settle(state, CARD, intent("succeeded"))
    assert [e.type for e in events] == [ev.INTENT_CREATED, ev.PAYMENT_CAPTURED]
    wire = PaymentCaptured.model_validate(events[1].payload)
    assert (wire.reference_id, wire.amount, wire.card.last4) == ("req-1", 10000, "4242")
    state = apply(state, events)
    assert (state.phase, state.intent_id, state.card) == (Phase.CAPTURED, "pi_1", CARD)


def test_a_settled_payment_records_nothing_more() -> None:
    state = captured()
    assert charging.settle(state, CARD, intent("succeeded")) == []
    assert charging.fail(state, "card_declined", "no") == []
    assert charging.settle_if_waiting(state, intent("succeeded")) == []


def test_requires_action_then_the_webhook_settles_it_once() -> None:
    state = attempted()
    events = charging.settle(state, CARD, intent("requires_action"))
    assert [e.type for e in events] == [ev.INTENT_CREATED, ev.PAYMENT_REQUIRES_ACTION]
    PaymentRequiresAction.model_validate(events[1].payload)
    state = apply(state, events)
    assert state.phase is Phase.REQUIRES_ACTION
    assert charging.settle_if_waiting(state, intent("requires_action")) == []
    done = charging.settle_if_waiting(state, intent("succeeded"))
    assert [e.type for e in done] == [ev.PAYMENT_CAPTURED]
    state = apply(state, done)
    assert charging.settle_if_waiting(state, intent("succeeded")) == []


def test_a_webhook_does_not_settle_a_payment_that_is_not_waiting() -> None:
    assert charging.settle_if_waiting(attempted(), intent("succeeded")) == []


def test_a_failed_authentication_fails_with_stripes_code() -> None:
    state = apply(attempted(), charging.settle(attempted(), CARD, intent("requires_action")))
    failed = intent(
        "requires_payment_method",
        error_code="payment_intent_authentication_failure",
        error_message="The provided PaymentMethod has failed authentication.",
    )
    [event] = charging.settle(state, None, failed)
    wire = PaymentFailed.model_validate(event.payload)
    assert wire.code == "payment_intent_authentication_failure"
    assert apply(state, [event]).phase is Phase.FAILED


def test_an_intent_of_another_payment_or_amount_is_refused() -> None:
    with pytest.raises(IntentMismatchError):
        charging.settle(attempted(), CARD, intent("succeeded", payment_id="other"))
    with pytest.raises(IntentMismatchError):
        charging.settle(attempted(), CARD, intent("succeeded", amount=1))
    waiting = apply(attempted(), charging.settle(attempted(), CARD, intent("requires_action")))
    with pytest.raises(IntentMismatchError):
        charging.settle(waiting, None, intent("succeeded", intent_id="pi_other"))


def test_a_processing_intent_is_recorded_and_polled() -> None:
    state = apply(attempted(), charging.settle(attempted(), CARD, intent("processing")))
    assert state.phase is Phase.PROCESSING
    assert charging.next_step(state) is charging.Step.POLL_INTENT


def test_failures_carry_text_fit_for_the_contract() -> None:
    [event] = charging.fail(scheduled(), "card declined!", "bad\ncard" + "x" * 300)
    wire = PaymentFailed.model_validate(event.payload)
    assert wire.code == "carddeclined"
    assert "\n" not in wire.message
    assert len(wire.message) == 255
    [empty] = charging.fail(scheduled(), "", "")
    assert (empty.payload["code"], empty.payload["message"]) == (
        "payment_failed",
        "The payment failed.",
    )


@pytest.mark.parametrize(
    ("state", "step"),
    [
        (Payment(), None),
        (scheduled(), charging.Step.CHARGE),
        (attempted(), charging.Step.CHARGE),
        (captured(), None),
        (captured(save_card=True), charging.Step.SAVE_CARD),
        (captured(set_default=True), charging.Step.SAVE_CARD),
    ],
)
def test_next_step(state: Payment, step: charging.Step | None) -> None:
    assert charging.next_step(state) is step


def test_the_card_is_saved_once() -> None:
    state = captured(save_card=True)
    state = apply(state, charging.complete_card_save(state))
    assert charging.next_step(state) is None
    assert charging.complete_card_save(state) == []


def test_a_failed_payment_needs_nothing_more() -> None:
    state = apply(scheduled(), charging.fail(scheduled(), "no_payment_method", "no card"))
    assert state.phase is Phase.FAILED
    assert charging.next_step(state) is None
    assert state.failure_code == "no_payment_method"
    assert state.require_order().payment_id == PAYMENT_ID
