"""A customer's payment profile (``payment-profile-{customer_id}``): Stripe customer and cards.

The Stripe Customer is created once. ``StripeCustomerCreationStarted`` is
committed before Stripe is asked to create it; a profile found started but not
linked may have a Stripe Customer already, so it is looked up (by its metadata)
before another is created.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from services.payments.domain import events as ev
from services.payments.domain.errors import CardNotSavedError
from services.payments.domain.values import Card


@dataclass(frozen=True, slots=True)
class Profile:
    """What the profile's events say."""

    stripe_customer_id: str | None = None
    creation_started: bool = False
    cards: tuple[Card, ...] = ()
    default_card_id: str | None = None

    def card(self, payment_method_id: str) -> Card | None:
        """The saved card with this PaymentMethod id, if any."""
        return next((c for c in self.cards if c.payment_method_id == payment_method_id), None)

    def require_card(self, payment_method_id: str) -> Card:
        """The saved card with this id; raise :class:`CardNotSavedError` when there is none."""
        card = self.card(payment_method_id)
        if card is None:
            raise CardNotSavedError(payment_method_id)
        return card

    @property
    def default_card(self) -> Card | None:
        """The card charged when a request names none."""
        return None if self.default_card_id is None else self.card(self.default_card_id)


def evolve_profile(state: Profile, event_type: str, payload: Mapping[str, Any]) -> Profile:
    """Return the state after one event; unknown event types change nothing."""
    if event_type == ev.STRIPE_CUSTOMER_CREATION_STARTED:
        return replace(state, creation_started=True)
    if event_type == ev.STRIPE_CUSTOMER_LINKED:
        return replace(state, stripe_customer_id=payload["stripe_customer_id"])
    if event_type == ev.CARD_SAVED:
        card = Card.from_dict(payload)
        cards = (*(c for c in state.cards if c.payment_method_id != card.payment_method_id), card)
        default = card.payment_method_id if payload["is_default"] else state.default_card_id
        return replace(state, cards=cards, default_card_id=default)
    if event_type == ev.DEFAULT_CARD_SET:
        return replace(state, default_card_id=payload["payment_method_id"])
    if event_type == ev.CARD_REMOVED:
        removed = payload["payment_method_id"]
        cards = tuple(c for c in state.cards if c.payment_method_id != removed)
        default = None if state.default_card_id == removed else state.default_card_id
        return replace(state, cards=cards, default_card_id=default)
    return state


def must_look_up_customer(state: Profile) -> bool:
    """Whether an earlier attempt may have created a Stripe Customer we have not linked."""
    return state.stripe_customer_id is None and state.creation_started


def start_customer_creation(state: Profile) -> list[ev.DomainEvent]:
    """Record, before Stripe is called, that a Stripe Customer is about to be created."""
    if state.stripe_customer_id is not None or state.creation_started:
        return []
    return [ev.DomainEvent(ev.STRIPE_CUSTOMER_CREATION_STARTED, {})]


def link_customer(state: Profile, stripe_customer_id: str) -> list[ev.DomainEvent]:
    """Record the profile's Stripe Customer (the first one linked stays)."""
    if state.stripe_customer_id is not None:
        return []
    payload = {"stripe_customer_id": stripe_customer_id}
    return [ev.DomainEvent(ev.STRIPE_CUSTOMER_LINKED, payload)]


def save_card(state: Profile, card: Card, make_default: bool) -> list[ev.DomainEvent]:
    """Save a card (a no-op when saved already); ``make_default`` makes it the default."""
    if state.card(card.payment_method_id) is not None:
        return set_default(state, card.payment_method_id) if make_default else []
    payload = {**card.to_dict(), "is_default": make_default}
    return [ev.DomainEvent(ev.CARD_SAVED, payload)]


def set_default(state: Profile, payment_method_id: str) -> list[ev.DomainEvent]:
    """Make a saved card the default one."""
    state.require_card(payment_method_id)
    if state.default_card_id == payment_method_id:
        return []
    return [ev.DomainEvent(ev.DEFAULT_CARD_SET, {"payment_method_id": payment_method_id})]


def remove_card(state: Profile, payment_method_id: str) -> list[ev.DomainEvent]:
    """Remove a saved card (the default card too: then there is no default)."""
    state.require_card(payment_method_id)
    return [ev.DomainEvent(ev.CARD_REMOVED, {"payment_method_id": payment_method_id})]
