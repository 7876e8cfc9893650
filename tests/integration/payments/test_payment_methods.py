"""Saved cards over HTTP: attach, list, default, remove; declines, raw card data and 403s."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import pytest

from services.payments.domain import events as ev
from services.payments.repository import to_new_events

from .conftest import CARD_DECLINED_ON_SAVE, CARD_OK, OPERATOR, Harness, customer_headers

pytestmark = [pytest.mark.integration, pytest.mark.filterwarnings("ignore:Use 'content=")]


def methods_path(customer_id: str, tail: str = "") -> str:
    return f"/v1/customers/{customer_id}/payment-methods{tail}"


async def add(
    payments: Harness, customer_id: str, card: str, set_default: bool = False
) -> dict[str, Any]:
    response = await payments.http.post(
        methods_path(customer_id),
        json={"payment_method_id": card, "set_default": set_default},
        headers=customer_headers(customer_id),
    )
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


async def listed(payments: Harness, customer_id: str) -> list[tuple[str, bool]]:
    response = await payments.http.get(
        methods_path(customer_id), headers=customer_headers(customer_id)
    )
    assert response.status_code == 200, response.text
    return [(m["id"], m["is_default"]) for m in response.json()]


def stripe_customers_of(payments: Harness, customer_id: str) -> list[str]:
    page = payments.stripe.v1.customers.list(params={"limit": 100})
    found = []
    while True:
        found += [
            c.id
            for c in page.data
            if c.to_dict()["metadata"].get("billing_customer_id") == customer_id
        ]
        if not page.has_more:
            return found
        page = payments.stripe.v1.customers.list(
            params={"limit": 100, "starting_after": page.data[-1].id}
        )


async def test_cards_are_saved_listed_made_default_and_removed(
    payments: Harness, customer_id: str
) -> None:
    first, second = payments.new_card(CARD_OK), payments.new_card(CARD_OK)
    saved = await add(payments, customer_id, first)
    assert saved == {
        "id": first,
        "brand": "visa",
        "last4": "4242",
        "exp_month": 12,
        "exp_year": 2030,
        "is_default": False,
    }
    await add(payments, customer_id, second, set_default=True)
    assert await listed(payments, customer_id) == [(second, True), (first, False)]
    made = await payments.http.post(
        methods_path(customer_id, f"/{first}/default"), headers=customer_headers(customer_id)
    )
    assert made.status_code == 200
    assert made.json()["is_default"] is True
    stripe_id = await payments.stripe_customer(customer_id)
    assert stripe_id is not None
    customer = payments.stripe.v1.customers.retrieve(stripe_id).to_dict()
    assert customer["invoice_settings"]["default_payment_method"] == first
    removed = await payments.http.delete(
        methods_path(customer_id, f"/{first}"), headers=customer_headers(customer_id)
    )
    assert removed.status_code == 204
    assert await listed(payments, customer_id) == [(second, False)]
    assert payments.stripe.v1.payment_methods.retrieve(first).to_dict()["customer"] is None
    customer = payments.stripe.v1.customers.retrieve(stripe_id).to_dict()
    assert customer["invoice_settings"]["default_payment_method"] is None
    again = await payments.http.delete(
        methods_path(customer_id, f"/{first}"), headers=customer_headers(customer_id)
    )
    assert again.status_code == 404
    await payments.published.wait_for(customer_id, "CardRemoved")
    published = [e.event_type for e in payments.published.of(customer_id)]
    assert published == ["CardSaved", "CardSaved", "DefaultCardSet", "CardRemoved"]


async def test_a_card_declined_on_attach_answers_402_and_saves_nothing(
    payments: Harness, customer_id: str
) -> None:
    response = await payments.http.post(
        methods_path(customer_id),
        json={"payment_method_id": payments.new_card(CARD_DECLINED_ON_SAVE)},
        headers=customer_headers(customer_id),
    )
    assert response.status_code == 402
    assert response.json()["detail"] == {
        "code": "card_declined",
        "message": "Your card was declined.",
    }
    assert await listed(payments, customer_id) == []
    types = await payments.stream_types(f"payment-profile-{customer_id}")
    assert "CardSaved" not in types


@pytest.mark.parametrize(
    "body",
    [
        {"payment_method_id": "pm_x", "number": "4242424242424242"},
        {"card": {"number": "4242424242424242", "cvc": "123"}},
        {"payment_method_id": "pm_x", "cvc": "123"},
        {"payment_method_id": "4242424242424242"},
        {"payment_method_id": "pm_x", "nickname": "mine"},
        {"payment_method_id": "pm_x", "set_default": "true"},
    ],
)
async def test_raw_card_data_and_unknown_fields_are_refused_with_422(
    payments: Harness, customer_id: str, body: dict[str, Any]
) -> None:
    response = await payments.http.post(
        methods_path(customer_id), json=body, headers=customer_headers(customer_id)
    )
    assert response.status_code == 422, response.text
    assert "4242424242424242" not in response.text
    assert await payments.stream_types(f"payment-profile-{customer_id}") == []


async def test_an_unknown_payment_method_answers_422(payments: Harness, customer_id: str) -> None:
    response = await payments.http.post(
        methods_path(customer_id),
        json={"payment_method_id": "pm_doesnotexist"},
        headers=customer_headers(customer_id),
    )
    assert response.status_code == 422, response.text
    assert await listed(payments, customer_id) == []


async def test_another_customers_paths_answer_403(payments: Harness, customer_id: str) -> None:
    other = f"{customer_id}-other"
    mine = customer_headers(customer_id)
    calls = [
        payments.http.get(methods_path(other), headers=mine),
        payments.http.post(methods_path(other), json={"payment_method_id": "pm_x"}, headers=mine),
        payments.http.post(methods_path(other, "/pm_x/default"), headers=mine),
        payments.http.delete(methods_path(other, "/pm_x"), headers=mine),
        payments.http.post(f"/v1/customers/{other}/setup-intents", headers=mine),
        payments.http.get("/v1/payments/abc", headers=mine),
        payments.http.post("/v1/payments/abc/refund", json={"reason": "x"}, headers=mine),
    ]
    for response in await asyncio.gather(*calls):
        assert response.status_code == 403, response.request.url
    assert (await payments.http.get(methods_path(other))).status_code == 401
    assert (await payments.http.get(methods_path(other), headers=OPERATOR)).status_code == 200


async def test_setup_intents_share_one_stripe_customer_even_when_asked_at_once(
    payments: Harness, customer_id: str
) -> None:
    calls = [
        payments.http.post(
            f"/v1/customers/{customer_id}/setup-intents", headers=customer_headers(customer_id)
        )
        for _ in range(5)
    ]
    responses = await asyncio.gather(*calls)
    assert {r.status_code for r in responses} == {201}
    secrets = {r.json()["client_secret"] for r in responses}
    assert len(secrets) == 5
    assert all(s.startswith("seti_") for s in secrets)
    assert len(stripe_customers_of(payments, customer_id)) == 1
    types = await payments.stream_types(f"payment-profile-{customer_id}")
    assert types == ["StripeCustomerCreationStarted", "StripeCustomerLinked"]


async def test_a_stripe_customer_created_before_a_crash_is_found_not_duplicated(
    payments: Harness, customer_id: str
) -> None:
    created = payments.stripe.v1.customers.create(
        params={"metadata": {"billing_customer_id": customer_id}}
    )
    started = ev.DomainEvent(ev.STRIPE_CUSTOMER_CREATION_STARTED, {})
    await payments.parts.runtime.store.append(
        f"payment-profile-{customer_id}",
        to_new_events([started], customer_id, uuid.uuid4(), None),
        0,
    )
    await add(payments, customer_id, payments.new_card(CARD_OK))
    assert await payments.stripe_customer(customer_id) == created.id
    assert stripe_customers_of(payments, customer_id) == [created.id]
