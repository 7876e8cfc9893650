"""3-D Secure: PaymentRequiresAction, then a signed webhook (or a poll) settles the payment once."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import uuid
from typing import Any

import httpx
import pytest

from services.payments.domain.values import payment_id_for
from shared.contracts import CreditRequested
from shared.settings import DEV_STRIPE_WEBHOOK_SECRET

from .conftest import CARD_3DS, AppFactory, Harness

pytestmark = [pytest.mark.integration, pytest.mark.filterwarnings("ignore:Use 'content=")]

NO_POLLING = {"payments_action_poll": 3600.0, "payments_action_poll_max": 3600.0}


def signed(
    payload: bytes, secret: str = DEV_STRIPE_WEBHOOK_SECRET, at: int | None = None
) -> dict[str, str]:
    """Headers of a webhook signed as Stripe (and localstripe) sign them."""
    stamp = int(time.time()) if at is None else at
    mac = hmac.new(secret.encode(), f"{stamp}.".encode() + payload, hashlib.sha256).hexdigest()
    return {"Stripe-Signature": f"t={stamp},v1={mac}", "Content-Type": "application/json"}


def event_of(intent: dict[str, Any], event_type: str, event_id: str | None = None) -> bytes:
    """A Stripe event as localstripe sends it."""
    body = {
        "api_version": "2017-08-15",
        "created": int(time.time()),
        "data": {"object": intent},
        "id": event_id or f"evt_{uuid.uuid4().hex[:14]}",
        "livemode": False,
        "object": "event",
        "type": event_type,
    }
    return json.dumps(body, indent=2, sort_keys=True).encode()


async def requires_action(
    payments: Harness, customer_id: str, save_card: bool = False
) -> tuple[str, str]:
    """Top up with the 3-D Secure card; return the payment id and the intent's client secret."""
    request = CreditRequested(
        request_id=uuid.uuid4().hex,
        amount=3000,
        currency="USD",
        description="3ds",
        payment_method_id=payments.new_card(CARD_3DS),
        save_card=save_card,
    )
    await payments.publish(request, customer_id)
    [action] = await payments.published.wait_for(customer_id, "PaymentRequiresAction")
    payment_id = payment_id_for("credit_topup", customer_id, request.request_id)
    assert action.payload["payment_id"] == payment_id
    return payment_id, action.payload["client_secret"]


async def authenticate(payments: Harness, client_secret: str, success: bool) -> dict[str, Any]:
    intent_id = client_secret.split("_secret_")[0]
    async with httpx.AsyncClient() as stripe_http:
        response = await stripe_http.post(
            f"{payments.stripe_api_base}/v1/payment_intents/{intent_id}/_authenticate",
            params={"success": "true" if success else "false", "client_secret": client_secret},
            headers={"Authorization": "Bearer sk_test_x"},
            timeout=10,
        )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def test_a_signed_webhook_completes_the_payment_once(
    start_payments: AppFactory, customer_id: str
) -> None:
    async with start_payments(**NO_POLLING) as payments:
        payment_id, secret = await requires_action(payments, customer_id)
        assert (await payments.payment(payment_id))["status"] == "requires_action"
        intent = await authenticate(payments, secret, success=True)
        assert intent["status"] == "succeeded"
        payload = event_of(intent, "payment_intent.succeeded")
        first = await payments.http.post(
            "/v1/stripe/webhook", content=payload, headers=signed(payload)
        )
        assert first.json() == {"received": True, "handled": True}
        [captured] = await payments.published.wait_for(customer_id, "PaymentCaptured")
        assert captured.payload["card"] == {"brand": "visa", "last4": "3155"}
        again = await payments.http.post(
            "/v1/stripe/webhook", content=payload, headers=signed(payload)
        )
        assert again.json() == {"received": True, "handled": False}
        other = event_of(intent, "payment_intent.succeeded")
        late = await payments.http.post("/v1/stripe/webhook", content=other, headers=signed(other))
        assert late.status_code == 200
        types = await payments.stream_types(f"payment-{payment_id}")
        assert types.count("PaymentCaptured") == 1
        assert len(payments.intents_for(payment_id)) == 1
        assert (await payments.payment(payment_id))["status"] == "captured"


