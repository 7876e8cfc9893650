"""Wiring of the credits service: its spec, settings, consumers, projection and HTTP routes."""

from __future__ import annotations

from collections.abc import Callable, Coroutine, Mapping, Sequence
from typing import Any

from fastapi import FastAPI

from services.credits import api
from services.credits.consumers import consumer_handlers
from services.credits.projections import CreditsProjection
from services.credits.settings import CreditsSettings
from shared.contracts import CREDITS_TOPIC, INVOICING_TOPIC, PAYMENTS_TOPIC
from shared.http import create_service_app
from shared.idempotency import IDEMPOTENCY_DDL
from shared.messaging.consumer import Handler
from shared.projections import PROJECTIONS_DDL, ProjectionRunner
from shared.runtime import ServiceRuntime, ServiceSpec


def _handlers(runtime: ServiceRuntime) -> Mapping[str, Handler]:
    return consumer_handlers(runtime.store)


def _background(runtime: ServiceRuntime) -> Sequence[Callable[[], Coroutine[Any, Any, None]]]:
    runner = ProjectionRunner(runtime.pool, runtime.store, CreditsProjection())
    runtime.store.on_append(runner.wake)
    return [runner.run]


SPEC = ServiceSpec(
    name="credits",
    topic=CREDITS_TOPIC,
    consumes=(PAYMENTS_TOPIC, INVOICING_TOPIC),
    handlers=_handlers,
    ddl=(IDEMPOTENCY_DDL, PROJECTIONS_DDL, CreditsProjection.ddl),
    background=_background,
)


def create_app(settings: CreditsSettings | None = None) -> FastAPI:
    """Return the service's ASGI app; connections open in its lifespan, not here."""
    settings = settings or CreditsSettings()
    app = create_service_app(SPEC, settings, [api.router])
    api.install(app, settings.topup_policy)
    return app
