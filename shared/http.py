"""The HTTP side every service shares: the FastAPI app factory and health endpoints.

``/healthz`` answers while the process runs; ``/readyz`` answers 200 only when
the service's database and Kafka broker both answer, 503 otherwise.
``/metrics`` serves the service's Prometheus series (``shared.metrics``), kept
out of the OpenAPI schema. Every request gets a correlation id
(``shared.request_context``).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import JSONResponse, Response

from shared.metrics import CONTENT_TYPE_LATEST
from shared.request_context import CorrelationIdMiddleware
from shared.runtime import ServiceRuntime, ServiceSpec
from shared.settings import ServiceSettings


def runtime_of(request: Request) -> ServiceRuntime:
    """Return the runtime of the app serving ``request``."""
    runtime: ServiceRuntime = request.app.state.runtime
    return runtime


async def current_runtime(request: Request) -> ServiceRuntime:
    """FastAPI dependency: the runtime of the app serving the request.

    ``async`` so that FastAPI calls it on the event loop rather than in its
    thread pool (a thread hop per dependency per request).
    """
    return runtime_of(request)


def health_router() -> APIRouter:
    """Return the router of ``/healthz`` and ``/readyz``."""
    router = APIRouter(tags=["health"])

    @router.get("/healthz")
    async def healthz(request: Request) -> dict[str, str]:
        return {"status": "ok", "service": runtime_of(request).spec.name}

    @router.get("/readyz", responses={503: {"description": "a dependency does not answer"}})
    async def readyz(request: Request) -> JSONResponse:
        runtime = runtime_of(request)
        checks = await runtime.readiness()
        ready = all(checks.values())
        body: dict[str, Any] = {
            "status": "ready" if ready else "not ready",
            "service": runtime.spec.name,
            "checks": checks,
        }
        return JSONResponse(body, status_code=200 if ready else 503)

    @router.get("/metrics", include_in_schema=False)
    async def metrics(request: Request) -> Response:
        runtime = runtime_of(request)
        await runtime.refresh_metrics()
        return Response(runtime.metrics.exposition(), media_type=CONTENT_TYPE_LATEST)

    return router


def create_service_app(
    spec: ServiceSpec, settings: ServiceSettings, routers: Sequence[APIRouter] = ()
) -> FastAPI:
    """Build a service's FastAPI app; its lifespan starts and stops the runtime."""
    runtime = ServiceRuntime(spec, settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await runtime.start()
        try:
            yield
        finally:
            await runtime.stop()

    app = FastAPI(title=f"billing {spec.name}", version="1", lifespan=lifespan)
    app.state.runtime = runtime
    app.add_middleware(CorrelationIdMiddleware)
    app.include_router(health_router())
    for router in routers:
        app.include_router(router)
    return app
