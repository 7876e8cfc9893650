"""Payment profile decisions: the Stripe Customer once, cards saved, defaulted, removed."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from services.payments.domain import events as ev
from services.payments.domain import profile as rules
from services.payments.domain.errors import CardNotSavedError
from services.payments.domain.events import DomainEvent
from services.payments.domain.profile import Profile, evolve_profile
from services.payments.domain.values import Card
from shared.contracts import CardRemoved, CardSaved, DefaultCardSet

VISA = Card("pm_visa", "visa", "4242", 12, 2030)
MASTER = Card("pm_master", "mastercard", "4444", 1, 2031)


def apply(state: Profile, events: Sequence[DomainEvent]) -> Profile:
    for event in events:
        state = evolve_profile(state, event.type, event.payload)
    return state


def test_the_stripe_customer_is_started_once_then_looked_up_then_linked_once() -> None:
    state = Profile()
    assert not rules.must_look_up_customer(state)
    state = apply(state, rules.start_customer_creation(state))
    assert rules.must_look_up_customer(state)
    assert rules.start_customer_creation(state) == []
    state = apply(state, rules.link_customer(state, "cus_stripe"))
    assert state.stripe_customer_id == "cus_stripe"
    assert not rules.must_look_up_customer(state)
    assert rules.link_customer(state, "cus_other") == []


def test_cards_are_saved_once_and_the_default_follows_the_flag() -> None:
    state = Profile()
    [saved] = rules.save_card(state, VISA, make_default=False)
    assert not CardSaved.model_validate(saved.payload).is_default
    state = apply(state, [saved])
    assert state.default_card is None
    assert rules.save_card(state, VISA, make_default=False) == []
    [made_default] = rules.save_card(state, VISA, make_default=True)
    assert made_default.type == ev.DEFAULT_CARD_SET
    state = apply(state, [made_default])
    assert state.default_card == VISA
    state = apply(state, rules.save_card(state, MASTER, make_default=True))
    assert state.default_card == MASTER
    assert [c.payment_method_id for c in state.cards] == ["pm_visa", "pm_master"]


def test_set_default_and_remove_need_a_saved_card() -> None:
    with pytest.raises(CardNotSavedError):
        rules.set_default(Profile(), "pm_x")
    with pytest.raises(CardNotSavedError):
        rules.remove_card(Profile(), "pm_x")


def test_removing_the_default_card_leaves_no_default() -> None:
    state = apply(Profile(), rules.save_card(Profile(), VISA, make_default=True))
    assert rules.set_default(state, "pm_visa") == []
    [removed] = rules.remove_card(state, "pm_visa")
    CardRemoved.model_validate(removed.payload)
    state = apply(state, [removed])
    assert (state.cards, state.default_card_id) == ((), None)


def test_set_default_publishes_the_contract_event() -> None:
    state = apply(Profile(), rules.save_card(Profile(), VISA, make_default=False))
    [event] = rules.set_default(state, "pm_visa")
    assert DefaultCardSet.model_validate(event.payload).payment_method_id == "pm_visa"
