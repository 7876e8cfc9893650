"""A payment's state, rebuilt by folding its stream's events (``payment-{payment_id}``)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Any, cast

from services.payments.domain import events as ev
from services.payments.domain.values import Card, Purpose


class Phase(StrEnum):
    """Where a charge stands."""

    NEW = "new"
    SCHEDULED = "scheduled"
    ATTEMPTED = "attempted"
    PROCESSING = "processing"
    REQUIRES_ACTION = "requires_action"
    CAPTURED = "captured"
    FAILED = "failed"


OPEN_PHASES = frozenset({Phase.SCHEDULED, Phase.ATTEMPTED, Phase.PROCESSING, Phase.REQUIRES_ACTION})


class RefundStatus(StrEnum):
    """Where a refund stands: credits answers first, then Stripe pays it out."""

    REQUESTED = "requested"
    APPROVED = "approved"
    ATTEMPTED = "attempted"
    REFUNDED = "refunded"
    DECLINED = "declined"
    FAILED = "failed"


OPEN_REFUNDS = frozenset({RefundStatus.REQUESTED, RefundStatus.APPROVED, RefundStatus.ATTEMPTED})


@dataclass(frozen=True, slots=True)
class ChargeOrder:
    """What to charge, to whom, and why."""

    payment_id: str
    customer_id: str
    purpose: Purpose
    reference_id: str
    amount: int
    currency: str
    payment_method_id: str | None = None
    save_card: bool = False
    set_default: bool = False

    def to_dict(self) -> dict[str, Any]:
        """Return the order as the payload of PaymentScheduled."""
        return {
            "payment_id": self.payment_id,
            "customer_id": self.customer_id,
            "purpose": self.purpose,
            "reference_id": self.reference_id,
            "amount": self.amount,
            "currency": self.currency,
            "payment_method_id": self.payment_method_id,
            "save_card": self.save_card,
            "set_default": self.set_default,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ChargeOrder:
        """Read an order written by :meth:`to_dict`."""
        return cls(
            payment_id=str(data["payment_id"]),
            customer_id=str(data["customer_id"]),
            purpose=cast(Purpose, data["purpose"]),
            reference_id=str(data["reference_id"]),
            amount=int(data["amount"]),
            currency=str(data["currency"]),
            payment_method_id=data.get("payment_method_id"),
            save_card=bool(data.get("save_card", False)),
            set_default=bool(data.get("set_default", False)),
        )


@dataclass(frozen=True, slots=True)
class Refund:
    """One refund of a payment, numbered from 1."""

    number: int
    amount: int
    reason: str
    status: RefundStatus = RefundStatus.REQUESTED
    stripe_refund_id: str | None = None
    failure: str | None = None


@dataclass(frozen=True, slots=True)
class Payment:
    """Everything the payment's events say."""

    order: ChargeOrder | None = None
    phase: Phase = Phase.NEW
    payment_method_id: str | None = None
    card: Card | None = None
    intent_id: str | None = None
    client_secret: str | None = None
    failure_code: str | None = None
    failure_message: str | None = None
    card_saved: bool = False
    refunds: tuple[Refund, ...] = ()

    @property
    def exists(self) -> bool:
        """Tell whether the payment was ever scheduled."""
        return self.order is not None

    def require_order(self) -> ChargeOrder:
        """Return the order; the payment must exist."""
        if self.order is None:
            raise ValueError("payment does not exist")
        return self.order

    @property
    def open_refund(self) -> Refund | None:
        """The refund still under way, if any (there is at most one)."""
        return next((r for r in self.refunds if r.status in OPEN_REFUNDS), None)

    @property
    def refunded(self) -> int:
        """Amount already paid back to the card."""
        return sum(r.amount for r in self.refunds if r.status is RefundStatus.REFUNDED)

    @property
    def refundable(self) -> int:
        """Amount captured and neither refunded nor being refunded."""
        if self.phase is not Phase.CAPTURED or self.order is None:
            return 0
        committed = sum(
            r.amount for r in self.refunds if r.status in OPEN_REFUNDS | {RefundStatus.REFUNDED}
        )
        return self.order.amount - committed


