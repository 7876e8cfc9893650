"""The portal's session cookie, CSRF and Origin checks, CSP and card-data refusal, over HTTP."""

from __future__ import annotations

import re
import uuid

import httpx
import pytest

from shared.auth import issue_customer_token
from shared.settings import DEV_CUSTOMER_TOKEN_SECRET

from .conftest import Portal

pytestmark = pytest.mark.e2e


def signed_in(portal: Portal) -> tuple[httpx.Client, str, str]:
    """A client holding a new customer's session cookie, that customer and the page's CSRF."""
    customer_id = f"cus-{uuid.uuid4().hex[:12]}"
    token = issue_customer_token(DEV_CUSTOMER_TOKEN_SECRET, customer_id)
    client = httpx.Client(base_url=portal.url, timeout=10)
    assert client.get(f"/sign-in?token={token}").status_code == 303
    page = client.get("/credits")
    assert page.status_code == 200, page.text
    found = re.search(r'<meta name="csrf-token" content="([0-9a-f]{64})">', page.text)
    assert found, "the page carries its CSRF token"
    return client, customer_id, found.group(1)


def test_sign_in_keeps_the_token_in_an_httponly_strict_cookie(portal: Portal) -> None:
    token = issue_customer_token(DEV_CUSTOMER_TOKEN_SECRET, "cus-cookie")
    answer = httpx.get(f"{portal.url}/sign-in?token={token}", timeout=10)
    assert answer.status_code == 303
    assert answer.headers["location"] == "/credits"
    cookie = answer.headers["set-cookie"]
    assert cookie.startswith(f"portal_session={token};")
    assert {"httponly", "samesite=strict", "path=/"} <= {
        part.strip().lower() for part in cookie.split(";")
    }
    assert "secure" not in cookie.lower()  # plain HTTP on loopback only


def test_a_bad_sign_in_link_sets_no_cookie(portal: Portal) -> None:
    forged = issue_customer_token("another-secret", "cus-forged")
    for token in (forged, "not-a-token", ""):
        answer = httpx.get(f"{portal.url}/sign-in", params={"token": token}, timeout=10)
        assert answer.status_code == 401
        assert "set-cookie" not in answer.headers
        assert "invalid or has expired" in answer.text


def test_every_response_carries_the_content_security_policy(portal: Portal) -> None:
    client, _, _ = signed_in(portal)
    stripe = portal.platform.config.stripe_api_base
    for path in ("/", "/credits", "/invoices", "/payment-options", "/static/portal.js", "/nope"):
        policy = client.get(path).headers["content-security-policy"]
        directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
        assert directives["script-src"] == f"'self' {stripe}"
        assert directives["connect-src"] == f"'self' {stripe}"
        assert directives["frame-src"] == stripe
        assert directives["frame-ancestors"] == "'none'"
        assert "unsafe-inline" not in policy


def test_state_changing_calls_need_the_csrf_token_and_our_origin(portal: Portal) -> None:
    client, _, csrf = signed_in(portal)
    assert client.post("/api/setup-intents").status_code == 403
    wrong = {"X-CSRF-Token": "0" * 64}
    assert client.post("/api/setup-intents", headers=wrong).status_code == 403
    cross = {"X-CSRF-Token": csrf, "Origin": "http://attacker.example"}
    assert client.post("/api/setup-intents", headers=cross).status_code == 403
    cross_site = {"X-CSRF-Token": csrf, "Sec-Fetch-Site": "cross-site"}
    assert client.post("/api/setup-intents", headers=cross_site).status_code == 403
    ours = {"X-CSRF-Token": csrf, "Origin": portal.url}
    answer = client.post("/api/setup-intents", headers=ours)
    assert answer.status_code == 201, answer.text
    assert answer.json()["client_secret"].startswith("seti_")


def test_calls_without_a_session_answer_401(portal: Portal) -> None:
    assert httpx.post(f"{portal.url}/api/setup-intents", timeout=10).status_code == 401
    assert httpx.get(f"{portal.url}/fragments/ledger", timeout=10).status_code == 401
    page = httpx.get(f"{portal.url}/credits", timeout=10)
    assert page.status_code == 401
    assert "not signed in" in page.text


@pytest.mark.parametrize(
    "body",
    [
        {"amount": "10.00", "description": "4242 4242 4242 4242"},
        {"amount": "10.00", "description": "x", "number": "4242424242424242"},
        {"amount": "10.00", "description": "x", "card": {"cvc": "123"}},
    ],
)
def test_card_data_is_refused_before_it_reaches_a_service(
    portal: Portal, body: dict[str, object]
) -> None:
    client, customer_id, csrf = signed_in(portal)
    headers = {"X-CSRF-Token": csrf, "Idempotency-Key": uuid.uuid4().hex}
    answer = client.post("/api/credits", json=body, headers=headers)
    assert answer.status_code == 422
    assert "4242" not in answer.text
    assert "123" not in answer.text
    token = issue_customer_token(DEV_CUSTOMER_TOKEN_SECRET, customer_id)
    ledger = httpx.get(
        f"{portal.platform.url('credits')}/v1/customers/{customer_id}/credits",
        headers={"Authorization": f"Bearer {token}"},
        timeout=10,
    ).json()
    assert (ledger["balance"], ledger["entries"]) == ("0.00", [])
