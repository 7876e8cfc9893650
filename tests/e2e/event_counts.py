"""Count a platform's stored events that concern given customers or streams, in every service.

Tests of bad input use it to show that a refused request changed nothing: the count
is read just before the request and again just after it. The services' databases
are read through their own asyncpg connections on a private event loop, so plain
synchronous tests (schemathesis' and httpx's) can use it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable

import asyncpg

from services.platform import SERVICE_NAMES, LocalPlatform

_COUNT = """
SELECT count(*) FROM {schema}.events
 WHERE (customer_id = ANY($1::text[]) OR stream_id = ANY($2::text[]))
   AND event_type <> ALL($3::text[])
"""
BOOKKEEPING = ("StripeCustomerCreationStarted", "StripeCustomerLinked")
"""Payments' record of the customer's Stripe Customer, made before a card is attached (the
card may still be refused): it records what Stripe did, not a change the request asked for."""
STREAM_PREFIXES = ("credit-account-", "payment-profile-", "payment-", "invoice-")
"""Stream names of the services: each prefix followed by a customer, payment or invoice id."""


def streams_named_by(values: Iterable[str]) -> list[str]:
    """Every stream an id could name (a customer's account, a payment, an invoice...)."""
    return [f"{prefix}{value}" for value in values for prefix in STREAM_PREFIXES]


class EventCounts:
    """Open connections to the three services' databases; count events on demand."""

    def __init__(self, platform: LocalPlatform) -> None:
        self._loop = asyncio.new_event_loop()
        self._urls = {name: platform.env(name)["DATABASE_URL"] for name in SERVICE_NAMES}
        self._connections: dict[str, asyncpg.Connection] = {}

    def open(self) -> EventCounts:
        for name, url in self._urls.items():
            self._connections[name] = self._loop.run_until_complete(asyncpg.connect(url))
        return self

    def close(self) -> None:
        for connection in self._connections.values():
            self._loop.run_until_complete(connection.close())
        self._connections.clear()
        self._loop.close()

    def count(
        self,
        customers: Iterable[str],
        ids: Iterable[str] = (),
        ignored: Iterable[str] = BOOKKEEPING,
    ) -> dict[str, int]:
        """Per service: events of ``customers``, or on a stream named by one of ``ids``,
        apart from the ``ignored`` event types."""
        # PostgreSQL text never holds NUL, so no stored event can name such a value
        storable = [value for value in customers if "\x00" not in value]
        storable_ids = [value for value in ids if "\x00" not in value]
        counting = self._count(storable, storable_ids, list(ignored))
        return self._loop.run_until_complete(counting)

    async def _count(
        self, customers: list[str], ids: list[str], ignored: list[str]
    ) -> dict[str, int]:
        streams = streams_named_by([*customers, *ids])
        counts: dict[str, int] = {}
        for name, connection in self._connections.items():
            sql = _COUNT.format(schema=name)
            counts[name] = int(await connection.fetchval(sql, customers, streams, ignored))
        return counts
