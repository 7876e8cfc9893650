"""Wiring of the payments service: its spec, settings and HTTP routers in one FastAPI app."""

from __future__ import annotations

from fastapi import FastAPI

from services.payments.settings import PaymentsSettings
from shared.contracts import CREDITS_TOPIC, INVOICING_TOPIC, PAYMENTS_TOPIC
from shared.http import create_service_app
from shared.runtime import ServiceSpec

SPEC = ServiceSpec(name="payments", topic=PAYMENTS_TOPIC, consumes=(CREDITS_TOPIC, INVOICING_TOPIC))


def create_app(settings: PaymentsSettings | None = None) -> FastAPI:
    """Return the service's ASGI app; connections open in its lifespan, not here."""
    settings = settings or PaymentsSettings()
    return create_service_app(SPEC, settings)
