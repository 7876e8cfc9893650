"""The credits HTTP API on a real database: validation, idempotency, access, grants, reads."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import pytest

from .conftest import CreditsService, make_settings, running
from .helpers import wait_for_json

pytestmark = pytest.mark.integration

VALID: dict[str, Any] = {"amount": "12.00", "currency": "USD", "description": "c"}

INVALID_BODIES: list[tuple[dict[str, Any], str]] = [
    ({**VALID, "amount": "0.00"}, "amount"),
    ({**VALID, "amount": "-5.00"}, "amount"),
    ({**VALID, "amount": "0.99"}, "amount"),
    ({**VALID, "amount": "10000.01"}, "amount"),
    ({**VALID, "amount": "1.001"}, "amount"),
    ({**VALID, "amount": 12.5}, "amount"),
    ({**VALID, "amount": 12}, "amount"),
    ({**VALID, "amount": "NaN"}, "amount"),
    ({**VALID, "amount": "1e3"}, "amount"),
    ({**VALID, "amount": " 12.00"}, "amount"),
    ({**VALID, "amount": "12,00"}, "amount"),
    ({**VALID, "amount": ""}, "amount"),
    ({"currency": "USD", "description": "c"}, "amount"),
    ({**VALID, "currency": "XYZ"}, "currency"),
    ({**VALID, "currency": "usd"}, "currency"),
    ({**VALID, "currency": "EUR"}, "currency"),
    ({**VALID, "description": "x" * 256}, "description"),
    ({**VALID, "description": "bell\x07"}, "description"),
    ({**VALID, "description": "line\nbreak"}, "description"),
    ({**VALID, "description": None}, "description"),
    ({**VALID, "payment_method_id": "card_123"}, "payment_method_id"),
    ({**VALID, "payment_method_id": "pm_" + "a" * 70}, "payment_method_id"),
    ({**VALID, "save_card": "yes", "payment_method_id": "pm_1"}, "save_card"),
    ({**VALID, "set_default": True}, "body"),
    ({**VALID, "surprise": 1}, "surprise"),
]

CARD_BODIES: list[dict[str, Any]] = [
    {**VALID, "card_number": "4242424242424242"},
    {**VALID, "card": {"number": "4242424242"}},
    {**VALID, "cvc": "123"},
    {**VALID, "CVV": "123"},
    {**VALID, "exp_month": 12},
    {**VALID, "pan": "4242"},
    {**VALID, "metadata": {"nested": [{"cardNumber": "1"}]}},
    {**VALID, "description": "my card 4242 4242 4242 4242"},
]


async def test_invalid_top_ups_answer_422_naming_the_field_and_store_nothing(
    service: CreditsService, customer_id: str
) -> None:
    for body, field in INVALID_BODIES:
        response = await service.top_up(customer_id, **{"amount": None, **body})
        assert response.status_code == 422, (body, response.text)
        detail = response.json()["detail"]
        assert any(field in error["loc"] for error in detail), (body, detail)
        assert all("input" not in error for error in detail)
    assert await service.event_types() == []


async def test_raw_card_data_is_refused_outright(service: CreditsService, customer_id: str) -> None:
    for body in CARD_BODIES:
        response = await service.top_up(customer_id, **{"amount": None, **body})
        assert response.status_code == 422, (body, response.text)
        message = response.json()["detail"][0]["msg"]
        assert "card data must not be sent" in message
        assert "PaymentMethod" in message
        assert "4242" not in response.text
    assert await service.event_types() == []


async def test_the_idempotency_key_is_required_and_checked(
    service: CreditsService, customer_id: str
) -> None:
    url = f"/v1/customers/{customer_id}/credits"
    missing = await service.client.post(url, json=VALID, headers=service.customer(customer_id))
    assert missing.status_code == 400
    assert "Idempotency-Key" in missing.json()["detail"]
    for key in ("x" * 256, "tab\tkey"):
        response = await service.top_up(customer_id, key=key, **VALID)
        assert response.status_code == 400, key
    empty = await service.client.post(
        url, json=VALID, headers=service.customer(customer_id, **{"Idempotency-Key": ""})
    )
    assert empty.status_code == 400
    assert await service.event_types() == []


async def test_the_same_key_and_body_answer_the_same_and_append_once(
    service: CreditsService, customer_id: str
) -> None:
    first = await service.top_up(customer_id, key="key-1", **VALID)
    again = await service.top_up(customer_id, key="key-1", **VALID)
    assert first.status_code == again.status_code == 202
    assert first.json() == again.json()
    assert first.json()["status"] == "pending"
    assert await service.event_types(customer_id) == ["CreditRequested"]
    other = await service.top_up(customer_id, key="key-1", **{**VALID, "amount": "13.00"})
    assert other.status_code == 409
    assert await service.event_types(customer_id) == ["CreditRequested"]
    elsewhere = await service.top_up(f"{customer_id}-b", key="key-1", **VALID)
    assert elsewhere.status_code == 202
    assert elsewhere.json()["request_id"] != first.json()["request_id"]


async def test_concurrent_requests_with_one_key_append_once(
    service: CreditsService, customer_id: str
) -> None:
    responses = await asyncio.gather(
        *(service.top_up(customer_id, key="same", **VALID) for _ in range(8))
    )
    assert {r.status_code for r in responses} == {202}
    assert len({r.json()["request_id"] for r in responses}) == 1
    assert await service.event_types(customer_id) == ["CreditRequested"]


async def test_a_customer_token_opens_only_its_own_paths(
    service: CreditsService, customer_id: str
) -> None:
    other = f"{customer_id}-other"
    mine = service.customer(customer_id)
    for path in ("/credits", "/balance", "/credits/requests/req_1"):
        response = await service.client.get(f"/v1/customers/{other}{path}", headers=mine)
        assert response.status_code == 403, path
        assert response.json() == {"detail": "forbidden"}
    post = await service.client.post(
        f"/v1/customers/{other}/credits", json=VALID, headers={**mine, "Idempotency-Key": "k"}
    )
    assert post.status_code == 403
    anonymous = await service.client.get(f"/v1/customers/{customer_id}/balance")
    assert anonymous.status_code == 401
    operator = await service.client.get(
        f"/v1/customers/{other}/balance", headers=service.operator()
    )
    assert operator.status_code == 200
    assert await service.event_types() == []


async def test_operators_grant_credit_and_customers_cannot(
    service: CreditsService, customer_id: str
) -> None:
    url = f"/v1/customers/{customer_id}/credits/grants"
    body = {"amount": "25.50", "description": "goodwill"}
    refused = await service.client.post(url, json=body, headers=service.customer(customer_id))
    assert refused.status_code == 403
    granted = await service.client.post(url, json=body, headers=service.operator())
    assert granted.status_code == 201, granted.text
    answer = granted.json()
    assert answer["grant_id"]
    assert (answer["amount"], answer["currency"], answer["description"]) == (
        "25.50", "USD", "goodwill",
    )  # fmt: skip
    invalid = await service.client.post(
        url, json={"amount": "0", "description": "x"}, headers=service.operator()
    )
    assert invalid.status_code == 422
    book = await wait_for_json(service, customer_id, "/credits", lambda b: b["entries"])
    assert book["balance"] == "25.50"
    assert book["entries"] == [
        {
            "number": 1,
            "amount": "25.50",
            "description": "goodwill",
            "created_at": book["entries"][0]["created_at"],
            "balance_after": "25.50",
        }
    ]
    assert await service.event_types(customer_id) == ["CreditGranted"]


async def test_a_grant_under_an_idempotency_key_is_made_once(
    service: CreditsService, customer_id: str
) -> None:
    url = f"/v1/customers/{customer_id}/credits/grants"
    headers = {**service.operator(), "Idempotency-Key": "grant-1"}
    body = {"amount": "5.00", "description": "once"}
    first = await service.client.post(url, json=body, headers=headers)
    again = await service.client.post(url, json=body, headers=headers)
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json()
    assert await service.event_types(customer_id) == ["CreditGranted"]


async def test_an_account_without_events_has_a_zero_balance(
    service: CreditsService, customer_id: str
) -> None:
    book = await service.get(customer_id, "/credits")
    assert book.json() == {"balance": "0.00", "currency": "USD", "entries": [], "next_cursor": None}
    balance = await service.get(customer_id, "/balance")
    assert balance.json() == {"balance": "0.00", "currency": "USD", "version": 0}


async def test_a_request_shows_pending_at_once_and_is_hidden_from_others(
    service: CreditsService, customer_id: str
) -> None:
    accepted = await service.top_up(customer_id, "47.76", description="seed")
    request_id = accepted.json()["request_id"]
    shown = await service.get(customer_id, f"/credits/requests/{request_id}")
    assert shown.status_code == 200
    assert shown.json() == {
        "request_id": request_id,
        "status": "pending",
        "amount": "47.76",
        "currency": "USD",
        "description": "seed",
    }
    unknown = await service.get(customer_id, "/credits/requests/req_unknown")
    assert unknown.status_code == 404
    other = f"{customer_id}-b"
    hidden = await service.client.get(
        f"/v1/customers/{other}/credits/requests/{request_id}", headers=service.operator()
    )
    assert hidden.status_code == 404


async def test_the_ledger_is_numbered_newest_first_and_paginated(
    service: CreditsService, customer_id: str
) -> None:
    for amount in ("1.00", "2.00", "3.00", "4.00", "5.00"):
        await service.grant(customer_id, amount, f"grant {amount}")
    await wait_for_json(service, customer_id, "/credits", lambda b: len(b["entries"]) == 5)
    first = (await service.get(customer_id, "/credits", limit=2)).json()
    assert [e["number"] for e in first["entries"]] == [5, 4]
    assert [e["balance_after"] for e in first["entries"]] == ["15.00", "10.00"]
    assert first["balance"] == "15.00"
    second = (
        await service.get(customer_id, "/credits", limit=2, cursor=first["next_cursor"])
    ).json()
    assert [e["number"] for e in second["entries"]] == [3, 2]
    last = (
        await service.get(customer_id, "/credits", limit=2, cursor=second["next_cursor"])
    ).json()
    assert [(e["number"], e["amount"]) for e in last["entries"]] == [(1, "1.00")]
    assert last["next_cursor"] is None
    bad = await service.get(customer_id, "/credits", cursor="abc")
    assert bad.status_code == 422
    balance = (await service.get(customer_id, "/balance")).json()
    assert (balance["balance"], balance["version"]) == ("15.00", 5)


async def test_the_limits_come_from_settings(
    fresh_database_url: str, kafka_bootstrap_servers: str
) -> None:
    settings = make_settings(
        fresh_database_url,
        kafka_bootstrap_servers,
        credits_min_topup="5",
        credits_max_topup="50",
        credits_currencies="USD,JPY",
    )
    async with running(settings) as service:
        customer = f"cus-{uuid.uuid4().hex[:8]}"
        assert (await service.top_up(customer, "4.99")).status_code == 422
        assert (await service.top_up(customer, "50.01")).status_code == 422
        assert (await service.top_up(customer, "50.00")).status_code == 202
        yen = await service.top_up(f"{customer}-jp", "10", currency="JPY")
        assert yen.status_code == 202, yen.text
        fraction = await service.top_up(f"{customer}-jp", "10.5", currency="JPY")
        assert fraction.status_code == 422
        mixed = await service.top_up(customer, "10", currency="JPY")
        assert mixed.status_code == 422
        assert "currency" in mixed.json()["detail"][0]["loc"]
