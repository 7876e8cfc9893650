"""Connections to a service's own database (its schema first on the path), errors made plain."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from urllib.parse import urlsplit, urlunsplit

import asyncpg

from shared.database import create_pool

from .config import OpsConfig
from .errors import UnavailableError

CONNECT_TIMEOUT_SECONDS = 15.0

DATABASE_ERRORS = (OSError, TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError)
"""What a database that is missing, unreachable or refusing raises."""


def shown(dsn: str) -> str:
    """A DSN without its password, fit for an error message."""
    parts = urlsplit(dsn)
    if parts.password is None:
        return dsn
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
    return urlunsplit(parts._replace(netloc=netloc))


@asynccontextmanager
async def service_pool(config: OpsConfig, service: str) -> AsyncIterator[asyncpg.Pool]:
    """A small pool on ``service``'s database, whose connections see its schema first."""
    dsn = config.database_url(service)
    try:
        async with asyncio.timeout(CONNECT_TIMEOUT_SECONDS):
            pool = await create_pool(dsn, service, min_size=1, max_size=2)
    except DATABASE_ERRORS as error:
        raise UnavailableError(
            f"the {service} database at {shown(dsn)} does not answer ({type(error).__name__}: "
            f"{error}); set DATABASE_URL (and DATABASE_PREFIX) or "
            f"{service.upper()}_DATABASE_URL"
        ) from None
    try:
        yield pool
    finally:
        await pool.close()


def unavailable(service: str, error: BaseException) -> UnavailableError:
    """The error of a database that failed during a command."""
    return UnavailableError(f"the {service} database failed: {type(error).__name__}: {error}")
