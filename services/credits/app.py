"""Wiring of the credits service: its spec, settings and HTTP routers in one FastAPI app."""

from __future__ import annotations

from fastapi import FastAPI

from services.credits.settings import CreditsSettings
from shared.contracts import CREDITS_TOPIC, INVOICING_TOPIC, PAYMENTS_TOPIC
from shared.http import create_service_app
from shared.runtime import ServiceSpec

SPEC = ServiceSpec(name="credits", topic=CREDITS_TOPIC, consumes=(PAYMENTS_TOPIC, INVOICING_TOPIC))


def create_app(settings: CreditsSettings | None = None) -> FastAPI:
    """Return the service's ASGI app; connections open in its lifespan, not here."""
    settings = settings or CreditsSettings()
    return create_service_app(SPEC, settings)
