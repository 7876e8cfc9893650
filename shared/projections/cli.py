"""The operator's command line for a service's projection: ``rebuild`` and ``verify``.

``rebuild`` replays the event store into fresh tables, swaps them in and prints
the rate; ``verify`` prints every difference between the tables and a fold of
the events and exits 1 when there is any, 0 when they are identical. The
database comes from ``DATABASE_URL`` (or ``--database-url``).
"""

from __future__ import annotations

import argparse
import asyncio
import os
from collections.abc import Sequence

from shared.database import create_pool, migrate
from shared.eventstore import EventStore
from shared.projections.base import Projection
from shared.projections.rebuild import rebuild
from shared.projections.schema import PROJECTIONS_DDL
from shared.projections.verify import verify

MAX_PRINTED = 200


async def _run(command: str, database_url: str, schema: str, projection: Projection) -> int:
    pool = await create_pool(database_url, schema, min_size=1, max_size=2)
    try:
        await migrate(pool, schema, [PROJECTIONS_DDL, projection.ddl])
        store = EventStore(pool)
        if command == "rebuild":
            report = await rebuild(pool, store, projection, schema)
            print(
                f"rebuilt {projection.name}: {report.events} events in {report.seconds:.2f} s "
                f"({report.events_per_second:,.0f} events/s)"
            )
            return 0
        differences = await verify(pool, store, projection)
    finally:
        await pool.close()
    for difference in differences[:MAX_PRINTED]:
        print(difference)
    if len(differences) > MAX_PRINTED:
        print(f"... and {len(differences) - MAX_PRINTED} more")
    if differences:
        print(f"{projection.name}: {len(differences)} difference(s) with the events")
        return 1
    print(f"{projection.name}: identical to a fold of the events")
    return 0


def main(argv: Sequence[str] | None, *, prog: str, schema: str, projection: Projection) -> int:
    """Run ``rebuild`` or ``verify`` on the projection kept in ``schema``; return the exit code."""
    parser = argparse.ArgumentParser(prog=prog, description=__doc__)
    parser.add_argument("command", choices=("rebuild", "verify"))
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL"))
    args = parser.parse_args(argv)
    if not args.database_url:
        parser.error("set DATABASE_URL or pass --database-url")
    return asyncio.run(_run(args.command, args.database_url, schema, projection))
