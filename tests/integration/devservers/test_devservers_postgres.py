"""The embedded PostgreSQL: asyncpg connects, databases are created idempotently, pgbench runs."""

import asyncio
import os
import signal
import subprocess
import uuid
from pathlib import Path

import asyncpg
import pytest

from shared.devservers import (
    DevStack,
    create_database,
    create_database_async,
    drop_database,
    pg_bin_dir,
    start_postgres,
)

pytestmark = pytest.mark.integration


async def test_server_accepts_an_asyncpg_connection(database_url: str, dev_stack: DevStack) -> None:
    conn = await asyncpg.connect(database_url)
    try:
        assert await conn.fetchval("SELECT 40 + 2") == 42
        if dev_stack.postgres is not None and dev_stack.postgres.process is not None:
            assert int(await conn.fetchval("SHOW server_version_num")) >= 180000
    finally:
        await conn.close()


async def test_create_database_twice_returns_the_same_usable_database(database_url: str) -> None:
    name = f"idem_{uuid.uuid4().hex[:8]}"
    first = create_database(database_url, name)
    second = create_database(database_url, name)
    assert first == second
    assert await create_database_async(database_url, name) == first
    conn = await asyncpg.connect(first)
    try:
        assert await conn.fetchval("SELECT current_database()") == name
    finally:
        await conn.close()
    drop_database(database_url, name)
    server = await asyncpg.connect(database_url)
    try:
        assert await server.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name) is None
    finally:
        await server.close()


async def test_fresh_database_is_new_and_empty(fresh_database_url: str) -> None:
    conn = await asyncpg.connect(fresh_database_url)
    try:
        name = await conn.fetchval("SELECT current_database()")
        assert name.startswith("t_test_fresh_database_is_new_and_empty_")
        tables = await conn.fetchval(
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'"
        )
        assert tables == 0
        await conn.execute("CREATE TABLE t (id int)")
    finally:
        await conn.close()


def test_bundled_pgbench_runs_against_the_socket(
    dev_stack: DevStack, fresh_database_url: str
) -> None:
    dev_stack.start(["postgres"])
    server = dev_stack.postgres
    if server is None or server.process is None:
        pytest.skip("DATABASE_URL names an external server")
    database = fresh_database_url.split("?")[0].rsplit("/", 1)[1]
    pgbench = str(pg_bin_dir() / "pgbench")
    env = server.client_env()
    init = subprocess.run(
        [pgbench, "-i", "-s", "1", "-q", database],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert init.returncode == 0, init.stderr
    run = subprocess.run(
        [pgbench, "-c", "2", "-t", "50", database],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr
    assert "number of transactions actually processed: 100/100" in run.stdout


async def test_extra_settings_and_tcp_listener(tmp_path: Path) -> None:
    server = start_postgres(tmp_path / "pg", settings={"max_connections": 200})
    try:
        assert server.tcp_dsn is not None
        for dsn in (server.dsn, server.tcp_dsn):
            conn = await asyncpg.connect(dsn)
            try:
                assert await conn.fetchval("SHOW max_connections") == "200"
            finally:
                await conn.close()
    finally:
        server.stop()
    assert not (tmp_path / "pg" / "pgdata" / "postmaster.pid").exists()


async def test_restart_after_postmaster_killed_mid_query(tmp_path: Path) -> None:
    folder = tmp_path / "pg"
    first = start_postgres(folder)
    assert first.process is not None
    old_pid = first.process.pid
    assert old_pid is not None
    busy = await asyncpg.connect(first.dsn)
    query = asyncio.ensure_future(
        busy.fetchval("SELECT count(*) FROM generate_series(1, 2000000000)")
    )
    watcher = await asyncpg.connect(first.dsn)
    try:
        for _ in range(200):  # until the query runs (at most ~10 s)
            running = await watcher.fetchval(
                "SELECT count(*) FROM pg_stat_activity WHERE state = 'active'"
                " AND query LIKE '%generate_series%' AND pid <> pg_backend_pid()"
            )
            if running:
                break
            await asyncio.sleep(0.05)
        assert running == 1
    finally:
        await watcher.close()
    os.kill(old_pid, signal.SIGKILL)
    second = start_postgres(folder)
    try:
        conn = await asyncpg.connect(second.dsn)
        try:
            assert await conn.fetchval("SELECT 1") == 1
        finally:
            await conn.close()
    finally:
        second.stop()
        first.stop()
        query.cancel()
        busy.terminate()
