"""The portal's FastAPI app: pages, fragments, the browser's JSON calls and static files.

Nothing here talks to a database, Kafka or Stripe: the portal holds no data and
reaches the services only through their public HTTP APIs, as the signed-in customer.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles

from portal import api, pages
from portal.backends import Backends, ServiceUnavailableError
from portal.security import security_headers
from portal.session import CsrfTokens
from portal.settings import PortalSettings


async def _validation_error(request: Request, error: Exception) -> JSONResponse:
    """422 naming each faulty field, without echoing what was sent."""
    assert isinstance(error, RequestValidationError)
    detail = [{"loc": list(e["loc"]), "msg": e["msg"], "type": e["type"]} for e in error.errors()]
    return JSONResponse({"detail": detail}, status_code=422)


async def _unavailable(request: Request, error: Exception) -> JSONResponse:
    return JSONResponse({"detail": "a service does not answer; try again"}, status_code=502)


def create_app(
    settings: PortalSettings | None = None, transport: httpx.AsyncBaseTransport | None = None
) -> FastAPI:
    """The portal app (``transport``: how to reach the services, for tests)."""
    settings = settings or PortalSettings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.backends = Backends(settings, transport)
        try:
            yield
        finally:
            await app.state.backends.close()

    app = FastAPI(
        title="billing portal", lifespan=lifespan, docs_url=None, redoc_url=None, openapi_url=None
    )
    app.state.settings = settings
    app.state.csrf = CsrfTokens()
    app.middleware("http")(security_headers(settings))
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(ServiceUnavailableError, _unavailable)

    @app.get("/healthz", include_in_schema=False)
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    app.include_router(pages.router)
    app.include_router(api.router)
    app.mount("/static", StaticFiles(directory=Path(__file__).parent / "static"), name="static")
    return app
