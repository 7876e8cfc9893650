"""Payloads of the events the payments service publishes on ``billing.payments.v1``."""

from __future__ import annotations

from typing import ClassVar

from pydantic import Field, StrictBool, StrictInt

from shared.contracts.common import (
    CardBrand,
    CardSummary,
    ClientSecret,
    Code,
    EntityId,
    EventPayload,
    Last4,
    NonEmptyText255,
    Purpose,
    Text255,
)
from shared.contracts.topics import PAYMENTS_TOPIC, Producer
from shared.money import CurrencyCode, PositiveMinorUnits

_POSITIVE = "Amount in minor units of `currency`, more than zero."
_REFERENCE = "The request_id of a top-up or the invoice_id of an invoice, after `purpose`."


class PaymentsEvent(EventPayload):
    """Base of the payments service's payloads."""

    topic: ClassVar[str] = PAYMENTS_TOPIC
    producer: ClassVar[Producer] = "payments"


class PaymentCaptured(PaymentsEvent):
    """A card was charged."""

    event_type: ClassVar[str] = "PaymentCaptured"

    payment_id: EntityId
    purpose: Purpose
    reference_id: EntityId = Field(description=_REFERENCE)
    amount: PositiveMinorUnits = Field(description=_POSITIVE)
    currency: CurrencyCode
    card: CardSummary


class PaymentFailed(PaymentsEvent):
    """A charge was declined or could not be made."""

    event_type: ClassVar[str] = "PaymentFailed"

    payment_id: EntityId
    purpose: Purpose
    reference_id: EntityId = Field(description=_REFERENCE)
    code: Code
    message: Text255


class PaymentRequiresAction(PaymentsEvent):
    """A charge waits for the customer to authenticate it (3-D Secure)."""

    event_type: ClassVar[str] = "PaymentRequiresAction"

    payment_id: EntityId
    purpose: Purpose
    reference_id: EntityId = Field(description=_REFERENCE)
    client_secret: ClientSecret


class RefundRequested(PaymentsEvent):
    """An operator asked to refund a payment.

    A top-up's refund waits for credits to reverse the credit first; an invoice
    payment added no credit, so its refund goes ahead without credits' answer.
    """

    event_type: ClassVar[str] = "RefundRequested"

    payment_id: EntityId
    amount: PositiveMinorUnits = Field(description=_POSITIVE)
    currency: CurrencyCode
    reason: NonEmptyText255
    purpose: Purpose = Field(
        default="credit_topup",
        description="What the refunded payment paid; credits reverses credit only for "
        "`credit_topup` (absent in older messages: `credit_topup`).",
    )


class PaymentRefunded(PaymentsEvent):
    """Money was returned to the card."""

    event_type: ClassVar[str] = "PaymentRefunded"

    payment_id: EntityId
    amount: PositiveMinorUnits = Field(description=_POSITIVE)
    currency: CurrencyCode
    reason: NonEmptyText255


class CardSaved(PaymentsEvent):
    """A card (Stripe PaymentMethod) was saved to the customer's payment profile."""

    event_type: ClassVar[str] = "CardSaved"

    payment_method_id: EntityId
    brand: CardBrand
    last4: Last4
    exp_month: StrictInt = Field(ge=1, le=12)
    exp_year: StrictInt = Field(ge=2000, le=9999)
    is_default: StrictBool


class DefaultCardSet(PaymentsEvent):
    """A saved card became the customer's default card."""

    event_type: ClassVar[str] = "DefaultCardSet"

    payment_method_id: EntityId


class CardRemoved(PaymentsEvent):
    """A saved card was removed from the customer's payment profile."""

    event_type: ClassVar[str] = "CardRemoved"

    payment_method_id: EntityId


PAYMENTS_EVENTS: tuple[type[PaymentsEvent], ...] = (
    PaymentCaptured,
    PaymentFailed,
    PaymentRequiresAction,
    RefundRequested,
    PaymentRefunded,
    CardSaved,
    DefaultCardSet,
    CardRemoved,
)
