"""``billing projections``: rebuild a service's read models from its events, or verify them."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Annotated

import asyncpg
import typer

from shared.database import migrate
from shared.eventstore import EventStore
from shared.projections import Projection, rebuild, verify
from shared.projections.rebuild import RebuildRunningError
from shared.projections.schema import PROJECTIONS_DDL

from .config import OpsConfig, check_service
from .database import DATABASE_ERRORS, service_pool, unavailable
from .errors import DIFFERENCES, InputError, OpsError
from .output import out
from .progress import events_progress

app = typer.Typer(
    help="Rebuild a service's read models from its event store, or verify them against it.",
    no_args_is_help=True,
)

MAX_PRINTED = 200


def _credits_projection() -> Projection:
    from services.credits.projections.read_models import CreditsProjection

    return CreditsProjection()


PROJECTIONS: dict[str, Callable[[], Projection]] = {"credits": _credits_projection}
"""The services that keep projections, and how to get each one."""

Service = Annotated[
    str, typer.Argument(metavar="SERVICE", help="The service: credits (the one with projections).")
]


def _projection(service: str) -> Projection:
    check_service(service)
    if service not in PROJECTIONS:
        raise InputError(
            f"{service} keeps no projection (its reads come from its event streams); "
            f"services with projections: {', '.join(PROJECTIONS)}"
        )
    return PROJECTIONS[service]()


@asynccontextmanager
async def _folding(
    config: OpsConfig, service: str, projection: Projection, doing: str
) -> AsyncIterator[tuple[asyncpg.Pool, Callable[[int], None]]]:
    """The service's pool, its projection tables created if missing, and a progress bar over
    its events; a database that fails is reported as unavailable."""
    async with service_pool(config, service) as pool:
        try:
            await migrate(pool, service, [PROJECTIONS_DDL, projection.ddl])
            total = await pool.fetchval("SELECT count(*) FROM events")
            with events_progress(f"{doing} {projection.name}", total) as told:
                yield pool, told
        except DATABASE_ERRORS as error:
            raise unavailable(service, error) from None


async def _rebuild(config: OpsConfig, service: str, projection: Projection) -> None:
    async with _folding(config, service, projection, "rebuilding") as (pool, told):
        try:
            report = await rebuild(pool, EventStore(pool), projection, service, progress=told)
        except RebuildRunningError as error:
            raise OpsError(str(error)) from None
    out.print(
        f"rebuilt {projection.name}: {report.events} events in {report.seconds:.2f} s "
        f"({report.events_per_second:,.0f} events/s)"
    )


async def _verify(config: OpsConfig, service: str, projection: Projection) -> int:
    async with _folding(config, service, projection, "verifying") as (pool, told):
        differences = await verify(pool, EventStore(pool), projection, progress=told)
    for difference in differences[:MAX_PRINTED]:
        out.print(str(difference), markup=False)
    if len(differences) > MAX_PRINTED:
        out.print(f"... and {len(differences) - MAX_PRINTED} more")
    if differences:
        out.print(f"{projection.name}: {len(differences)} difference(s) with the events")
        return DIFFERENCES
    out.print(f"{projection.name}: identical to a fold of the events")
    return 0


@app.command(name="rebuild")
def rebuild_command(service: Service) -> None:
    """Replay the service's event store into fresh tables and swap them in at once.

    The service keeps serving meanwhile; events stored during the replay are applied
    before the swap. Only one rebuild of a projection runs at a time.
    """
    projection = _projection(service)
    asyncio.run(_rebuild(OpsConfig.from_env(), service, projection))


@app.command(name="verify")
def verify_command(service: Service) -> None:
    """Fold the events and compare with the projection's rows.

    Prints every difference; exits 1 when there is any, 0 when the rows are identical.
    """
    projection = _projection(service)
    code = asyncio.run(_verify(OpsConfig.from_env(), service, projection))
    if code:
        raise typer.Exit(code)
