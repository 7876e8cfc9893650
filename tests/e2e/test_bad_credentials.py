"""Bad credentials on the running services: refused with 401 or 403, and nothing stored.

Customer tokens that are expired, unsigned (``alg: none``), signed with another
secret, or another customer's are refused on every service's customer paths; a
customer's valid token is refused on operators' paths. After each refusal the
customer has no stored event in any service, and the same request with the right
token then succeeds, so the refused requests would have changed something.
(Webhooks with a wrong secret or a replayed, stale timestamp are refused in
``tests/integration/payments/test_three_d_secure.py``.)
"""

from __future__ import annotations

import base64
import json
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx
import jwt
import pytest

from services.platform import LocalPlatform
from shared.auth import issue_customer_token
from shared.settings import DEV_CUSTOMER_TOKEN_SECRET

from .conftest import customer_headers
from .event_counts import EventCounts

pytestmark = pytest.mark.e2e

Body = Callable[[str], dict[str, Any] | None]


@dataclass(frozen=True)
class Call:
    """A request of one customer (``{customer}`` in the path stands for its id)."""

    service: str
    method: str
    path: str
    body: Body = lambda customer: None
    idempotent: bool = False

    def send(self, platform: LocalPlatform, customer: str, token: str) -> httpx.Response:
        headers = {"Authorization": f"Bearer {token}"}
        if self.idempotent:
            headers["Idempotency-Key"] = uuid.uuid4().hex
        return httpx.request(
            self.method,
            platform.url(self.service) + self.path.format(customer=customer),
            json=self.body(customer),
            headers=headers,
            timeout=30,
        )


def _invoice(customer: str) -> dict[str, Any]:
    return {
        "customer_id": customer,
        "currency": "USD",
        "lines": [{"description": "Licence renewal", "amount": "47.76"}],
    }


CUSTOMER_CALLS = {
    "credits": [
        Call(
            "credits", "POST", "/v1/customers/{customer}/credits",
            lambda c: {"amount": "100.00", "currency": "USD", "description": "top-up"},
            idempotent=True,
        ),
        Call("credits", "GET", "/v1/customers/{customer}/credits"),
        Call("credits", "GET", "/v1/customers/{customer}/balance"),
    ],
    "payments": [
        Call("payments", "POST", "/v1/customers/{customer}/setup-intents"),
        Call(
            "payments", "POST", "/v1/customers/{customer}/payment-methods",
            lambda c: {"payment_method_id": "pm_card_visa", "set_default": True},
        ),
        Call("payments", "DELETE", "/v1/customers/{customer}/payment-methods/pm_card_visa"),
        Call("payments", "GET", "/v1/customers/{customer}/payment-methods"),
    ],
    "invoicing": [
        Call("invoicing", "POST", "/v1/invoices", _invoice, idempotent=True),
        Call("invoicing", "GET", "/v1/customers/{customer}/invoices"),
    ],
}  # fmt: skip
"""Each service's customer calls; the first one stores events when it succeeds."""

OPERATOR_CALLS = [
    Call(
        "credits", "POST", "/v1/customers/{customer}/credits/grants",
        lambda c: {"amount": "25.00", "description": "goodwill"},
    ),
    Call("payments", "GET", "/v1/payments/pay_{customer}"),
    Call("payments", "POST", "/v1/payments/pay_{customer}/refund", lambda c: {"reason": "r"}),
    Call("invoicing", "POST", "/v1/invoices/inv_{customer}/void", lambda c: {"reason": "r"}),
]  # fmt: skip


def _b64(part: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(part).encode()).rstrip(b"=").decode()


def expired(customer: str) -> str:
    now = int(time.time())
    claims = {"sub": customer, "iat": now - 7200, "exp": now - 3600}
    return jwt.encode(claims, DEV_CUSTOMER_TOKEN_SECRET, algorithm="HS256")


def unsigned(customer: str) -> str:
    """A token with ``alg: none`` and no signature, claims otherwise valid."""
    claims = {"sub": customer, "iat": int(time.time()), "exp": int(time.time()) + 3600}
    return f"{_b64({'alg': 'none', 'typ': 'JWT'})}.{_b64(claims)}."


def wrongly_signed(customer: str) -> str:
    return issue_customer_token("not-the-customer-token-secret-at-all", customer)


def another_customers(customer: str) -> str:
    return issue_customer_token(DEV_CUSTOMER_TOKEN_SECRET, f"{customer}-other")


BAD_TOKENS: dict[str, tuple[Callable[[str], str], int]] = {
    "expired": (expired, 401),
    "alg-none": (unsigned, 401),
    "wrong-signature": (wrongly_signed, 401),
    "another-customer": (another_customers, 403),
}


def nothing_stored(counts: EventCounts, customer: str) -> dict[str, int]:
    return counts.count([customer, f"{customer}-other"], ignored=())


@pytest.mark.parametrize("kind", sorted(BAD_TOKENS))
@pytest.mark.parametrize("service", sorted(CUSTOMER_CALLS))
def test_bad_customer_tokens_are_refused_and_change_nothing(
    platform: LocalPlatform,
    event_counts: EventCounts,
    customer_id: str,
    service: str,
    kind: str,
) -> None:
    make_token, refusal = BAD_TOKENS[kind]
    calls = CUSTOMER_CALLS[service]
    for call in calls:
        response = call.send(platform, customer_id, make_token(customer_id))
        assert response.status_code == refusal, (call.method, call.path, response.text)
        if refusal == 401:
            assert response.headers["www-authenticate"] == "Bearer"
    assert nothing_stored(event_counts, customer_id) == dict.fromkeys(CUSTOMER_CALLS, 0)
    token = issue_customer_token(DEV_CUSTOMER_TOKEN_SECRET, customer_id)
    accepted = calls[0].send(platform, customer_id, token)
    assert accepted.status_code in (201, 202), accepted.text
    assert nothing_stored(event_counts, customer_id)[service] > 0


@pytest.mark.parametrize("call", OPERATOR_CALLS, ids=lambda c: f"{c.method} {c.path}")
def test_operator_paths_refuse_a_customer_token_and_change_nothing(
    platform: LocalPlatform, event_counts: EventCounts, customer_id: str, call: Call
) -> None:
    token = customer_headers(customer_id)["Authorization"].removeprefix("Bearer ")
    response = call.send(platform, customer_id, token)
    assert response.status_code == 403, response.text
    assert response.json() == {"detail": "operator token required"}
    ids = [f"pay_{customer_id}", f"inv_{customer_id}"]
    assert event_counts.count([customer_id], ids, ignored=()) == dict.fromkeys(CUSTOMER_CALLS, 0)
