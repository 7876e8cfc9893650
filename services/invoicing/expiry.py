"""The expiry job: invoices whose due date has passed unpaid become expired, once each.

Every ``INVOICING_EXPIRY_INTERVAL`` seconds the job reads the due-date table
for invoices due by now and decides, on each invoice's folded stream, whether
it expires. Several replicas may run the job at once: the stream's optimistic
concurrency lets only one ``InvoiceExpired`` be appended (the other append
fails, and on its next look that replica finds the invoice expired and does
nothing).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

import asyncpg

from shared.eventstore import ConcurrencyError, EventStore, utc_now

from . import handlers, invoice_index

log = logging.getLogger(__name__)


class ExpiryJob:
    """Looks for due invoices at a fixed pace and expires those left unpaid."""

    def __init__(
        self,
        pool_of: Callable[[], asyncpg.Pool],
        store_of: Callable[[], EventStore],
        interval: float,
        *,
        batch_size: int = 200,
    ) -> None:
        self._pool_of = pool_of
        self._store_of = store_of
        self.interval = interval
        self.batch_size = batch_size
        self.expired_total = 0

    async def run_once(self) -> int:
        """Look at the invoices due by now; return how many this call expired.

        An invoice whose expiry cannot be decided is logged and skipped, so it
        never holds back the others; losing the database ends the look.
        """
        pool, store = self._pool_of(), self._store_of()
        expired = 0
        for invoice_id in await invoice_index.due(pool, self.batch_size):
            try:
                expired += await handlers.expire(pool, store, invoice_id, utc_now())
            except ConcurrencyError:
                log.info("invoice %s changed while expiring; looking again later", invoice_id)
            except (OSError, asyncpg.PostgresConnectionError, asyncpg.InterfaceError):
                raise
            except Exception:
                log.exception("invoice %s: could not decide its expiry; skipped", invoice_id)
        self.expired_total += expired
        return expired

    async def run(self) -> None:
        """Look for due invoices until cancelled; errors are logged and retried."""
        while True:
            try:
                await self.run_once()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("invoice expiry: error, retrying")
            await asyncio.sleep(self.interval)
