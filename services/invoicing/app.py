"""Wiring of the invoicing service: its spec, consumers, expiry job and HTTP routes."""

from __future__ import annotations

from collections.abc import Callable, Coroutine, Mapping, Sequence
from dataclasses import replace
from typing import Any

from fastapi import FastAPI

from services.invoicing import api
from services.invoicing.consumers import consumer_handlers
from services.invoicing.expiry import ExpiryJob
from services.invoicing.http_errors import install_error_handlers
from services.invoicing.invoice_index import INDEX_DDL
from services.invoicing.settings import InvoicingSettings
from shared.contracts import CREDITS_TOPIC, INVOICING_TOPIC, PAYMENTS_TOPIC
from shared.http import create_service_app
from shared.idempotency import IDEMPOTENCY_DDL
from shared.messaging.consumer import Handler
from shared.runtime import ServiceRuntime, ServiceSpec

Jobs = Callable[[ServiceRuntime], Sequence[Callable[[], Coroutine[Any, Any, None]]]]


def _handlers(runtime: ServiceRuntime) -> Mapping[str, Handler]:
    return consumer_handlers(runtime.store)


def _expiry(interval: float) -> Jobs:
    def jobs(runtime: ServiceRuntime) -> Sequence[Callable[[], Coroutine[Any, Any, None]]]:
        return [ExpiryJob(lambda: runtime.pool, lambda: runtime.store, interval).run]

    return jobs


SPEC = ServiceSpec(
    name="invoicing",
    topic=INVOICING_TOPIC,
    consumes=(CREDITS_TOPIC, PAYMENTS_TOPIC),
    handlers=_handlers,
    ddl=(IDEMPOTENCY_DDL, INDEX_DDL),
)
"""The service without its background work (the expiry job's pace comes from settings)."""


def create_app(settings: InvoicingSettings | None = None) -> FastAPI:
    """Return the service's ASGI app; connections open in its lifespan, not here."""
    settings = settings or InvoicingSettings()
    spec = replace(SPEC, background=_expiry(settings.invoicing_expiry_interval))
    app = create_service_app(spec, settings, [api.router])
    app.state.invoice_policy = settings.invoice_policy
    install_error_handlers(app)
    return app
