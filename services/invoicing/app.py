"""Wiring of the invoicing service: its spec, settings and HTTP routers in one FastAPI app."""

from __future__ import annotations

from fastapi import FastAPI

from services.invoicing.settings import InvoicingSettings
from shared.contracts import CREDITS_TOPIC, INVOICING_TOPIC, PAYMENTS_TOPIC
from shared.http import create_service_app
from shared.runtime import ServiceSpec

SPEC = ServiceSpec(
    name="invoicing", topic=INVOICING_TOPIC, consumes=(CREDITS_TOPIC, PAYMENTS_TOPIC)
)


def create_app(settings: InvoicingSettings | None = None) -> FastAPI:
    """Return the service's ASGI app; connections open in its lifespan, not here."""
    settings = settings or InvoicingSettings()
    return create_service_app(SPEC, settings)
