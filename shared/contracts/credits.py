"""Payloads of the events the credits service publishes on ``billing.credits.v1``."""

from __future__ import annotations

from typing import ClassVar

from pydantic import Field, StrictBool, model_validator

from shared.contracts.common import (
    ClientSecret,
    Code,
    EntityId,
    EventPayload,
    NonEmptyText255,
    Text255,
)
from shared.contracts.topics import CREDITS_TOPIC, Producer
from shared.money import CurrencyCode, PositiveMinorUnits

_POSITIVE = "Amount in minor units of `currency`, more than zero."


class CreditsEvent(EventPayload):
    """Base of the credits service's payloads."""

    topic: ClassVar[str] = CREDITS_TOPIC
    producer: ClassVar[Producer] = "credits"


class CreditRequested(CreditsEvent):
    """A customer asked to top up the balance by card."""

    event_type: ClassVar[str] = "CreditRequested"

    request_id: EntityId = Field(description="Id of the top-up; the payment's idempotency key.")
    amount: PositiveMinorUnits = Field(description=_POSITIVE)
    currency: CurrencyCode
    description: Text255
    payment_method_id: EntityId | None = Field(
        default=None, description="Stripe PaymentMethod to charge; null: the default card."
    )
    save_card: StrictBool = False
    set_default: StrictBool = False


class CreditAdded(CreditsEvent):
    """A captured top-up payment raised the balance."""

    event_type: ClassVar[str] = "CreditAdded"

    request_id: EntityId
    payment_id: EntityId
    amount: PositiveMinorUnits = Field(description=_POSITIVE)
    currency: CurrencyCode
    description: Text255


class CreditRequestFailed(CreditsEvent):
    """A top-up failed; the balance is unchanged."""

    event_type: ClassVar[str] = "CreditRequestFailed"

    request_id: EntityId
    code: Code
    message: Text255


class CreditRequestRequiresAction(CreditsEvent):
    """A top-up waits for the customer to authenticate the payment (3-D Secure)."""

    event_type: ClassVar[str] = "CreditRequestRequiresAction"

    request_id: EntityId
    payment_id: EntityId
    client_secret: ClientSecret


class CreditGranted(CreditsEvent):
    """An operator credited the balance without a payment."""

    event_type: ClassVar[str] = "CreditGranted"

    grant_id: EntityId
    amount: PositiveMinorUnits = Field(description=_POSITIVE)
    currency: CurrencyCode
    description: Text255
    granted_by: NonEmptyText255 = Field(description="Who granted the credit.")


class InvoiceDebited(CreditsEvent):
    """The balance paid (part of) an invoice; the balance went down."""

    event_type: ClassVar[str] = "InvoiceDebited"

    invoice_id: EntityId
    amount: PositiveMinorUnits = Field(description=_POSITIVE)
    currency: CurrencyCode
    description: Text255 = Field(description='Always "Debited to invoice {invoice_id}".')

    @classmethod
    def for_invoice(cls, invoice_id: str, amount: int, currency: str) -> InvoiceDebited:
        """Build the event with its fixed description."""
        return cls(
            invoice_id=invoice_id,
            amount=amount,
            currency=currency,
            description=f"Debited to invoice {invoice_id}",
        )

    @model_validator(mode="after")
    def _check_description(self) -> InvoiceDebited:
        expected = f"Debited to invoice {self.invoice_id}"
        if self.description != expected:
            raise ValueError(f"description must be {expected!r}")
        return self


class InvoiceDebitDeclined(CreditsEvent):
    """The balance could not pay an invoice (empty balance, unknown invoice...)."""

    event_type: ClassVar[str] = "InvoiceDebitDeclined"

    invoice_id: EntityId
    reason: NonEmptyText255


class CreditReversed(CreditsEvent):
    """The balance went down before a top-up payment is refunded."""

    event_type: ClassVar[str] = "CreditReversed"

    payment_id: EntityId
    amount: PositiveMinorUnits = Field(description=_POSITIVE)
    currency: CurrencyCode
    reason: NonEmptyText255


class CreditReversalDeclined(CreditsEvent):
    """The balance cannot cover a refund; nothing is refunded."""

    event_type: ClassVar[str] = "CreditReversalDeclined"

    payment_id: EntityId
    amount: PositiveMinorUnits = Field(description=_POSITIVE)
    currency: CurrencyCode
    reason: NonEmptyText255


class CreditRestored(CreditsEvent):
    """A voided invoice gave back what the balance had paid for it."""

    event_type: ClassVar[str] = "CreditRestored"

    invoice_id: EntityId
    amount: PositiveMinorUnits = Field(description=_POSITIVE)
    currency: CurrencyCode


CREDITS_EVENTS: tuple[type[CreditsEvent], ...] = (
    CreditRequested,
    CreditAdded,
    CreditRequestFailed,
    CreditRequestRequiresAction,
    CreditGranted,
    InvoiceDebited,
    InvoiceDebitDeclined,
    CreditReversed,
    CreditReversalDeclined,
    CreditRestored,
)
