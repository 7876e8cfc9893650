"""Top-up flow across credits, payments, Kafka and Stripe (localstripe), end to end."""

from __future__ import annotations

import uuid

import httpx
import pytest

from services.platform import LocalPlatform

from .conftest import customer_headers
from .helpers import (
    CARD_3DS,
    CARD_DECLINED_ON_CHARGE,
    CARD_DECLINED_ON_SAVE,
    CARD_OK,
    get,
    ledger,
    new_card,
    payment_intents_for,
    top_up,
    wait_for,
    wait_for_request,
)

pytestmark = pytest.mark.e2e


def test_top_up_100_with_a_new_card_saved_as_default(
    platform: LocalPlatform, customer_id: str
) -> None:
    card = new_card(platform, CARD_OK)
    response = top_up(
        platform, customer_id, "100.00", "test",
        payment_method_id=card, save_card=True, set_default=True,
    )  # fmt: skip
    assert response.status_code == 202, response.text
    accepted = response.json()
    assert accepted["status"] == "pending"
    request_id = accepted["request_id"]
    done = wait_for_request(platform, customer_id, request_id, {"succeeded", "failed"})
    assert done["status"] == "succeeded", done
    book = wait_for(lambda: (b := ledger(platform, customer_id))["entries"] and b, what="ledger")
    assert book["balance"] == "100.00"
    newest = book["entries"][0]
    assert (newest["amount"], newest["description"], newest["number"]) == ("100.00", "test", 1)
    balance = get(platform, "credits", f"/v1/customers/{customer_id}/balance", customer_id)
    assert balance.json()["balance"] == "100.00"
    assert len(payment_intents_for(platform, request_id)) == 1
    methods = wait_for(
        lambda: get(
            platform, "payments", f"/v1/customers/{customer_id}/payment-methods", customer_id
        ).json(),
        what="saved card",
    )
    listed = methods if isinstance(methods, list) else methods["data"]
    assert [(m["id"], m["last4"], m["is_default"]) for m in listed] == [(card, "4242", True)]


@pytest.mark.parametrize("number", [CARD_DECLINED_ON_SAVE, CARD_DECLINED_ON_CHARGE])
def test_declined_cards_fail_with_the_message_and_change_nothing(
    platform: LocalPlatform, customer_id: str, number: str
) -> None:
    card = new_card(platform, number)
    request_id = top_up(platform, customer_id, "25.00", "declined", payment_method_id=card).json()[
        "request_id"
    ]
    done = wait_for_request(platform, customer_id, request_id, {"succeeded", "failed"})
    assert done["status"] == "failed"
    assert done["failure"]["code"]
    assert "declined" in done["failure"]["message"].lower()
    book = ledger(platform, customer_id)
    assert (book["balance"], book["entries"]) == ("0.00", [])


def test_the_default_card_is_charged_when_the_request_names_none(
    platform: LocalPlatform, customer_id: str
) -> None:
    card = new_card(platform, CARD_OK)
    saved = httpx.post(
        f"{platform.url('payments')}/v1/customers/{customer_id}/payment-methods",
        json={"payment_method_id": card, "set_default": True},
        headers=customer_headers(customer_id),
        timeout=30,
    )
    assert saved.status_code in (200, 201), saved.text
    request_id = top_up(platform, customer_id, "12.50", "from default").json()["request_id"]
    done = wait_for_request(platform, customer_id, request_id, {"succeeded", "failed"})
    assert done["status"] == "succeeded", done
    [intent] = payment_intents_for(platform, request_id)
    assert intent["payment_method"] == card
    assert intent["amount"] == 1250


@pytest.mark.parametrize(("success", "outcome"), [(True, "succeeded"), (False, "failed")])
def test_3d_secure_completes_through_the_signed_webhook(
    platform: LocalPlatform, customer_id: str, success: bool, outcome: str
) -> None:
    card = new_card(platform, CARD_3DS)
    request_id = top_up(platform, customer_id, "30.00", "3ds", payment_method_id=card).json()[
        "request_id"
    ]
    pending = wait_for_request(platform, customer_id, request_id, {"requires_action", "failed"})
    assert pending["status"] == "requires_action", pending
    secret = pending["client_secret"]
    intent_id = secret.split("_secret_")[0]
    authenticated = httpx.post(
        f"{platform.config.stripe_api_base}/v1/payment_intents/{intent_id}/_authenticate",
        params={"success": "true" if success else "false", "client_secret": secret},
        headers={"Authorization": f"Bearer {platform.config.stripe_api_key}"},
        timeout=10,
    )
    assert authenticated.status_code == 200, authenticated.text
    done = wait_for_request(platform, customer_id, request_id, {"succeeded", "failed"})
    assert done["status"] == outcome
    book = wait_for(lambda: ledger(platform, customer_id), what="ledger")
    if success:
        book = wait_for(lambda: (b := ledger(platform, customer_id))["entries"] and b, what="row")
        assert [e["amount"] for e in book["entries"]] == ["30.00"]
        assert book["balance"] == "30.00"
    else:
        assert (book["balance"], book["entries"]) == ("0.00", [])
    assert len(payment_intents_for(platform, request_id)) == 1


def test_same_idempotency_key_twice_charges_once(platform: LocalPlatform, customer_id: str) -> None:
    card = new_card(platform, CARD_OK)
    key = uuid.uuid4().hex
    first = top_up(platform, customer_id, "40.00", "once", payment_method_id=card, key=key)
    second = top_up(platform, customer_id, "40.00", "once", payment_method_id=card, key=key)
    assert first.status_code == second.status_code == 202
    assert first.json() == second.json()
    request_id = first.json()["request_id"]
    wait_for_request(platform, customer_id, request_id, {"succeeded"})
    assert len(payment_intents_for(platform, request_id)) == 1
    book = wait_for(lambda: (b := ledger(platform, customer_id))["entries"] and b, what="row")
    assert [e["amount"] for e in book["entries"]] == ["40.00"]
    other = top_up(platform, customer_id, "41.00", "once", payment_method_id=card, key=key)
    assert other.status_code == 409


def test_another_customers_paths_answer_403(platform: LocalPlatform, customer_id: str) -> None:
    other = f"{customer_id}-other"
    for service, path in [
        ("credits", f"/v1/customers/{other}/credits"),
        ("credits", f"/v1/customers/{other}/balance"),
        ("payments", f"/v1/customers/{other}/payment-methods"),
    ]:
        response = get(platform, service, path, customer_id)
        assert response.status_code == 403, (service, path, response.text)
    refused = httpx.post(
        f"{platform.url('credits')}/v1/customers/{other}/credits",
        json={"amount": "10.00", "currency": "USD", "description": "x"},
        headers={**customer_headers(customer_id), "Idempotency-Key": "k1"},
        timeout=10,
    )
    assert refused.status_code == 403
