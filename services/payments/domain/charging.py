"""Charging decisions: schedule, record the attempt, settle with what Stripe said, next step.

The order of events on a payment stream is what prevents double charging:
``ChargeAttempted`` is committed before any PaymentIntent is created, so a
payment found in the ``attempted`` phase may already have one at Stripe and
must be looked up before another is created (see :func:`must_look_up_intent`).
"""

from __future__ import annotations

from enum import StrEnum

from services.payments.domain import events as ev
from services.payments.domain.charging_text import clean_code, clean_text
from services.payments.domain.errors import IntentMismatchError
from services.payments.domain.payment import OPEN_PHASES, ChargeOrder, Payment, Phase
from services.payments.domain.refunds import refund_pending
from services.payments.domain.values import Card, IntentView

NO_PAYMENT_METHOD = "no_payment_method"
NO_PAYMENT_METHOD_MESSAGE = "No card was given and the customer has no default card on file."
_FALLBACK_MESSAGES = {
    "requires_payment_method": ("payment_failed", "The payment failed."),
    "canceled": ("payment_intent_canceled", "The payment was canceled."),
}


class Step(StrEnum):
    """The next piece of work a payment needs from the worker."""

    CHARGE = "charge"
    POLL_INTENT = "poll_intent"
    SAVE_CARD = "save_card"
    REFUND = "refund"


def schedule(state: Payment, order: ChargeOrder) -> list[ev.DomainEvent]:
    """Record a payment to make; a payment that already exists is left alone."""
    if state.exists:
        return []
    return [ev.DomainEvent(ev.PAYMENT_SCHEDULED, order.to_dict())]


def record_attempt(state: Payment, payment_method_id: str) -> list[ev.DomainEvent]:
    """Record, before Stripe is called, that the card is about to be charged."""
    if state.phase is not Phase.SCHEDULED:
        return []
    return [ev.DomainEvent(ev.CHARGE_ATTEMPTED, {"payment_method_id": payment_method_id})]


def must_look_up_intent(state: Payment) -> bool:
    """Whether an earlier attempt may have created a PaymentIntent we have not recorded."""
    return state.phase is Phase.ATTEMPTED


def fail(state: Payment, code: str, message: str) -> list[ev.DomainEvent]:
    """Record that the charge failed, unless the payment is already settled."""
    if state.phase not in OPEN_PHASES:
        return []
    order = state.require_order()
    payload = {
        "payment_id": order.payment_id,
        "purpose": order.purpose,
        "reference_id": order.reference_id,
        "code": clean_code(code, "payment_failed"),
        "message": clean_text(message, "The payment failed."),
    }
    return [ev.DomainEvent(ev.PAYMENT_FAILED, payload)]


def fail_without_card(state: Payment) -> list[ev.DomainEvent]:
    """Record that there is no card to charge: none was named and no default is on file."""
    return fail(state, NO_PAYMENT_METHOD, NO_PAYMENT_METHOD_MESSAGE)


def _captured(order: ChargeOrder, card: Card) -> ev.DomainEvent:
    return ev.DomainEvent(
        ev.PAYMENT_CAPTURED,
        {
            "payment_id": order.payment_id,
            "purpose": order.purpose,
            "reference_id": order.reference_id,
            "amount": order.amount,
            "currency": order.currency,
            "card": {"brand": card.brand, "last4": card.last4},
        },
    )


def _requires_action(order: ChargeOrder, client_secret: str) -> ev.DomainEvent:
    return ev.DomainEvent(
        ev.PAYMENT_REQUIRES_ACTION,
        {
            "payment_id": order.payment_id,
            "purpose": order.purpose,
            "reference_id": order.reference_id,
            "client_secret": client_secret,
        },
    )


def _outcome(state: Payment, card: Card, intent: IntentView) -> list[ev.DomainEvent]:
    order = state.require_order()
    if intent.status == "succeeded":
        return [_captured(order, card)]
    if intent.status == "requires_action" and intent.client_secret:
        if state.phase is Phase.REQUIRES_ACTION:
            return []
        return [_requires_action(order, intent.client_secret)]
    if intent.status in _FALLBACK_MESSAGES:
        code, message = _FALLBACK_MESSAGES[intent.status]
        return fail(state, intent.error_code or code, intent.error_message or message)
    return []


def settle(state: Payment, card: Card | None, intent: IntentView) -> list[ev.DomainEvent]:
    """Record what a PaymentIntent says about the charge (after create, lookup, poll, webhook).

    The first time an intent is seen, ``IntentCreated`` records its id and the
    card. A settled payment records nothing more; an intent of another payment
    raises :class:`IntentMismatchError`.
    """
    if state.phase not in OPEN_PHASES:
        return []
    order = state.require_order()
    if intent.payment_id not in (None, order.payment_id) or intent.amount != order.amount:
        raise IntentMismatchError(f"intent {intent.intent_id} is not payment {order.payment_id}")
    recorded: list[ev.DomainEvent] = []
    if state.intent_id is None:
        if card is None:
            raise ValueError("a new intent needs the card it charged")
        recorded.append(
            ev.DomainEvent(
                ev.INTENT_CREATED, {"payment_intent_id": intent.intent_id, "card": card.to_dict()}
            )
        )
    elif state.intent_id != intent.intent_id:
        raise IntentMismatchError(f"payment {order.payment_id} has intent {state.intent_id}")
    charged = state.card or card
    if charged is None:
        raise ValueError("a settled intent needs the card it charged")
    return recorded + _outcome(state, charged, intent)


def settle_if_waiting(state: Payment, intent: IntentView) -> list[ev.DomainEvent]:
    """Settle from a webhook: only payments that wait on their intent are concerned."""
    if state.phase not in (Phase.REQUIRES_ACTION, Phase.PROCESSING):
        return []
    return settle(state, None, intent)


def complete_card_save(state: Payment) -> list[ev.DomainEvent]:
    """Record that the charged card went to the customer's payment profile."""
    if state.card_saved:
        return []
    return [ev.DomainEvent(ev.CARD_SAVE_COMPLETED, {})]


def wants_card_saved(state: Payment) -> bool:
    """Whether a captured payment still has to save its card to the profile."""
    order = state.order
    return (
        order is not None
        and state.phase is Phase.CAPTURED
        and (order.save_card or order.set_default)
        and not state.card_saved
        and state.card is not None
    )


def next_step(state: Payment) -> Step | None:
    """What the worker must do next for this payment (None: nothing)."""
    if state.phase in (Phase.SCHEDULED, Phase.ATTEMPTED):
        return Step.CHARGE
    if state.phase in (Phase.REQUIRES_ACTION, Phase.PROCESSING):
        return Step.POLL_INTENT
    if wants_card_saved(state):
        return Step.SAVE_CARD
    if refund_pending(state):
        return Step.REFUND
    return None