def _with_open_refund(state: Payment, **changes: Any) -> Payment:
    refunds = tuple(replace(r, **changes) if r.status in OPEN_REFUNDS else r for r in state.refunds)
    return replace(state, refunds=refunds)


def _scheduled(state: Payment, p: Mapping[str, Any]) -> Payment:
    return replace(state, order=ChargeOrder.from_dict(p), phase=Phase.SCHEDULED)


def _attempted(state: Payment, p: Mapping[str, Any]) -> Payment:
    return replace(state, phase=Phase.ATTEMPTED, payment_method_id=p["payment_method_id"])


def _intent(state: Payment, p: Mapping[str, Any]) -> Payment:
    card = Card.from_dict(p["card"])
    return replace(state, phase=Phase.PROCESSING, intent_id=p["payment_intent_id"], card=card)


def _captured(state: Payment, p: Mapping[str, Any]) -> Payment:
    return replace(state, phase=Phase.CAPTURED, client_secret=None)


def _failed(state: Payment, p: Mapping[str, Any]) -> Payment:
    return replace(state, phase=Phase.FAILED, failure_code=p["code"], failure_message=p["message"])


def _requires_action(state: Payment, p: Mapping[str, Any]) -> Payment:
    return replace(state, phase=Phase.REQUIRES_ACTION, client_secret=p["client_secret"])


def _card_saved(state: Payment, p: Mapping[str, Any]) -> Payment:
    return replace(state, card_saved=True)


def _refund_requested(state: Payment, p: Mapping[str, Any]) -> Payment:
    refund = Refund(number=len(state.refunds) + 1, amount=p["amount"], reason=p["reason"])
    return replace(state, refunds=(*state.refunds, refund))


def _refund_status(status: RefundStatus) -> Callable[[Payment, Mapping[str, Any]], Payment]:
    def apply(state: Payment, p: Mapping[str, Any]) -> Payment:
        return _with_open_refund(state, status=status)

    return apply


def _stripe_refund(state: Payment, p: Mapping[str, Any]) -> Payment:
    return _with_open_refund(state, stripe_refund_id=p["stripe_refund_id"])


def _refund_failed(state: Payment, p: Mapping[str, Any]) -> Payment:
    return _with_open_refund(
        state, status=RefundStatus.FAILED, failure=f"{p['code']}: {p['message']}"
    )


_EVOLVERS: dict[str, Callable[[Payment, Mapping[str, Any]], Payment]] = {
    ev.PAYMENT_SCHEDULED: _scheduled,
    ev.CHARGE_ATTEMPTED: _attempted,
    ev.INTENT_CREATED: _intent,
    ev.PAYMENT_CAPTURED: _captured,
    ev.PAYMENT_FAILED: _failed,
    ev.PAYMENT_REQUIRES_ACTION: _requires_action,
    ev.CARD_SAVE_COMPLETED: _card_saved,
    ev.REFUND_REQUESTED: _refund_requested,
    ev.REFUND_APPROVED: _refund_status(RefundStatus.APPROVED),
    ev.REFUND_DECLINED: _refund_status(RefundStatus.DECLINED),
    ev.REFUND_ATTEMPTED: _refund_status(RefundStatus.ATTEMPTED),
    ev.STRIPE_REFUND_CREATED: _stripe_refund,
    ev.PAYMENT_REFUNDED: _refund_status(RefundStatus.REFUNDED),
    ev.REFUND_FAILED: _refund_failed,
}


def evolve_payment(state: Payment, event_type: str, payload: Mapping[str, Any]) -> Payment:
    """Return the state after one event; unknown event types change nothing."""
    apply = _EVOLVERS.get(event_type)
    return state if apply is None else apply(state, payload)


def fold_payment(events: list[tuple[str, Mapping[str, Any]]]) -> Payment:
    """Return the state after a sequence of (type, payload) events."""
    state = Payment()
    for event_type, payload in events:
        state = evolve_payment(state, event_type, payload)
    return state
