"""Errors the payments domain raises when a command cannot be carried out."""

from __future__ import annotations


class PaymentsError(Exception):
    """Base class of the domain's refusals."""


class PaymentNotFoundError(PaymentsError):
    """No payment has this id."""

    def __init__(self, payment_id: str) -> None:
        super().__init__(f"payment {payment_id} not found")
        self.payment_id = payment_id


class CardNotSavedError(PaymentsError):
    """The card is not among the customer's saved cards."""

    def __init__(self, payment_method_id: str) -> None:
        super().__init__(f"payment method {payment_method_id} is not saved for this customer")
        self.payment_method_id = payment_method_id


class RefundNotAllowedError(PaymentsError):
    """The payment cannot be refunded (now, or by that amount)."""


class NoPendingRefundError(PaymentsError):
    """Credits answered a refund that payments is not waiting for."""


class IntentMismatchError(PaymentsError):
    """A Stripe PaymentIntent does not belong to this payment."""
