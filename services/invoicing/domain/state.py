"""State of one invoice: what is due, what credits and cards paid, what is under way."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from shared.money import Money

Status = Literal["active", "paid", "expired", "void"]
OPEN_STATUSES: frozenset[Status] = frozenset({"active", "expired"})
DEFAULT_CURRENCY = "USD"


def _zero() -> Money:
    return Money.zero(DEFAULT_CURRENCY)


@dataclass(frozen=True, slots=True)
class Line:
    """One line of an invoice: a description and a positive amount."""

    description: str
    amount: Money


@dataclass(frozen=True, slots=True)
class PaymentError:
    """Why the last attempt to pay failed (a card decline, or credits declining)."""

    code: str
    message: str


@dataclass(frozen=True, slots=True)
class Invoice:
    """An invoice as its events leave it (``status`` is None until it is issued).

    A stream's fold starts from ``Invoice(invoice_id)``, so that even an invoice
    that does not exist knows the id it was looked up by.

    ``debits_open`` counts debits asked of credits and not answered yet;
    ``card_pending`` is set while a card payment is asked and not settled;
    ``card_follows_debit`` holds from issue until credits answers the first debit:
    a remainder after that answer goes to the default card.
    """

    invoice_id: str = ""
    customer_id: str | None = None
    correlation_id: uuid.UUID | None = None
    status: Status | None = None
    amount_due: Money = field(default_factory=_zero)
    lines: tuple[Line, ...] = ()
    due_at: datetime | None = None
    paid_from_credits: Money = field(default_factory=_zero)
    paid_by_card: Money = field(default_factory=_zero)
    debits_open: int = 0
    card_pending: bool = False
    card_attempts: int = 0
    card_follows_debit: bool = False
    last_payment_error: PaymentError | None = None
    captured_payments: frozenset[str] = frozenset()

    @property
    def issued(self) -> bool:
        """Whether the invoice exists."""
        return self.status is not None

    @property
    def currency(self) -> str:
        """The invoice's currency."""
        return self.amount_due.currency

    @property
    def is_open(self) -> bool:
        """Whether it may still be paid: active or expired."""
        return self.status in OPEN_STATUSES

    @property
    def paid(self) -> Money:
        """What credits and cards paid together."""
        return self.paid_from_credits + self.paid_by_card

    @property
    def remaining(self) -> Money:
        """What is left to pay (never below zero)."""
        left = self.amount_due - self.paid
        return left if left.is_positive() else Money.zero(self.currency)

    @property
    def payment_in_progress(self) -> bool:
        """Whether a debit or a card payment is asked and not answered yet."""
        return self.debits_open > 0 or self.card_pending

    @property
    def awaits_expiry(self) -> bool:
        """Whether the invoice expires when its due date passes: active, due, unpaid."""
        return self.status == "active" and self.due_at is not None and self.remaining.is_positive()
