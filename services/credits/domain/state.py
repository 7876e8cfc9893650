"""State of one customer's credit account: balance, top-up requests, payments, invoice debits."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from shared.money import Money

DEFAULT_CURRENCY = "USD"

RequestStatus = Literal["pending", "requires_action", "succeeded", "failed"]


@dataclass(frozen=True, slots=True)
class Failure:
    """Why a top-up failed, as the card's issuer or Stripe said it."""

    code: str
    message: str


@dataclass(frozen=True, slots=True)
class TopUpRequest:
    """A customer's request to add credit by card, and where its payment stands."""

    request_id: str
    amount: Money
    description: str
    payment_method_id: str | None = None
    status: RequestStatus = "pending"
    payment_id: str | None = None
    client_secret: str | None = None
    failure: Failure | None = None


@dataclass(frozen=True, slots=True)
class CreditedPayment:
    """A captured payment that added credit, and how much of it was taken back since."""

    payment_id: str
    request_id: str
    amount: Money
    reversed: Money

    @property
    def reversible(self) -> Money:
        """What a refund of this payment may still take back."""
        return self.amount - self.reversed


@dataclass(frozen=True, slots=True)
class InvoiceDebit:
    """What the balance paid for one invoice, and whether a void gave it back."""

    invoice_id: str
    debited: Money
    restored: bool = False


@dataclass(slots=True)
class CreditAccount:
    """The account as its events leave it.

    The account's currency is fixed by its first request or grant. ``evolve``
    updates the account it is given (a fold owns its state); ``decide`` functions
    only read it.
    """

    currency: str | None = None
    balance: Money = field(default_factory=lambda: Money.zero(DEFAULT_CURRENCY))
    entries: int = 0
    requests: dict[str, TopUpRequest] = field(default_factory=dict)
    payments: dict[str, CreditedPayment] = field(default_factory=dict)
    grants: set[str] = field(default_factory=set)
    invoices: dict[str, InvoiceDebit] = field(default_factory=dict)
