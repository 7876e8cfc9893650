"""Request and response bodies of the payments API; bodies carrying raw card data are refused."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, StrictBool, StringConstraints

from services.payments.domain.payment import Payment, Refund
from services.payments.domain.profile import Profile
from services.payments.domain.values import Card
from shared.card_data import StrictBody
from shared.contracts import NonEmptyText255
from shared.money import DecimalAmount, Money

PaymentMethodId = Annotated[str, StringConstraints(strict=True, pattern=r"^pm_[A-Za-z0-9_]{1,61}$")]
"""A Stripe PaymentMethod id (``pm_...``): the only form in which a card reaches us."""


class Body(StrictBody):
    """Base of request bodies: no unknown field, and never raw card data."""


class AddPaymentMethod(Body):
    """Save a card the portal turned into a PaymentMethod."""

    payment_method_id: PaymentMethodId
    set_default: StrictBool = False


class FieldErrorOut(BaseModel):
    """A field a request got wrong (FastAPI's validation error, without the input)."""

    loc: list[str | int]
    msg: str
    type: str | None = None


class StripeRefusalOut(BaseModel):
    """What Stripe said when it refused a card."""

    code: str
    message: str


class StripeRefusedOut(BaseModel):
    """A card Stripe declined (402)."""

    detail: StripeRefusalOut


class UnprocessableOut(BaseModel):
    """A refused request (422): each bad field, or a card Stripe refuses to use."""

    detail: list[FieldErrorOut] | StripeRefusalOut


class PaymentMethodOut(BaseModel):
    """A saved card."""

    id: str
    brand: str
    last4: str
    exp_month: int
    exp_year: int
    is_default: bool

    @classmethod
    def of(cls, card: Card, profile: Profile) -> PaymentMethodOut:
        """The view of one card of ``profile``."""
        return cls(
            id=card.payment_method_id,
            brand=card.brand,
            last4=card.last4,
            exp_month=card.exp_month,
            exp_year=card.exp_year,
            is_default=card.payment_method_id == profile.default_card_id,
        )


def cards_of(profile: Profile) -> list[PaymentMethodOut]:
    """The saved cards, the default one first, then the newest first."""
    cards = [PaymentMethodOut.of(card, profile) for card in reversed(profile.cards)]
    return sorted(cards, key=lambda card: not card.is_default)


class SetupIntentOut(BaseModel):
    """What Stripe.js needs to turn a new card into a PaymentMethod."""

    client_secret: str


class RefundIn(Body):
    """An operator's refund: ``amount`` as a decimal string (default: all still refundable)."""

    amount: DecimalAmount | None = None
    reason: NonEmptyText255


class RefundOut(BaseModel):
    """A refund under way: credits takes the credit back first, then the card is refunded."""

    payment_id: str
    number: int
    amount: str
    currency: str
    reason: str
    status: str


def refund_out(payment: Payment, refund: Refund) -> RefundOut:
    """The view of one refund of ``payment``."""
    currency = payment.require_order().currency
    return RefundOut(
        payment_id=payment.require_order().payment_id,
        number=refund.number,
        amount=Money(refund.amount, currency).to_decimal_string(),
        currency=currency,
        reason=refund.reason,
        status=refund.status.value,
    )


class CardSummaryOut(BaseModel):
    """The card a payment charged."""

    brand: str
    last4: str


class FailureOut(BaseModel):
    """Why a payment failed, as Stripe said."""

    code: str
    message: str


class PaymentOut(BaseModel):
    """A payment as an operator sees it."""

    payment_id: str
    customer_id: str
    purpose: Literal["credit_topup", "invoice"]
    reference_id: str
    amount: str
    currency: str
    status: str
    card: CardSummaryOut | None
    failure: FailureOut | None
    payment_intent_id: str | None
    refunded: str
    refunds: list[RefundOut]

    @classmethod
    def of(cls, payment: Payment) -> PaymentOut:
        """The view of ``payment``."""
        order = payment.require_order()
        card = payment.card
        failed = payment.failure_code is not None and payment.failure_message is not None
        return cls(
            payment_id=order.payment_id,
            customer_id=order.customer_id,
            purpose=order.purpose,
            reference_id=order.reference_id,
            amount=Money(order.amount, order.currency).to_decimal_string(),
            currency=order.currency,
            status=payment.phase.value,
            card=None if card is None else CardSummaryOut(brand=card.brand, last4=card.last4),
            failure=FailureOut(
                code=payment.failure_code or "", message=payment.failure_message or ""
            )
            if failed
            else None,
            payment_intent_id=payment.intent_id,
            refunded=Money(payment.refunded, order.currency).to_decimal_string(),
            refunds=[refund_out(payment, refund) for refund in payment.refunds],
        )
