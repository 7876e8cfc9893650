"""Builders of payments domain states for the unit tests."""

from __future__ import annotations

from collections.abc import Sequence

from services.payments.domain import charging
from services.payments.domain.events import DomainEvent
from services.payments.domain.payment import ChargeOrder, Payment, evolve_payment
from services.payments.domain.values import Card, IntentView, payment_id_for

CUSTOMER = "cus-1"
REQUEST = "req-1"
PAYMENT_ID = payment_id_for("credit_topup", CUSTOMER, REQUEST)
CARD = Card("pm_visa", "visa", "4242", 12, 2030)


def order(**changes: object) -> ChargeOrder:
    fields: dict[str, object] = {
        "payment_id": PAYMENT_ID,
        "customer_id": CUSTOMER,
        "purpose": "credit_topup",
        "reference_id": REQUEST,
        "amount": 10000,
        "currency": "USD",
        "payment_method_id": "pm_visa",
    }
    fields.update(changes)
    return ChargeOrder(**fields)  # type: ignore[arg-type]


def apply(state: Payment, events: Sequence[DomainEvent]) -> Payment:
    for event in events:
        state = evolve_payment(state, event.type, event.payload)
    return state


def intent(status: str, **changes: object) -> IntentView:
    fields: dict[str, object] = {
        "intent_id": "pi_1",
        "status": status,
        "amount": 10000,
        "payment_id": PAYMENT_ID,
        "client_secret": "pi_1_secret_x" if status == "requires_action" else None,
    }
    fields.update(changes)
    return IntentView(**fields)  # type: ignore[arg-type]


def scheduled(**changes: object) -> Payment:
    return apply(Payment(), charging.schedule(Payment(), order(**changes)))


def attempted(**changes: object) -> Payment:
    state = scheduled(**changes)
    return apply(state, charging.record_attempt(state, "pm_visa"))


def captured(**changes: object) -> Payment:
    state = attempted(**changes)
    return apply(state, charging.settle(state, CARD, intent("succeeded")))