async def test_localstripe_delivers_the_signed_webhook_that_completes_the_payment(
    start_payments: AppFactory, customer_id: str
) -> None:
    async with start_payments(listen=True, **NO_POLLING) as payments:
        name = f"test-{uuid.uuid4().hex[:8]}"
        hooks = f"{payments.stripe_api_base}/_config/webhooks/{name}"
        url = f"{payments.http.base_url}/v1/stripe/webhook"
        secret = payments.settings.stripe_webhook_secret
        async with httpx.AsyncClient(timeout=10) as config:
            (await config.post(hooks, json={"url": url, "secret": secret})).raise_for_status()
        try:
            payment_id, client_secret = await requires_action(payments, customer_id)
            await authenticate(payments, client_secret, success=True)
            await payments.published.wait_for(customer_id, "PaymentCaptured")
        finally:  # localstripe cannot forget a webhook: make it listen to nothing
            off = {"url": url, "secret": secret, "events": ["test.off"]}
            async with httpx.AsyncClient(timeout=10) as config:
                (await config.post(hooks, json=off)).raise_for_status()
        handled = await payments.parts.pool.fetch("SELECT event_type FROM stripe_webhook_events")
        assert "payment_intent.succeeded" in [row[0] for row in handled]
        assert len(payments.intents_for(payment_id)) == 1


async def test_a_failed_authentication_fails_the_payment(
    payments: Harness, customer_id: str
) -> None:
    payment_id, secret = await requires_action(payments, customer_id)
    await authenticate(payments, secret, success=False)  # localstripe sends no webhook for this
    [failed] = await payments.published.wait_for(customer_id, "PaymentFailed")
    assert failed.payload["code"] == "payment_intent_authentication_failure"
    assert payments.published.of(customer_id, "PaymentCaptured") == []
    assert len(payments.intents_for(payment_id)) == 1


async def test_a_polled_success_captures_without_any_webhook_then_saves_the_card(
    payments: Harness, customer_id: str
) -> None:
    payment_id, secret = await requires_action(payments, customer_id, save_card=True)
    await authenticate(payments, secret, success=True)
    [captured] = await payments.published.wait_for(customer_id, "PaymentCaptured")
    assert captured.payload["payment_id"] == payment_id
    [saved] = await payments.published.wait_for(customer_id, "CardSaved")
    assert (saved.payload["last4"], saved.payload["is_default"]) == ("3155", False)


async def test_webhooks_with_a_bad_or_stale_signature_change_nothing(
    start_payments: AppFactory, customer_id: str
) -> None:
    async with start_payments(**NO_POLLING) as payments:
        payment_id, secret = await requires_action(payments, customer_id)
        intent = await authenticate(payments, secret, success=True)
        payload = event_of(intent, "payment_intent.succeeded")
        stale = int(time.time()) - 600
        for headers in (
            signed(payload, secret="whsec_wrong"),
            signed(payload, at=stale),
            {"Content-Type": "application/json"},
            {**signed(payload), "Stripe-Signature": "t=1,v1=00"},
        ):
            response = await payments.http.post(
                "/v1/stripe/webhook", content=payload, headers=headers
            )
            assert response.status_code == 400, response.text
        tampered = payload.replace(b'"succeeded"', b'"succeeded" ')
        response = await payments.http.post(
            "/v1/stripe/webhook", content=tampered, headers=signed(payload)
        )
        assert response.status_code == 400
        assert (await payments.payment(payment_id))["status"] == "requires_action"
        handled = await payments.parts.pool.fetchval("SELECT count(*) FROM stripe_webhook_events")
        assert handled == 0
        types = await payments.stream_types(f"payment-{payment_id}")
        assert types[-1] == "PaymentRequiresAction"
