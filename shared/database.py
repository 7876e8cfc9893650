"""PostgreSQL connection pools and idempotent schema migrations for one service.

Each service keeps its tables in a PostgreSQL schema named after itself
(``credits``, ``payments``, ``invoicing``), so it never touches another
service's tables even when operators point every service at the same database.
Migrations are plain ``CREATE ... IF NOT EXISTS`` statements run under a
transaction-scoped advisory lock, so several replicas can start at once.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Sequence

import asyncpg
import orjson
from asyncpg.pool import PoolConnectionProxy

Conn = asyncpg.Connection | PoolConnectionProxy
"""A connection, whether opened directly or acquired from a pool."""

Executor = Conn | asyncpg.Pool
"""Anything that runs a statement: a connection or a pool."""

_SCHEMA_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


def check_schema_name(schema: str) -> str:
    """Return ``schema`` when it is a safe, unquoted PostgreSQL identifier."""
    if not _SCHEMA_NAME.fullmatch(schema):
        raise ValueError(f"invalid schema name {schema!r}: use lower-case letters, digits, _")
    return schema


def _encode_jsonb(value: object) -> bytes:
    return b"\x01" + orjson.dumps(value)


def _decode_jsonb(data: bytes) -> object:
    return orjson.loads(data[1:])


async def _init_connection(conn: asyncpg.Connection) -> None:
    await conn.set_type_codec(
        "jsonb",
        encoder=_encode_jsonb,
        decoder=_decode_jsonb,
        schema="pg_catalog",
        format="binary",
    )


async def create_pool(
    database_url: str,
    schema: str,
    *,
    min_size: int = 1,
    max_size: int = 10,
) -> asyncpg.Pool:
    """Open a pool whose connections see ``schema`` first on their search path."""
    check_schema_name(schema)
    pool = await asyncpg.create_pool(
        database_url,
        min_size=min_size,
        max_size=max_size,
        server_settings={"search_path": f"{schema},public", "application_name": schema},
        init=_init_connection,
    )
    assert pool is not None
    return pool


async def migrate(pool: asyncpg.Pool, schema: str, ddl: Sequence[str]) -> None:
    """Create ``schema`` and run each idempotent DDL script inside it, once at a time."""
    check_schema_name(schema)
    lock_key = zlib.crc32(f"billing-migrate:{schema}".encode())
    async with pool.acquire() as conn, conn.transaction():
        await conn.execute("SELECT pg_advisory_xact_lock($1)", lock_key)
        await conn.execute(f"CREATE SCHEMA IF NOT EXISTS {schema}")
        await conn.execute(f"SET LOCAL search_path TO {schema}")
        for script in ddl:
            await conn.execute(script)
