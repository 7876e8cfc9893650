"""Internal events of the invoice: what credits and payments answered, in invoicing's words.

They stay in invoicing's event store (the outbox relay publishes only the
contract's catalog) and record the answers that move money on the invoice.
"""

from __future__ import annotations

from typing import ClassVar

from shared.contracts import CardSummary, Code, ContractModel, EntityId, InvoicingEvent, Text255
from shared.money import CurrencyCode, PositiveMinorUnits


class InternalEvent(ContractModel):
    """Base of the invoice's internal events."""

    event_type: ClassVar[str]
    schema_version: ClassVar[int] = 1


class CreditsApplied(InternalEvent):
    """Credits paid ``amount`` of the invoice (an ``InvoiceDebited`` received)."""

    event_type: ClassVar[str] = "InvoiceCreditsApplied"

    invoice_id: EntityId
    amount: PositiveMinorUnits
    currency: CurrencyCode


class CreditsDeclined(InternalEvent):
    """Credits paid nothing of the invoice (an ``InvoiceDebitDeclined`` received)."""

    event_type: ClassVar[str] = "InvoiceCreditsDeclined"

    invoice_id: EntityId
    reason: Text255


class CardCaptured(InternalEvent):
    """A card paid ``amount`` of the invoice (a ``PaymentCaptured`` received)."""

    event_type: ClassVar[str] = "InvoiceCardCaptured"

    invoice_id: EntityId
    payment_id: EntityId
    amount: PositiveMinorUnits
    currency: CurrencyCode
    card: CardSummary


class CardFailed(InternalEvent):
    """A card payment of the invoice failed (a ``PaymentFailed`` received)."""

    event_type: ClassVar[str] = "InvoiceCardFailed"

    invoice_id: EntityId
    payment_id: EntityId
    code: Code
    message: Text255


INTERNAL_EVENTS: tuple[type[InternalEvent], ...] = (
    CreditsApplied,
    CreditsDeclined,
    CardCaptured,
    CardFailed,
)

InvoiceEvent = InvoicingEvent | InternalEvent
"""Anything an invoice stream holds: a published event or an internal one."""
