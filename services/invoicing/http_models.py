"""Bodies and answers of the invoicing HTTP API.

Amounts travel as decimal strings (``"47.76"``); unknown fields and card data
are refused. An invoice is answered with its amounts, its status and, for a
single invoice, its history: every event of its stream, oldest first.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from shared.card_data import StrictBody as _Body
from shared.contracts import CustomerId, NonEmptyText255, Text255, UtcDatetime
from shared.contracts.invoicing import MAX_INVOICE_LINES
from shared.eventstore import StoredEvent
from shared.money import CurrencyCode, DecimalAmount, Money

from .domain.state import Invoice, Status
from .stream import decode

PaymentMethodId = Annotated[
    str, Field(strict=True, max_length=64, pattern=r"^pm_[A-Za-z0-9_]+$", examples=["pm_card_visa"])
]
"""A Stripe PaymentMethod id."""

_AMOUNT_KEYS = frozenset({"amount", "amount_due", "paid_from_credits", "paid_by_card", "remaining"})
_SHOWN_ELSEWHERE = frozenset({"invoice_id", "currency", "lines"})


class LineBody(_Body):
    """One line of a new invoice."""

    description: Text255
    amount: DecimalAmount = Field(examples=["47.76"])


class InvoiceBody(_Body):
    """A new invoice: whose, in which currency, its lines, and optionally when it is due."""

    customer_id: CustomerId
    currency: CurrencyCode
    lines: list[LineBody] = Field(min_length=1, max_length=MAX_INVOICE_LINES)
    due_at: UtcDatetime | None = Field(
        default=None, description="When the invoice expires unpaid (in the future, with a zone)."
    )


class PayBody(_Body):
    """How to pay an invoice's remainder."""

    method: Literal["card", "credits"]
    payment_method_id: PaymentMethodId | None = Field(
        default=None, description="A saved card to charge (method card); none: the default card."
    )

    @model_validator(mode="after")
    def _card_only_with_card(self) -> PayBody:
        if self.payment_method_id is not None and self.method != "card":
            raise ValueError("payment_method_id goes only with method 'card'")
        return self


class VoidBody(_Body):
    """Why an invoice is voided."""

    reason: NonEmptyText255 = "voided by an operator"


class LineOut(BaseModel):
    """A line of an invoice."""

    description: str
    amount: str


class PaymentErrorOut(BaseModel):
    """Why the last attempt to pay failed."""

    code: str
    message: str


class HistoryEntryOut(BaseModel):
    """An event that changed the invoice, with its details (amounts as decimal strings)."""

    model_config = ConfigDict(extra="allow")

    event_type: str
    at: datetime


class InvoiceSummaryOut(BaseModel):
    """An invoice as it stands."""

    invoice_id: str
    customer_id: str
    status: Status
    currency: str
    amount_due: str
    paid_from_credits: str
    paid_by_card: str
    remaining: str
    lines: list[LineOut]
    due_at: datetime | None
    issued_at: datetime
    payment_in_progress: bool
    card_attempts: int
    last_payment_error: PaymentErrorOut | None = None

    @classmethod
    def fields_of(cls, invoice: Invoice, events: Sequence[StoredEvent]) -> dict[str, Any]:
        """The fields of an issued invoice folded from ``events`` (its stream)."""
        assert invoice.status is not None
        assert invoice.customer_id is not None
        error = invoice.last_payment_error
        return dict(
            invoice_id=invoice.invoice_id, customer_id=invoice.customer_id,
            status=invoice.status, currency=invoice.currency,
            amount_due=invoice.amount_due.to_decimal_string(),
            paid_from_credits=invoice.paid_from_credits.to_decimal_string(),
            paid_by_card=invoice.paid_by_card.to_decimal_string(),
            remaining=invoice.remaining.to_decimal_string(),
            lines=[LineOut(description=x.description, amount=x.amount.to_decimal_string())
                   for x in invoice.lines],
            due_at=invoice.due_at, issued_at=events[0].recorded_at,
            payment_in_progress=invoice.payment_in_progress, card_attempts=invoice.card_attempts,
            last_payment_error=PaymentErrorOut(code=error.code, message=error.message)
            if error else None,
        )  # fmt: skip

    @classmethod
    def of(cls, invoice: Invoice, events: Sequence[StoredEvent]) -> InvoiceSummaryOut:
        """The summary of an issued invoice folded from ``events``."""
        return cls(**cls.fields_of(invoice, events))


class InvoiceOut(InvoiceSummaryOut):
    """An invoice as it stands, and every event that changed it, oldest first."""

    history: list[HistoryEntryOut]

    @classmethod
    def of(cls, invoice: Invoice, events: Sequence[StoredEvent]) -> InvoiceOut:
        """The answer for an issued invoice folded from ``events`` (its stream)."""
        history = [_entry(e, invoice.currency) for e in events]
        return cls(**cls.fields_of(invoice, events), history=history)


def _entry(stored: StoredEvent, currency: str) -> HistoryEntryOut:
    event = decode(stored)
    details = {} if event is None else event.model_dump(mode="json")
    shown = {
        key: Money(value, currency).to_decimal_string() if key in _AMOUNT_KEYS else value
        for key, value in details.items()
        if key not in _SHOWN_ELSEWHERE
    }
    return HistoryEntryOut(event_type=stored.event_type, at=stored.recorded_at, **shown)


class InvoicePage(BaseModel):
    """A page of a customer's invoices, newest first."""

    invoices: list[InvoiceSummaryOut]
    next_cursor: str | None = None
