"""The charge worker: due jobs, one payment lock each, steps run outside any transaction.

A background job of the service (``ServiceSpec.background``). For each due job
it takes the payment's session advisory lock (skipping payments another
worker holds), folds the payment, and runs ``next_step`` until nothing is
left (the job is dropped), the payment waits on the customer (3-D Secure: it
is polled again later, with backoff) or Stripe cannot be reached (retried
with backoff; the payment stays pending). Each job's task binds the payment's
correlation id for its log lines (``shared.log_context``).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable

import asyncpg

from services.payments import jobs
from services.payments.domain.charging import Step, next_step
from services.payments.domain.payment import Payment
from services.payments.gateway_types import StripeUnavailableError
from services.payments.locks import advisory_lock
from services.payments.repository import Streams
from services.payments.settings import PaymentsSettings
from services.payments.steps import PaymentSteps
from shared.database import Conn
from shared.log_context import bind_log_fields
from shared.wakeup import Wakeup

log = logging.getLogger(__name__)

MAX_STEPS_PER_PASS = 8
DUE_JOBS_TIMEOUT = 10.0


def backoff(first: float, most: float, times: int) -> float:
    """``first`` doubled ``times`` times, at most ``most``."""
    return float(min(most, first * 2 ** min(times, 30)))


class PaymentWorker:
    """Drives payments through their steps, a few at a time."""

    def __init__(
        self,
        pool_of: Callable[[], asyncpg.Pool],
        payments: Streams[Payment],
        steps: PaymentSteps,
        settings: PaymentsSettings,
    ) -> None:
        self._pool_of = pool_of
        self._payments = payments
        self._steps = steps
        self._settings = settings
        self._busy: dict[str, asyncio.Task[None]] = {}
        self._wakeup = Wakeup(settings.payments_worker_poll_interval)
        self.passes = 0

    def wake(self) -> None:
        """A payment may be due now (an event was appended): look for due jobs now."""
        self._wakeup.wake()

    async def run(self) -> None:
        """Look for due jobs for ever; stop (cancelled) with the service."""
        try:
            while True:
                try:
                    if await self._dispatch():
                        self._wakeup.found()
                except Exception:
                    log.exception("payments worker: looking for due jobs failed")
                await self._wakeup.wait()
        finally:
            for task in list(self._busy.values()):
                task.cancel()
            for task in list(self._busy.values()):
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await task

    async def _dispatch(self) -> int:
        """Start the due jobs there is room for; return how many started."""
        free = self._settings.payments_worker_concurrency - len(self._busy)
        if free <= 0:
            return 0
        try:
            # bounded: after a database restart a pool's acquire can wait for good
            async with asyncio.timeout(DUE_JOBS_TIMEOUT):
                due = await jobs.due(self._pool_of(), free, list(self._busy))
        except (
            OSError,
            asyncpg.PostgresError,
            asyncpg.InterfaceError,
            asyncpg.InternalClientError,
        ) as exc:
            log.warning("payments worker: cannot read jobs (%r)", exc)
            return 0
        for job in due:
            task = asyncio.create_task(self.process(job), name=f"payment-{job.payment_id}")
            self._busy[job.payment_id] = task
            task.add_done_callback(self._forget)
        return len(due)

    def _forget(self, task: asyncio.Task[None]) -> None:
        for key, running in list(self._busy.items()):
            if running is task:
                del self._busy[key]

    async def process(self, job: jobs.Job) -> None:
        """Advance one payment as far as it goes now, under its lock.

        A pass that takes longer than ``payments_pass_timeout`` (a connection lost
        without an error, a server that stopped answering) is cancelled and logged
        with where it hung, and the job is taken up again later: the steps are made
        to be rerun after a stop at any point, as after a crash.
        """
        try:
            async with asyncio.timeout(self._settings.payments_pass_timeout):
                async with advisory_lock(self._pool_of(), f"payment:{job.payment_id}") as conn:
                    if conn is None:
                        return
                    await self._advance_or_postpone(conn, job)
        except TimeoutError:
            log.exception("payments worker: payment %s: pass timed out", job.payment_id)
        except Exception:
            log.exception("payments worker: payment %s failed", job.payment_id)

    async def _advance_or_postpone(self, conn: Conn, job: jobs.Job) -> None:
        settings = self._settings
        try:
            await self._advance(conn, job)
        except StripeUnavailableError as exc:
            delay = backoff(
                settings.payments_retry_backoff, settings.payments_retry_backoff_max, job.failures
            )
            log.warning(
                "payment %s: Stripe unavailable (%s), again in %.1fs", job.payment_id, exc, delay
            )
            await jobs.postpone(conn, job, delay, failed=True, error=str(exc)[:500])
        except Exception as exc:
            delay = backoff(
                settings.payments_retry_backoff, settings.payments_retry_backoff_max, job.failures
            )
            log.exception("payment %s: step failed, again in %.1fs", job.payment_id, delay)
            await jobs.postpone(conn, job, delay, failed=True, error=repr(exc)[:500])

    async def _advance(self, conn: Conn, job: jobs.Job) -> None:
        self.passes += 1
        for done in range(MAX_STEPS_PER_PASS):
            loaded = await self._payments.load(job.payment_id, conn)
            bind_log_fields(
                correlation_id=loaded.correlation_id,
                causation_id=loaded.last_event_id,
                payment_id=job.payment_id,
            )
            state = loaded.state
            step = next_step(state)
            if step is None:
                await jobs.finish(conn, job)
                return
            if step is Step.POLL_INTENT and not (done == 0 and job.polls > 0):
                settings = self._settings
                delay = backoff(
                    settings.payments_action_poll, settings.payments_action_poll_max, job.polls
                )
                await jobs.postpone(conn, job, delay, failed=False)
                return
            log.info("payment %s: %s", job.payment_id, step.name.lower().replace("_", " "))
            await self._steps.run(step, conn, state)
