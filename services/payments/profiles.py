"""Payment profiles at work: the Stripe Customer created once, cards saved, defaulted, removed.

Every change that calls Stripe holds the profile's advisory lock, so two
requests for one customer never create two Stripe Customers or interleave
their card changes; the Stripe call happens with no transaction open.
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import AsyncIterator, Callable

import asyncpg

from services.payments.domain import profile as rules
from services.payments.domain.profile import Profile
from services.payments.domain.values import Card
from services.payments.locks import advisory_lock
from services.payments.repository import Streams
from services.payments.stripe_gateway import StripeGateway
from shared.database import Conn


class ProfileBusyError(Exception):
    """Another request holds the customer's payment profile for longer than we wait."""


class ProfileService:
    """Use cases of the payment profile."""

    def __init__(
        self,
        profiles: Streams[Profile],
        gateway: StripeGateway,
        pool_of: Callable[[], asyncpg.Pool],
        lock_wait: float,
    ) -> None:
        self._profiles = profiles
        self._gateway = gateway
        self._pool_of = pool_of
        self._lock_wait = lock_wait

    @contextlib.asynccontextmanager
    async def _locked(self, customer_id: str, conn: Conn | None) -> AsyncIterator[Conn]:
        source = conn if conn is not None else self._pool_of()
        key = f"payment-profile:{customer_id}"
        async with advisory_lock(source, key, wait=self._lock_wait) as held:
            if held is None:
                raise ProfileBusyError(customer_id)
            yield held

    async def profile(self, customer_id: str, conn: Conn | None = None) -> Profile:
        """The customer's profile as its events say (no Stripe call)."""
        return (await self._profiles.load(customer_id, conn)).state

    async def ensure_customer(self, customer_id: str, conn: Conn | None = None) -> str:
        """The customer's Stripe Customer id, created at Stripe the first time only."""
        known = (await self.profile(customer_id, conn)).stripe_customer_id
        if known is not None:
            return known
        async with self._locked(customer_id, conn) as held:
            state = await self.profile(customer_id, held)
            if state.stripe_customer_id is not None:
                return state.stripe_customer_id
            look_up = rules.must_look_up_customer(state)
            await self._profiles.change(customer_id, rules.start_customer_creation, conn=held)
            found = await self._gateway.find_customer(customer_id) if look_up else None
            stripe_id = found or await self._gateway.create_customer(customer_id)
            state, _ = await self._profiles.change(
                customer_id, lambda s: rules.link_customer(s, stripe_id), conn=held
            )
            return state.stripe_customer_id or stripe_id

    async def add_card(
        self, customer_id: str, payment_method_id: str, make_default: bool
    ) -> Profile:
        """Attach a PaymentMethod at Stripe and save it (a decline raises, saving nothing)."""
        async with self._locked(customer_id, None) as conn:
            stripe_id = await self.ensure_customer(customer_id, conn)
            card = await self._gateway.prepare_card(payment_method_id, stripe_id)
            if make_default:
                await self._gateway.set_default_card(stripe_id, payment_method_id)
            state, _ = await self._profiles.change(
                customer_id, lambda s: rules.save_card(s, card, make_default), conn=conn
            )
            return state

    async def save_charged_card(
        self,
        customer_id: str,
        card: Card,
        make_default: bool,
        conn: Conn,
        correlation_id: uuid.UUID | None,
    ) -> None:
        """Save a card a top-up charged (already attached at Stripe) when the customer asked."""
        async with self._locked(customer_id, conn) as held:
            if make_default:
                stripe_id = await self.ensure_customer(customer_id, held)
                await self._gateway.set_default_card(stripe_id, card.payment_method_id)
            await self._profiles.change(
                customer_id,
                lambda s: rules.save_card(s, card, make_default),
                conn=held,
                correlation_id=correlation_id,
            )

    async def set_default(self, customer_id: str, payment_method_id: str) -> Profile:
        """Make a saved card the default, at Stripe too."""
        async with self._locked(customer_id, None) as conn:
            state = await self.profile(customer_id, conn)
            state.require_card(payment_method_id)
            stripe_id = await self.ensure_customer(customer_id, conn)
            await self._gateway.set_default_card(stripe_id, payment_method_id)
            state, _ = await self._profiles.change(
                customer_id, lambda s: rules.set_default(s, payment_method_id), conn=conn
            )
            return state

    async def remove_card(self, customer_id: str, payment_method_id: str) -> None:
        """Detach a saved card at Stripe and remove it from the profile."""
        async with self._locked(customer_id, None) as conn:
            state = await self.profile(customer_id, conn)
            state.require_card(payment_method_id)
            stripe_id = await self.ensure_customer(customer_id, conn)
            await self._gateway.detach_card(payment_method_id, stripe_id)
            if state.default_card_id == payment_method_id:
                await self._gateway.set_default_card(stripe_id, None)
            await self._profiles.change(
                customer_id, lambda s: rules.remove_card(s, payment_method_id), conn=conn
            )

    async def setup_intent(self, customer_id: str) -> str:
        """The client secret of a new SetupIntent for the customer's Stripe Customer."""
        stripe_id = await self.ensure_customer(customer_id)
        return await self._gateway.create_setup_intent(stripe_id)
