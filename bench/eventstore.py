"""Event store benchmark: appends/s, batched appends, global reads, against pgbench's limit.

``python -m bench.eventstore`` (``make bench``) measures on one PostgreSQL server
(``DATABASE_URL`` when set, else an embedded one in a temporary folder):

1. single-event appends to distinct streams by 8 concurrent writers;
2. appends of 100 events each;
3. reading every event in global order, in pages;
4. ``pgbench`` running a single-row INSERT with 8 clients on the same server,
   the limit our append rate is compared with.

Each writer appends through its own connection; writers run in one or more
processes (``--processes``). Figures are printed and written as JSON
under ``bench/results/``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import re
import statistics
import subprocess
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import uvloop

from bench.machine import machine_facts
from shared.database import create_pool, migrate
from shared.devservers.postgres import create_database, pg_bin_dir
from shared.devservers.stack import DevStack
from shared.eventstore import EVENTS_DDL, START, EventStore, NewEvent
from shared.tuning import tune_gc

SCHEMA = "bench"
PAYLOAD = {"request_id": "r-1", "amount": 4776, "currency": "USD", "description": "test"}


def _event() -> NewEvent:
    return NewEvent("CreditAdded", "cust-1", PAYLOAD, correlation_id=uuid.uuid4())


async def _writer_process(dsn: str, writers: int, appends: int, batch: int) -> None:
    pool = await create_pool(dsn, SCHEMA, min_size=writers, max_size=writers)
    store = EventStore(pool)

    async def writer() -> None:
        async with pool.acquire() as conn:  # a writer is one connection
            for _ in range(appends):
                events = [_event() for _ in range(batch)]
                await store.append(f"s-{uuid.uuid4().hex}", events, 0, conn=conn)

    await asyncio.gather(*(writer() for _ in range(writers)))
    await pool.close()


def _run_writer(dsn: str, writers: int, appends: int, batch: int, start: Any) -> None:
    tune_gc()
    start.wait()
    uvloop.run(_writer_process(dsn, writers, appends, batch))


def measure_appends(dsn: str, writers: int, processes: int, events: int, batch: int) -> float:
    """Return events/s appended by ``writers`` writers spread over ``processes`` processes."""
    per_process = writers // processes
    appends_per_writer = events // (writers * batch)
    ctx = multiprocessing.get_context("spawn")
    start = ctx.Event()
    workers = [
        ctx.Process(target=_run_writer, args=(dsn, per_process, appends_per_writer, batch, start))
        for _ in range(processes)
    ]
    for worker in workers:
        worker.start()
    time.sleep(1.5)  # let every process import and connect before the clock starts
    began = time.perf_counter()
    start.set()
    for worker in workers:
        worker.join()
        if worker.exitcode != 0:
            raise RuntimeError(f"writer process failed with exit code {worker.exitcode}")
    elapsed = time.perf_counter() - began
    return appends_per_writer * writers * batch / elapsed


async def measure_reads(dsn: str, page: int) -> tuple[int, float]:
    """Return (events read, events/s) reading the whole log in global order."""
    pool = await create_pool(dsn, SCHEMA, max_size=1)
    store = EventStore(pool)
    began = time.perf_counter()
    total, after = 0, START
    while batch := await store.read_all(after, limit=page):
        total += len(batch)
        after = batch[-1].checkpoint
    elapsed = time.perf_counter() - began
    await pool.close()
    return total, total / elapsed


def pgbench_insert_tps(dsn: str, clients: int, seconds: int) -> float:
    """Return pgbench's tx/s for a single-row INSERT with ``clients`` clients."""
    bin_dir = pg_bin_dir()
    with tempfile.TemporaryDirectory() as folder:
        script = Path(folder) / "insert.sql"
        script.write_text(
            "INSERT INTO pgbench_insert (stream_id, payload) VALUES ('s', "
            f"'{json.dumps(PAYLOAD)}');\n"
        )
        subprocess.run(
            [
                str(bin_dir / "psql"),
                dsn,
                "-q",
                "-c",
                "SET client_min_messages = warning; "
                "CREATE TABLE IF NOT EXISTS pgbench_insert (id bigint GENERATED ALWAYS AS "
                "IDENTITY, stream_id text NOT NULL, payload jsonb NOT NULL)",
            ],
            check=True,
        )
        done = subprocess.run(
            [
                str(bin_dir / "pgbench"),
                "-n",
                "-f",
                str(script),
                "-c",
                str(clients),
                "-j",
                "2",
                "-T",
                str(seconds),
                dsn,
            ],
            check=True,
            capture_output=True,
            text=True,
        )
    match = re.search(r"tps = ([0-9.]+)", done.stdout)
    if match is None:
        raise RuntimeError(f"no tps in pgbench output:\n{done.stdout}")
    return float(match.group(1))


