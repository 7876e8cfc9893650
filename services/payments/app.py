"""Wiring of the payments service: its spec, its parts and its HTTP routers in one FastAPI app."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from services.payments.api import routers
from services.payments.api.errors import install_error_handlers
from services.payments.components import PaymentsComponents, components_of, register
from services.payments.consumers import consumer_handlers
from services.payments.jobs import PAYMENTS_DDL
from services.payments.settings import PaymentsSettings
from shared.contracts import CREDITS_TOPIC, INVOICING_TOPIC, PAYMENTS_TOPIC
from shared.http import create_service_app
from shared.runtime import ServiceSpec

SPEC = ServiceSpec(
    name="payments",
    topic=PAYMENTS_TOPIC,
    consumes=(CREDITS_TOPIC, INVOICING_TOPIC),
    handlers=lambda runtime: consumer_handlers(components_of(runtime).payments),
    ddl=(PAYMENTS_DDL,),
    background=lambda runtime: (components_of(runtime).run_worker,),
)


def _close_gateway_at_shutdown(app: FastAPI, parts: PaymentsComponents) -> None:
    started = app.router.lifespan_context

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        try:
            async with started(app):
                yield
        finally:
            await parts.gateway.close()

    app.router.lifespan_context = lifespan


def create_app(settings: PaymentsSettings | None = None) -> FastAPI:
    """Return the service's ASGI app; connections open in its lifespan, not here."""
    settings = settings or PaymentsSettings()
    app = create_service_app(SPEC, settings, routers())
    parts = register(app.state.runtime, settings)
    app.state.payments = parts
    install_error_handlers(app)
    _close_gateway_at_shutdown(app, parts)
    return app
