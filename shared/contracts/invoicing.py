"""Payloads of the events the invoicing service publishes on ``billing.invoicing.v1``."""

from __future__ import annotations

from typing import ClassVar

from pydantic import Field, StrictInt, model_validator

from shared.contracts.common import (
    ContractModel,
    EntityId,
    EventPayload,
    NonEmptyText255,
    Text255,
    UtcDatetime,
)
from shared.contracts.topics import INVOICING_TOPIC, Producer
from shared.money import CurrencyCode, MinorUnits, NonNegativeMinorUnits, PositiveMinorUnits

_POSITIVE = "Amount in minor units of `currency`, more than zero."
_NON_NEGATIVE = "Amount in minor units of `currency`, zero or more."
MAX_INVOICE_LINES = 200


class InvoicingEvent(EventPayload):
    """Base of the invoicing service's payloads."""

    topic: ClassVar[str] = INVOICING_TOPIC
    producer: ClassVar[Producer] = "invoicing"


class InvoiceLine(ContractModel):
    """One line of an invoice."""

    description: Text255
    amount: MinorUnits = Field(
        description="Amount in minor units of the invoice's currency; signed (a discount "
        "line is negative)."
    )


class InvoiceIssued(InvoicingEvent):
    """An invoice was issued; `amount_due` is the sum of its lines."""

    event_type: ClassVar[str] = "InvoiceIssued"

    invoice_id: EntityId
    amount_due: NonNegativeMinorUnits = Field(
        description=_NON_NEGATIVE + " Equals the sum of the line amounts."
    )
    currency: CurrencyCode
    lines: list[InvoiceLine] = Field(min_length=1, max_length=MAX_INVOICE_LINES)
    due_at: UtcDatetime | None = None

    @model_validator(mode="after")
    def _check_total(self) -> InvoiceIssued:
        total = sum(line.amount for line in self.lines)
        if total != self.amount_due:
            raise ValueError(f"amount_due {self.amount_due} is not the sum of the lines ({total})")
        return self


class InvoiceDebitRequested(InvoicingEvent):
    """Invoicing asks credits to pay an invoice from the balance, up to `amount`."""

    event_type: ClassVar[str] = "InvoiceDebitRequested"

    invoice_id: EntityId
    amount: PositiveMinorUnits = Field(description=_POSITIVE)
    currency: CurrencyCode


class InvoicePaymentRequested(InvoicingEvent):
    """Invoicing asks payments to charge a card for what the balance did not cover."""

    event_type: ClassVar[str] = "InvoicePaymentRequested"

    invoice_id: EntityId
    amount: PositiveMinorUnits = Field(description=_POSITIVE)
    currency: CurrencyCode
    payment_method_id: EntityId | None = Field(
        default=None, description="Stripe PaymentMethod to charge; null: the default card."
    )
    attempt: StrictInt = Field(
        default=1,
        ge=1,
        description="Which charge of the invoice this is, from 1: a later attempt (after a "
        "declined card) is a new payment, the same attempt delivered again is not.",
    )


class InvoicePaid(InvoicingEvent):
    """An invoice is fully paid."""

    event_type: ClassVar[str] = "InvoicePaid"

    invoice_id: EntityId
    paid_from_credits: NonNegativeMinorUnits = Field(description=_NON_NEGATIVE)
    paid_by_card: NonNegativeMinorUnits = Field(description=_NON_NEGATIVE)
    currency: CurrencyCode


class InvoiceVoided(InvoicingEvent):
    """An invoice was cancelled; what credits paid for it is given back."""

    event_type: ClassVar[str] = "InvoiceVoided"

    invoice_id: EntityId
    reason: NonEmptyText255


class InvoiceExpired(InvoicingEvent):
    """An invoice passed its due date unpaid."""

    event_type: ClassVar[str] = "InvoiceExpired"

    invoice_id: EntityId
    remaining: NonNegativeMinorUnits = Field(description=_NON_NEGATIVE + " Still unpaid.")
    currency: CurrencyCode


INVOICING_EVENTS: tuple[type[InvoicingEvent], ...] = (
    InvoiceIssued,
    InvoiceDebitRequested,
    InvoicePaymentRequested,
    InvoicePaid,
    InvoiceVoided,
    InvoiceExpired,
)
