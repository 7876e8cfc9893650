"""End-to-end helpers: Stripe test cards at localstripe, top-ups, waiting on outcomes."""

from __future__ import annotations

import time
import uuid
from typing import Any

import httpx
import stripe

from services.platform import LocalPlatform

from .conftest import customer_headers

CARD_OK = "4242424242424242"
CARD_DECLINED_ON_SAVE = "4000000000000002"
CARD_DECLINED_ON_CHARGE = "4000000000000341"
CARD_3DS = "4000002500003155"


def stripe_client(platform: LocalPlatform) -> stripe.StripeClient:
    config = platform.config
    return stripe.StripeClient(
        config.stripe_api_key, base_addresses={"api": config.stripe_api_base}
    )


def new_card(platform: LocalPlatform, number: str) -> str:
    """Turn a test card number into a Stripe PaymentMethod id, as Stripe.js would."""
    method = stripe_client(platform).v1.payment_methods.create(
        params={
            "type": "card",
            "card": {"number": number, "exp_month": 12, "exp_year": 2030, "cvc": "123"},
        }
    )
    return str(method.id)


def payment_intents_for(platform: LocalPlatform, request_id: str) -> list[dict[str, Any]]:
    """Every PaymentIntent at Stripe whose metadata names ``request_id``."""
    found: list[dict[str, Any]] = []
    after: str | None = None
    client = stripe_client(platform)
    while True:
        params: dict[str, Any] = {"limit": 100}
        if after:
            params["starting_after"] = after
        page = client.v1.payment_intents.list(params=params).to_dict()
        for intent in page["data"]:
            if (intent.get("metadata") or {}).get("request_id") == request_id:
                found.append(intent)
        if not page.get("has_more") or not page["data"]:
            return found
        after = page["data"][-1]["id"]


def top_up(
    platform: LocalPlatform,
    customer_id: str,
    amount: str,
    description: str,
    *,
    payment_method_id: str | None = None,
    key: str | None = None,
    **extra: Any,
) -> httpx.Response:
    body: dict[str, Any] = {"amount": amount, "currency": "USD", "description": description}
    if payment_method_id is not None:
        body["payment_method_id"] = payment_method_id
    body.update(extra)
    headers = {**customer_headers(customer_id), "Idempotency-Key": key or uuid.uuid4().hex}
    return httpx.post(
        f"{platform.url('credits')}/v1/customers/{customer_id}/credits",
        json=body,
        headers=headers,
        timeout=10,
    )


def get(platform: LocalPlatform, service: str, path: str, customer_id: str) -> httpx.Response:
    return httpx.get(
        f"{platform.url(service)}{path}", headers=customer_headers(customer_id), timeout=10
    )


def wait_for_request(
    platform: LocalPlatform,
    customer_id: str,
    request_id: str,
    statuses: set[str],
    timeout: float = 45,
) -> dict[str, Any]:
    """Poll the request's status until it is one of ``statuses``."""
    deadline = time.monotonic() + timeout
    path = f"/v1/customers/{customer_id}/credits/requests/{request_id}"
    body: dict[str, Any] = {}
    while time.monotonic() < deadline:
        response = get(platform, "credits", path, customer_id)
        if response.status_code == 200:
            body = response.json()
            if body["status"] in statuses:
                return body
        time.sleep(0.1)
    raise AssertionError(f"request {request_id} not in {statuses} after {timeout}s: {body}")


def wait_for(condition: Any, timeout: float = 30, what: str = "condition") -> Any:
    """Poll ``condition()`` until it returns something truthy; return that."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def ledger(platform: LocalPlatform, customer_id: str) -> dict[str, Any]:
    response = get(platform, "credits", f"/v1/customers/{customer_id}/credits", customer_id)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body
