"""Commands the credit account takes: from the HTTP API, payments' and invoicing's events."""

from __future__ import annotations

from dataclasses import dataclass

from shared.money import Money


@dataclass(frozen=True, slots=True)
class RequestCredit:
    """Top up the balance by card: ``amount`` is charged, then credited."""

    request_id: str
    amount: Money
    description: str
    payment_method_id: str | None = None
    save_card: bool = False
    set_default: bool = False


@dataclass(frozen=True, slots=True)
class GrantCredit:
    """Credit the balance without a payment (an operator's decision)."""

    grant_id: str
    amount: Money
    description: str
    granted_by: str


@dataclass(frozen=True, slots=True)
class RecordCapture:
    """The payment of a top-up request was captured."""

    request_id: str
    payment_id: str
    amount: Money


@dataclass(frozen=True, slots=True)
class RecordFailure:
    """The payment of a top-up request failed."""

    request_id: str
    payment_id: str
    code: str
    message: str


@dataclass(frozen=True, slots=True)
class RecordRequiresAction:
    """The payment of a top-up request waits for the customer (3-D Secure)."""

    request_id: str
    payment_id: str
    client_secret: str


@dataclass(frozen=True, slots=True)
class ReverseCredit:
    """Take back credit before a captured payment is refunded."""

    payment_id: str
    amount: Money
    reason: str


@dataclass(frozen=True, slots=True)
class DebitInvoice:
    """Pay an invoice from the balance, up to ``amount``."""

    invoice_id: str
    amount: Money


@dataclass(frozen=True, slots=True)
class RestoreInvoiceCredit:
    """Give back what the balance paid for an invoice that was voided."""

    invoice_id: str
