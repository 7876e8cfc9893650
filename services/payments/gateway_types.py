"""What the Stripe adapter hands back: typed failures, requests, events and their parsing.

Kept apart from ``stripe_gateway`` (the only module that imports ``stripe``) so
that the rest of the service can name these types without the SDK.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from services.payments.domain.values import Card, IntentView, Purpose


class GatewayError(Exception):
    """Base class of what a Stripe call can end in besides a result."""

    def __init__(self, code: str, message: str, status: int = 0) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.status = status


class StripeUnavailableError(GatewayError):
    """Stripe could not be reached or did not answer properly: retry later."""


class StripeRejectedError(GatewayError):
    """Stripe refused the request (4xx other than a card decline)."""


class CardDeclinedError(GatewayError):
    """The card was declined, on attach or at charge time."""


class CardUnavailableError(GatewayError):
    """The PaymentMethod is not a card this customer may use."""


class WebhookRejectedError(Exception):
    """A webhook whose signature, timestamp or body does not check out."""


@dataclass(frozen=True, slots=True)
class IntentRequest:
    """One charge as a PaymentIntent (created and confirmed in one call)."""

    payment_id: str
    customer_id: str
    stripe_customer_id: str
    payment_method_id: str
    amount: int
    currency: str
    purpose: Purpose
    reference_id: str
    off_session: bool


@dataclass(frozen=True, slots=True)
class WebhookEvent:
    """A verified Stripe event; ``intent`` is set for PaymentIntent events."""

    event_id: str
    event_type: str
    intent: IntentView | None


def intent_view(data: dict[str, Any]) -> IntentView:
    """Read a PaymentIntent (as a dict) into what the domain needs."""
    error = data.get("last_payment_error") or {}
    metadata = data.get("metadata") or {}
    return IntentView(
        intent_id=str(data["id"]),
        status=str(data["status"]),
        amount=int(data["amount"]),
        client_secret=data.get("client_secret"),
        error_code=error.get("code"),
        error_message=error.get("message"),
        payment_id=metadata.get("payment_id"),
    )


def card_of(data: dict[str, Any]) -> Card:
    """Read a PaymentMethod (as a dict) into a card; refuse anything but a card."""
    if data.get("type") != "card" or not data.get("card"):
        raise CardUnavailableError(
            "payment_method_unavailable", "The payment method is not a card."
        )
    card = data["card"]
    return Card(
        payment_method_id=str(data["id"]),
        brand=str(card.get("brand") or "unknown"),
        last4=str(card["last4"]),
        exp_month=int(card["exp_month"]),
        exp_year=int(card["exp_year"]),
    )


def intent_metadata(request: IntentRequest) -> dict[str, str]:
    """The metadata a PaymentIntent carries: what finds it again after a crash."""
    reference = "request_id" if request.purpose == "credit_topup" else "invoice_id"
    return {
        "payment_id": request.payment_id,
        "purpose": request.purpose,
        "customer_id": request.customer_id,
        reference: request.reference_id,
    }
