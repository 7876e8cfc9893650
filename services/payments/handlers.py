"""Small use cases behind the consumers and the HTTP API: schedule, refund, answer, webhook.

Each one folds the stream, lets the pure domain decide and appends; where the
worker has work to do, its job row is written in the same transaction as the
events. None of them calls Stripe.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Sequence

import asyncpg

from services.payments import jobs
from services.payments.domain import charging, refunds
from services.payments.domain.errors import IntentMismatchError, PaymentNotFoundError
from services.payments.domain.events import DomainEvent
from services.payments.domain.payment import ChargeOrder, Payment
from services.payments.domain.values import IntentView
from services.payments.gateway_types import WebhookEvent
from services.payments.repository import Streams
from shared.database import Conn
from shared.eventstore import ConcurrencyError
from shared.money import Money

log = logging.getLogger(__name__)

HANDLED_WEBHOOKS = frozenset({"payment_intent.succeeded", "payment_intent.payment_failed"})
WEBHOOK_ATTEMPTS = 20
REFUND_ATTEMPTS = 20


async def schedule_payment(
    payments: Streams[Payment],
    conn: Conn,
    order: ChargeOrder,
    correlation_id: uuid.UUID,
    causation_id: uuid.UUID,
) -> None:
    """Record a payment to make and queue it for the worker (a known payment: nothing)."""
    _, stored = await payments.change(
        order.payment_id,
        lambda s: charging.schedule(s, order),
        conn=conn,
        customer_id=order.customer_id,
        correlation_id=correlation_id,
        causation_id=causation_id,
    )
    if stored:
        await jobs.schedule(conn, order.payment_id, order.customer_id)


async def answer_refund(
    payments: Streams[Payment],
    conn: Conn,
    customer_id: str,
    payment_id: str,
    decide: Callable[[Payment], Sequence[DomainEvent]],
    causation_id: uuid.UUID,
) -> None:
    """Record credits' answer to a refund request and let the worker go on."""
    order = (await payments.load(payment_id, conn)).state.order
    if order is None or order.customer_id != customer_id:
        raise PaymentNotFoundError(payment_id)
    _, stored = await payments.change(payment_id, decide, conn=conn, causation_id=causation_id)
    if stored:
        await jobs.schedule(conn, payment_id, customer_id)


async def request_refund(
    pool: asyncpg.Pool,
    payments: Streams[Payment],
    payment_id: str,
    amount: str | None,
    reason: str,
) -> Payment:
    """Ask for a refund (``amount`` a decimal string; None: all that is refundable).

    A refund approved at once (an invoice payment's) is queued for the worker in
    the same transaction; a top-up's waits for credits' answer.
    """
    order = (await payments.load(payment_id)).state.order
    if order is None:
        raise PaymentNotFoundError(payment_id)
    minor = None if amount is None else Money.parse(amount, order.currency).minor
    for _ in range(REFUND_ATTEMPTS):
        try:
            async with pool.acquire() as conn, conn.transaction():
                state, _ = await payments.change(
                    payment_id, lambda s: refunds.request_refund(s, minor, reason), conn=conn
                )
                if refunds.refund_pending(state):
                    await jobs.schedule(conn, payment_id, order.customer_id)
                return state
        except ConcurrencyError:
            continue
    raise ConcurrencyError(f"payment-{payment_id}", 0)


async def _settle_from_webhook(payments: Streams[Payment], conn: Conn, intent: IntentView) -> None:
    if intent.payment_id is None:
        return
    order = (await payments.load(intent.payment_id, conn)).state.order
    if order is None:
        return
    try:
        _, stored = await payments.change(
            order.payment_id, lambda s: charging.settle_if_waiting(s, intent), conn=conn
        )
    except IntentMismatchError as exc:
        log.warning("webhook for %s ignored: %s", intent.intent_id, exc)
        return
    if stored:
        await jobs.schedule(conn, order.payment_id, order.customer_id)


async def apply_webhook(
    pool: asyncpg.Pool, payments: Streams[Payment], event: WebhookEvent
) -> bool:
    """Settle a waiting payment from a verified Stripe event, once per event id.

    Returns False when the event is not one we handle or was handled before.
    """
    if event.intent is None or event.event_type not in HANDLED_WEBHOOKS:
        return False
    for _ in range(WEBHOOK_ATTEMPTS):
        try:
            async with pool.acquire() as conn, conn.transaction():
                if await jobs.webhook_seen(conn, event.event_id):
                    return False
                await _settle_from_webhook(payments, conn, event.intent)
                await jobs.record_webhook(conn, event.event_id, event.event_type)
                return True
        except ConcurrencyError:
            continue
        except asyncpg.UniqueViolationError:
            return False
    raise ConcurrencyError(f"webhook {event.event_id}", 0)
