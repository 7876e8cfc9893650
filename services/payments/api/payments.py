"""Payments as operators see them: status, and refunds (a top-up's refund waits for credits)."""

from __future__ import annotations

from fastapi import APIRouter, status

from services.payments import handlers
from services.payments.api.deps import Components, PaymentIdPath
from services.payments.api.schemas import PaymentOut, RefundIn, RefundOut, refund_out
from services.payments.domain.errors import PaymentNotFoundError
from shared.auth import OperatorPrincipal

router = APIRouter(prefix="/v1/payments", tags=["payments"])


@router.get("/{payment_id}")
async def get_payment(
    payment_id: PaymentIdPath, _: OperatorPrincipal, parts: Components
) -> PaymentOut:
    """The payment's status, card, failure and refunds."""
    state = (await parts.payments.load(payment_id)).state
    if not state.exists:
        raise PaymentNotFoundError(payment_id)
    return PaymentOut.of(state)


@router.post("/{payment_id}/refund", status_code=status.HTTP_202_ACCEPTED)
async def refund_payment(
    payment_id: PaymentIdPath, body: RefundIn, _: OperatorPrincipal, parts: Components
) -> RefundOut:
    """Ask for a refund: a top-up's waits for credits to reverse the credit, an invoice's not."""
    state = await handlers.request_refund(
        parts.pool, parts.payments, payment_id, body.amount, body.reason
    )
    refund = state.open_refund
    assert refund is not None
    return refund_out(state, refund)
