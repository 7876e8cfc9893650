"""Value objects the domain shares with its adapters: cards and PaymentIntent snapshots."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

Purpose = Literal["credit_topup", "invoice"]

_PAYMENT_IDS = uuid.UUID("4f8a4b8e-6a43-4c1b-9d55-2f1f3b6f0a11")


def payment_id_for(purpose: Purpose, customer_id: str, reference_id: str, attempt: int = 1) -> str:
    """The id of the payment of a top-up request, or of one attempt to charge an invoice.

    Deterministic (uuid5 of purpose, customer, reference and attempt), so a
    redelivered or repeated request lands on the stream that already exists,
    while a later attempt (an invoice paid again after a declined card) is a new
    payment. The first attempt keeps the id of (purpose, customer, reference).
    """
    if attempt < 1:
        raise ValueError("attempts are numbered from 1")
    name = f"{purpose}:{customer_id}:{reference_id}"
    if attempt > 1:
        name += f":{attempt}"
    return uuid.uuid5(_PAYMENT_IDS, name).hex


@dataclass(frozen=True, slots=True)
class Card:
    """A card as Stripe describes its PaymentMethod (never the number)."""

    payment_method_id: str
    brand: str
    last4: str
    exp_month: int
    exp_year: int

    def to_dict(self) -> dict[str, Any]:
        """Return the card as a JSON-ready dict."""
        return {
            "payment_method_id": self.payment_method_id,
            "brand": self.brand,
            "last4": self.last4,
            "exp_month": self.exp_month,
            "exp_year": self.exp_year,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Card:
        """Read a card written by :meth:`to_dict`."""
        return cls(
            payment_method_id=str(data["payment_method_id"]),
            brand=str(data["brand"]),
            last4=str(data["last4"]),
            exp_month=int(data["exp_month"]),
            exp_year=int(data["exp_year"]),
        )


@dataclass(frozen=True, slots=True)
class IntentView:
    """What a Stripe PaymentIntent says about a charge, whoever read it."""

    intent_id: str
    status: str
    amount: int
    client_secret: str | None = None
    error_code: str | None = None
    error_message: str | None = None
    payment_id: str | None = None
