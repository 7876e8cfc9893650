"""``billing outbox status``: how far each service's relay has published its event store.

Read from each service's database: the events stored (count, last position, last
recorded time), the relay's checkpoint (``outbox_checkpoints``: the last
``(transaction_id, position)`` published, events passed so far) and the lag, the
events stored after that checkpoint, which the relay has yet to publish.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated

import typer
from rich.table import Table

from services.platform import SERVICE_NAMES

from .config import OpsConfig, check_service
from .database import DATABASE_ERRORS, service_pool, unavailable
from .errors import UNAVAILABLE, OpsError
from .output import err, minute, out

app = typer.Typer(
    help="How far each service's outbox relay has published (from the services' databases).",
    no_args_is_help=True,
)

_STORED = "SELECT count(*), max(position), max(recorded_at) FROM events"
_CHECKPOINT = """SELECT transaction_id, position, published, updated_at
                 FROM outbox_checkpoints WHERE relay_name = $1"""
_LAG = """SELECT count(*) FROM events
          WHERE (transaction_id, position) > ($1::text::xid8, $2::bigint)"""


@dataclass(frozen=True, slots=True)
class RelayStatus:
    """What one service has stored and what its relay has published."""

    service: str
    events: int
    last_position: int | None
    last_recorded: datetime | None
    checkpoint: tuple[int, int] | None
    passed: int
    checkpoint_moved: datetime | None
    lag: int


async def _status(config: OpsConfig, service: str) -> RelayStatus:
    async with service_pool(config, service) as pool:
        try:
            async with (
                pool.acquire() as conn,
                conn.transaction(isolation="repeatable_read", readonly=True),
            ):
                stored = await conn.fetchrow(_STORED)
                assert stored is not None  # an aggregate always answers one row
                events, last, recorded = stored
                row = await conn.fetchrow(_CHECKPOINT, service)
                after = (0, 0) if row is None else (row[0], row[1])
                lag = await conn.fetchval(_LAG, str(after[0]), after[1])
        except DATABASE_ERRORS as error:
            raise unavailable(service, error) from None
    return RelayStatus(
        service, events, last, recorded,
        None if row is None else after, 0 if row is None else row[2],
        None if row is None else row[3], lag,
    )  # fmt: skip


async def _statuses(config: OpsConfig, services: list[str]) -> list[RelayStatus | OpsError]:
    async def one(service: str) -> RelayStatus | OpsError:
        try:
            return await _status(config, service)
        except OpsError as error:
            return error

    return list(await asyncio.gather(*(one(s) for s in services)))


def _table(found: list[RelayStatus | OpsError], services: list[str]) -> Table:
    table = Table(title="Outbox relays", title_justify="left")
    table.add_column("service", no_wrap=True)
    for column in ("events", "last position", "last recorded"):
        table.add_column(column, justify="right")
    for column in ("relay checkpoint", "passed", "moved", "lag"):
        table.add_column(column, justify="right")
    for service, status in zip(services, found, strict=True):
        if isinstance(status, OpsError):
            table.add_row(service, "unreachable", "", "", "", "", "", "?")
            continue
        table.add_row(
            service,
            str(status.events),
            "-" if status.last_position is None else str(status.last_position),
            "-" if status.last_recorded is None else minute(status.last_recorded),
            "-" if status.checkpoint is None else f"{status.checkpoint[0]}:{status.checkpoint[1]}",
            str(status.passed),
            "-" if status.checkpoint_moved is None else minute(status.checkpoint_moved),
            str(status.lag),
        )
    return table


@app.command()
def status(
    service: Annotated[
        str | None, typer.Option(help="Only this service: credits, payments or invoicing.")
    ] = None,
) -> None:
    """Per service: events stored, last position, relay checkpoint, lag (events unpublished).

    Lag 0 means the relay has published every event stored so far. Exits 3 when a
    service's database does not answer (the others are still shown).
    """
    config = OpsConfig.from_env()
    services = [check_service(service)] if service else list(SERVICE_NAMES)
    found = asyncio.run(_statuses(config, services))
    out.print(_table(found, services))
    failures = [f for f in found if isinstance(f, OpsError)]
    for failure in failures:
        err.print(f"billing: error: {failure.message}", markup=False)
    if failures:
        raise typer.Exit(UNAVAILABLE)
