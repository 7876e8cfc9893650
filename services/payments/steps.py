"""The worker's steps: each records what it is about to do, calls Stripe, records the result.

No step calls Stripe inside a database transaction: every append commits on
its own (on the session that holds the payment's advisory lock) before the
next Stripe call. The order is what makes a retry safe:

1. ``ChargeAttempted`` commits before any PaymentIntent is created;
2. a payment found ``attempted`` (an earlier try got that far, then crashed or
   lost Stripe's answer) is looked up at Stripe by ``metadata.payment_id``
   first, and a PaymentIntent is created only when none exists;
3. refunds follow the same rule with ``RefundAttempted`` and the refund's
   ``metadata.refund_key``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence

from services.payments.domain import charging, refunds
from services.payments.domain.events import DomainEvent
from services.payments.domain.payment import ChargeOrder, Payment, Phase
from services.payments.domain.values import IntentView
from services.payments.gateway_types import (
    CardDeclinedError,
    CardUnavailableError,
    IntentRequest,
    StripeRejectedError,
)
from services.payments.profiles import ProfileService
from services.payments.repository import Streams
from services.payments.stripe_gateway import StripeGateway
from shared.database import Conn
from shared.faults import crash_point

FaultHook = Callable[[str], Awaitable[None]]
"""Called at named points (``charge:after_stripe_call``...); tests make it crash there."""

AFTER_CHARGE_CALL = "charge:after_stripe_call"
AFTER_REFUND_CALL = "refund:after_stripe_call"
_REFUSED = (CardDeclinedError, CardUnavailableError, StripeRejectedError)


class PaymentSteps:
    """Runs one step of a payment's work (see ``charging.next_step``)."""

    def __init__(
        self, payments: Streams[Payment], profiles: ProfileService, gateway: StripeGateway
    ) -> None:
        self._payments = payments
        self._profiles = profiles
        self._gateway = gateway
        self.fault_hook: FaultHook | None = None

    async def _fault(self, point: str) -> None:
        crash_point(point)
        if self.fault_hook is not None:
            await self.fault_hook(point)

    async def _record(
        self, conn: Conn, order: ChargeOrder, decide: Callable[[Payment], Sequence[DomainEvent]]
    ) -> Payment:
        state, _ = await self._payments.change(order.payment_id, decide, conn=conn)
        return state

    async def run(self, step: charging.Step, conn: Conn, state: Payment) -> None:
        """Run ``step`` for the payment whose current state is ``state``."""
        match step:
            case charging.Step.CHARGE:
                await self.charge(conn, state)
            case charging.Step.POLL_INTENT:
                await self.poll_intent(conn, state)
            case charging.Step.SAVE_CARD:
                await self.save_card(conn, state)
            case charging.Step.REFUND:
                await self.refund(conn, state)

    async def charge(self, conn: Conn, state: Payment) -> None:
        """Charge the card once: record the attempt, find or create the PaymentIntent, settle."""
        order = state.require_order()
        method = await self._card_to_charge(conn, state)
        if method is None:
            await self._record(conn, order, charging.fail_without_card)
            return
        look_up = charging.must_look_up_intent(state)
        await self._record(conn, order, lambda s: charging.record_attempt(s, method))
        stripe_id = await self._profiles.ensure_customer(order.customer_id, conn)
        found = await self._gateway.find_intent(stripe_id, order.payment_id) if look_up else None
        if found is not None:
            card, _ = await self._gateway.retrieve_card(method)
            await self._record(conn, order, lambda s: charging.settle(s, card, found))
            return
        await self._create_intent(conn, order, stripe_id, method)

    async def _card_to_charge(self, conn: Conn, state: Payment) -> str | None:
        order = state.require_order()
        method = state.payment_method_id or order.payment_method_id
        if method is None:
            method = (await self._profiles.profile(order.customer_id, conn)).default_card_id
        return method

    async def _create_intent(
        self, conn: Conn, order: ChargeOrder, stripe_id: str, method: str
    ) -> None:
        try:
            card = await self._gateway.prepare_card(method, stripe_id)
            intent = await self._gateway.create_intent(_request(order, stripe_id, method))
        except _REFUSED as refused:
            code, message = refused.code, refused.message
            await self._fault(AFTER_CHARGE_CALL)
            await self._record(conn, order, lambda s: charging.fail(s, code, message))
            return
        await self._fault(AFTER_CHARGE_CALL)
        await self._record(conn, order, lambda s: charging.settle(s, card, intent))

    async def poll_intent(self, conn: Conn, state: Payment) -> bool:
        """Ask Stripe how a waiting PaymentIntent stands; return whether it settled."""
        if state.intent_id is None:
            raise ValueError("a waiting payment has an intent")
        intent: IntentView = await self._gateway.retrieve_intent(state.intent_id)
        after = await self._record(
            conn, state.require_order(), lambda s: charging.settle(s, None, intent)
        )
        return after.phase not in (Phase.REQUIRES_ACTION, Phase.PROCESSING)

    async def save_card(self, conn: Conn, state: Payment) -> None:
        """Save the charged card to the customer's profile, as the top-up asked."""
        order = state.require_order()
        if state.card is None:
            raise ValueError("a captured payment knows its card")
        loaded = await self._payments.load(order.payment_id, conn)
        await self._profiles.save_charged_card(
            order.customer_id, state.card, order.set_default, conn, loaded.correlation_id
        )
        await self._record(conn, order, charging.complete_card_save)

    async def refund(self, conn: Conn, state: Payment) -> None:
        """Pay an approved refund out once: record the attempt, find or create, record."""
        order = state.require_order()
        if state.intent_id is None:
            raise ValueError("a captured payment has an intent")
        intent_id = state.intent_id
        look_up = refunds.must_look_up_refund(state)
        key = refunds.refund_key(state)
        state = await self._record(conn, order, refunds.record_refund_attempt)
        open_refund = state.open_refund
        if open_refund is None:
            return
        found = await self._gateway.find_refund(intent_id, key) if look_up else None
        if found is None:
            try:
                found = await self._gateway.create_refund(
                    intent_id, open_refund.amount, key, order.payment_id
                )
            except _REFUSED as refused:
                code, message = refused.code, refused.message
                await self._fault(AFTER_REFUND_CALL)
                await self._record(conn, order, lambda s: refunds.fail_refund(s, code, message))
                return
        await self._fault(AFTER_REFUND_CALL)
        refund_id = found
        await self._record(conn, order, lambda s: refunds.complete_refund(s, refund_id))


def _request(order: ChargeOrder, stripe_customer_id: str, method: str) -> IntentRequest:
    return IntentRequest(
        payment_id=order.payment_id,
        customer_id=order.customer_id,
        stripe_customer_id=stripe_customer_id,
        payment_method_id=method,
        amount=order.amount,
        currency=order.currency,
        purpose=order.purpose,
        reference_id=order.reference_id,
        off_session=order.purpose != "credit_topup",
    )
