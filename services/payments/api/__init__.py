"""The payments HTTP API: saved cards, SetupIntents, refunds, payment status, Stripe webhooks."""

from __future__ import annotations

from fastapi import APIRouter

from services.payments.api.cards import router as cards
from services.payments.api.payments import router as payments
from services.payments.api.webhooks import router as webhooks


def routers() -> list[APIRouter]:
    """Every router of the API."""
    return [cards, payments, webhooks]