async def _prepare(dsn: str) -> None:
    pool = await create_pool(dsn, SCHEMA, max_size=1)
    await migrate(pool, SCHEMA, [EVENTS_DDL])
    await pool.close()


def run(args: argparse.Namespace) -> dict[str, Any]:
    """Run every measurement once and return the figures."""
    stack = DevStack(
        Path(tempfile.mkdtemp(prefix="bench-")), postgres_settings={"max_connections": 200}
    )
    stack.start(["postgres"])
    try:
        dsn = create_database(stack.database_url, f"bench_{uuid.uuid4().hex[:8]}")
        uvloop.run(_prepare(dsn))
        # Appends and pgbench alternate, so that both see the same machine load.
        singles, limits = [], []
        for _ in range(args.rounds):
            singles.append(measure_appends(dsn, args.writers, args.processes, args.events, 1))
            limits.append(pgbench_insert_tps(dsn, args.writers, args.pgbench_seconds))
        single, limit = statistics.median(singles), statistics.median(limits)
        batched = measure_appends(dsn, args.writers, args.processes, args.batched_events, 100)
        read_count, read_rate = uvloop.run(measure_reads(dsn, args.page))
    finally:
        stack.stop()
    return {
        "benchmark": "eventstore",
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine_facts(),
        "writers": args.writers,
        "writer_processes": args.processes,
        "single_appends_per_s": round(single),
        "single_events_per_round": args.events,
        "rounds": args.rounds,
        "single_appends_per_s_each_round": [round(x) for x in singles],
        "pgbench_tps_each_round": [round(x) for x in limits],
        "batched_events_per_s": round(batched),
        "batched_events": args.batched_events,
        "read_events": read_count,
        "read_events_per_s": round(read_rate),
        "pgbench_insert_tps_8_clients": round(limit),
        "single_appends_pct_of_pgbench": round(
            100 * statistics.median(a / b for a, b in zip(singles, limits, strict=True)), 1
        ),
        "single_appends_pct_of_pgbench_each_round": [
            round(100 * a / b, 1) for a, b in zip(singles, limits, strict=True)
        ],
        "targets": {"single_appends_pct_of_pgbench": 60, "read_events_per_s": 200_000},
    }


def main() -> None:
    """Parse options, run, print and save the figures."""
    parser = argparse.ArgumentParser(prog="python -m bench.eventstore", description=__doc__)
    parser.add_argument("--writers", type=int, default=8)
    parser.add_argument("--processes", type=int, default=1)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--events", type=int, default=24_000)
    parser.add_argument("--batched-events", type=int, default=200_000)
    parser.add_argument("--page", type=int, default=10_000)
    parser.add_argument("--pgbench-seconds", type=int, default=5)
    args = parser.parse_args()
    tune_gc()  # as every service process does
    figures = run(args)
    rows = [
        ("8-writer single-event appends (median)", f"{figures['single_appends_per_s']:,} events/s"),
        ("batched appends (100/append)", f"{figures['batched_events_per_s']:,} events/s"),
        (
            f"global read of {figures['read_events']:,} events",
            f"{figures['read_events_per_s']:,} events/s",
        ),
        (
            "pgbench single-row INSERT, 8 clients",
            f"{figures['pgbench_insert_tps_8_clients']:,} tx/s",
        ),
        (
            "appends as % of pgbench (median of rounds)",
            f"{figures['single_appends_pct_of_pgbench']} % (target 60 %)",
        ),
    ]
    for label, value in rows:
        print(f"{label:<40} {value}")
    out = Path("bench/results") / f"eventstore-{figures['at'][:19].replace(':', '')}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(figures, indent=2) + "\n")
    print(f"saved {out}")


if __name__ == "__main__":
    main()
