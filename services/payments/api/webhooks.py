"""Stripe's webhook endpoint: signature checked first; a bad or stale one changes nothing."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, HTTPException, Request, status

from services.payments import handlers
from services.payments.api.deps import Components
from services.payments.gateway_types import WebhookRejectedError

router = APIRouter(tags=["stripe"])


@router.post("/v1/stripe/webhook", responses={400: {"description": "bad or stale signature"}})
async def stripe_webhook(
    request: Request,
    parts: Components,
    stripe_signature: Annotated[str | None, Header()] = None,
) -> dict[str, bool]:
    """Settle a payment that waited on 3-D Secure, once per Stripe event id."""
    payload = await request.body()
    try:
        event = parts.gateway.parse_webhook(payload, stripe_signature)
    except WebhookRejectedError as exc:
        raise HTTPException(status.HTTP_400_BAD_REQUEST, detail=str(exc)) from None
    handled = await handlers.apply_webhook(parts.pool, parts.payments, event)
    return {"received": True, "handled": handled}
