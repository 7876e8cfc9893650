"""Refund decisions: an operator asks, credits reverses the credit, then Stripe pays out.

Only one refund of a payment is under way at a time, so credits' answer
(``CreditReversed`` or ``CreditReversalDeclined``, which name the payment only)
always concerns that one. As with charges, ``RefundAttempted`` is committed
before Stripe is asked to refund, and a refund found in that phase is looked
up at Stripe before another is created.

A card payment of an invoice added no credit, so there is none to take back:
its ``RefundRequested`` (``purpose`` "invoice", which credits ignores) is
approved in the same append and the refund is paid out without waiting for
credits. Giving back what an invoice took from the balance is a void's business
(``CreditRestored``), not a refund's.
"""

from __future__ import annotations

from services.payments.domain import events as ev
from services.payments.domain.charging_text import clean_code, clean_text
from services.payments.domain.errors import NoPendingRefundError, RefundNotAllowedError
from services.payments.domain.payment import Payment, Phase, Refund, RefundStatus


def request_refund(state: Payment, amount: int | None, reason: str) -> list[ev.DomainEvent]:
    """Ask for a refund of ``amount`` (None: all that is still refundable)."""
    order = state.require_order()
    if state.phase is not Phase.CAPTURED:
        raise RefundNotAllowedError(
            f"payment is {state.phase.value}, only captured payments refund"
        )
    if state.open_refund is not None:
        raise RefundNotAllowedError("a refund of this payment is already under way")
    refundable = state.refundable
    if refundable <= 0:
        raise RefundNotAllowedError("the payment is already fully refunded")
    wanted = refundable if amount is None else amount
    if wanted <= 0:
        raise RefundNotAllowedError("the refund amount must be more than zero")
    if wanted > refundable:
        raise RefundNotAllowedError(f"at most {refundable} minor units can still be refunded")
    payload = {
        "payment_id": order.payment_id,
        "amount": wanted,
        "currency": order.currency,
        "reason": reason,
        "purpose": order.purpose,
    }
    requested = ev.DomainEvent(ev.REFUND_REQUESTED, payload)
    if order.purpose == "credit_topup":
        return [requested]
    number = len(state.refunds) + 1
    return [requested, ev.DomainEvent(ev.REFUND_APPROVED, {"number": number})]


def _answered(state: Payment, amount: int) -> Refund:
    refund = state.open_refund
    if refund is None:
        raise NoPendingRefundError(f"payment {state.require_order().payment_id} awaits no refund")
    if refund.amount != amount:
        raise NoPendingRefundError(f"the refund under way is of {refund.amount}, not {amount}")
    return refund


def approve_refund(state: Payment, amount: int) -> list[ev.DomainEvent]:
    """Credits took the credit back: the refund may now be paid out."""
    refund = _answered(state, amount)
    if refund.status is not RefundStatus.REQUESTED:
        return []
    return [ev.DomainEvent(ev.REFUND_APPROVED, {"number": refund.number})]


def decline_refund(state: Payment, amount: int, reason: str) -> list[ev.DomainEvent]:
    """Credits could not take the credit back: nothing is refunded."""
    refund = _answered(state, amount)
    if refund.status is not RefundStatus.REQUESTED:
        return []
    payload = {"number": refund.number, "reason": reason}
    return [ev.DomainEvent(ev.REFUND_DECLINED, payload)]


def refund_pending(state: Payment) -> bool:
    """Whether an approved refund still has to be paid out at Stripe."""
    refund = state.open_refund
    return refund is not None and refund.status in (RefundStatus.APPROVED, RefundStatus.ATTEMPTED)


def record_refund_attempt(state: Payment) -> list[ev.DomainEvent]:
    """Record, before Stripe is called, that the refund is about to be made."""
    refund = state.open_refund
    if refund is None or refund.status is not RefundStatus.APPROVED:
        return []
    return [ev.DomainEvent(ev.REFUND_ATTEMPTED, {"number": refund.number})]


def must_look_up_refund(state: Payment) -> bool:
    """Whether an earlier attempt may have created a Stripe refund we have not recorded."""
    refund = state.open_refund
    return refund is not None and refund.status is RefundStatus.ATTEMPTED


def complete_refund(state: Payment, stripe_refund_id: str) -> list[ev.DomainEvent]:
    """Record the Stripe refund and publish that the money went back to the card."""
    refund = state.open_refund
    if refund is None or refund.status is not RefundStatus.ATTEMPTED:
        return []
    order = state.require_order()
    return [
        ev.DomainEvent(
            ev.STRIPE_REFUND_CREATED,
            {"number": refund.number, "stripe_refund_id": stripe_refund_id},
        ),
        ev.DomainEvent(
            ev.PAYMENT_REFUNDED,
            {
                "payment_id": order.payment_id,
                "amount": refund.amount,
                "currency": order.currency,
                "reason": refund.reason,
            },
        ),
    ]


def fail_refund(state: Payment, code: str, message: str) -> list[ev.DomainEvent]:
    """Record that Stripe refused the refund (the credit stays reversed: operators act)."""
    refund = state.open_refund
    if refund is None or refund.status is not RefundStatus.ATTEMPTED:
        return []
    payload = {
        "number": refund.number,
        "code": clean_code(code, "refund_failed"),
        "message": clean_text(message, "The refund failed."),
    }
    return [ev.DomainEvent(ev.REFUND_FAILED, payload)]


def refund_key(state: Payment) -> str:
    """The idempotency key and metadata tag of the refund under way."""
    refund = state.open_refund
    if refund is None:
        raise NoPendingRefundError("no refund under way")
    return f"{state.require_order().payment_id}-refund-{refund.number}"
