"""Payments killed between the Stripe call and recording its result: one charge, one credit."""

from __future__ import annotations

import signal

import pytest

from services.platform import LocalPlatform
from shared.faults import ENV_VAR

from .helpers import (
    CARD_OK,
    ledger,
    new_card,
    payment_intents_for,
    top_up,
    wait_for,
    wait_for_request,
)

pytestmark = pytest.mark.e2e


def test_crash_after_the_stripe_call_charges_once_and_credits_once(
    platform: LocalPlatform, customer_id: str
) -> None:
    platform.restart("payments", env={ENV_VAR: "charge:after_stripe_call"})
    try:
        card = new_card(platform, CARD_OK)
        request_id = top_up(platform, customer_id, "15.00", "crash", payment_method_id=card).json()[
            "request_id"
        ]
        assert platform.wait_dead("payments", timeout=60) == -signal.SIGKILL
        intents = payment_intents_for(platform, request_id)
        assert len(intents) == 1  # Stripe charged, the result was never recorded
        assert wait_for_request(platform, customer_id, request_id, {"pending"}, timeout=5)
    finally:
        platform.restart("payments", env={ENV_VAR: None})
    done = wait_for_request(platform, customer_id, request_id, {"succeeded", "failed"})
    assert done["status"] == "succeeded", done
    assert [i["id"] for i in payment_intents_for(platform, request_id)] == [intents[0]["id"]]
    book = wait_for(lambda: (b := ledger(platform, customer_id))["entries"] and b, what="row")
    assert [e["amount"] for e in book["entries"]] == ["15.00"]
    assert book["balance"] == "15.00"
