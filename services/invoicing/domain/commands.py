"""Commands the invoice takes: from the HTTP API, from credits' and payments' events, the clock."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from shared.money import Money

from .state import Line

PaymentMethod = Literal["card", "credits"]


@dataclass(frozen=True, slots=True)
class IssueInvoice:
    """Issue an invoice: its lines are due, by ``due_at`` when given."""

    invoice_id: str
    currency: str
    lines: tuple[Line, ...]
    due_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class RecordDebit:
    """Credits debited ``amount`` to the invoice."""

    amount: Money


@dataclass(frozen=True, slots=True)
class RecordDebitDeclined:
    """Credits could not pay the invoice."""

    reason: str


@dataclass(frozen=True, slots=True)
class RecordCardCapture:
    """A card payment of the invoice was captured."""

    payment_id: str
    amount: Money
    brand: str
    last4: str


@dataclass(frozen=True, slots=True)
class RecordCardFailure:
    """A card payment of the invoice failed."""

    payment_id: str
    code: str
    message: str


@dataclass(frozen=True, slots=True)
class PayInvoice:
    """Pay what is left: by card (a saved card, or the default one) or from the credits."""

    method: PaymentMethod
    payment_method_id: str | None = None


@dataclass(frozen=True, slots=True)
class VoidInvoice:
    """Cancel an unpaid invoice; credits gives back what it paid."""

    reason: str
