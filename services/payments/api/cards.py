"""Saved cards and SetupIntents of one customer (customer token of that customer, or operator)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Response, status

from services.payments.api.deps import Components, CustomerIdPath, PaymentMethodIdPath
from services.payments.api.schemas import (
    AddPaymentMethod,
    PaymentMethodOut,
    SetupIntentOut,
    StripeRefusedOut,
    UnprocessableOut,
    cards_of,
)
from shared.auth import CustomerAccess

router = APIRouter(prefix="/v1/customers/{customer_id}", tags=["payment methods"])

_DECLINED: dict[int | str, dict[str, Any]] = {
    402: {"description": "Stripe declined the card", "model": StripeRefusedOut},
    422: {"description": "a bad field, or a card Stripe refuses", "model": UnprocessableOut},
}


@router.get("/payment-methods")
async def list_payment_methods(
    customer_id: CustomerIdPath, _: CustomerAccess, parts: Components
) -> list[PaymentMethodOut]:
    """The saved cards, the default one first."""
    return cards_of(await parts.profiles.profile(customer_id))


@router.post("/payment-methods", status_code=status.HTTP_201_CREATED, responses=_DECLINED)
async def add_payment_method(
    customer_id: CustomerIdPath, body: AddPaymentMethod, _: CustomerAccess, parts: Components
) -> PaymentMethodOut:
    """Attach a PaymentMethod to the customer at Stripe and save it."""
    profile = await parts.profiles.add_card(customer_id, body.payment_method_id, body.set_default)
    return PaymentMethodOut.of(profile.require_card(body.payment_method_id), profile)


@router.post("/payment-methods/{payment_method_id}/default")
async def set_default_payment_method(
    customer_id: CustomerIdPath,
    payment_method_id: PaymentMethodIdPath,
    _: CustomerAccess,
    parts: Components,
) -> PaymentMethodOut:
    """Make a saved card the one charged when a request names none."""
    profile = await parts.profiles.set_default(customer_id, payment_method_id)
    return PaymentMethodOut.of(profile.require_card(payment_method_id), profile)


@router.delete("/payment-methods/{payment_method_id}", status_code=status.HTTP_204_NO_CONTENT)
async def remove_payment_method(
    customer_id: CustomerIdPath,
    payment_method_id: PaymentMethodIdPath,
    _: CustomerAccess,
    parts: Components,
) -> Response:
    """Remove a saved card (404 when it is not one of this customer's)."""
    await parts.profiles.remove_card(customer_id, payment_method_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/setup-intents", status_code=status.HTTP_201_CREATED)
async def create_setup_intent(
    customer_id: CustomerIdPath, _: CustomerAccess, parts: Components
) -> SetupIntentOut:
    """A SetupIntent for the customer's Stripe Customer: Stripe.js turns a card into a PM."""
    return SetupIntentOut(client_secret=await parts.profiles.setup_intent(customer_id))
