"""Bearer tokens: operators pass everywhere, a customer token opens one customer only."""

from __future__ import annotations

import base64
import json
import time

import jwt
import pytest
from fastapi import HTTPException

from shared.auth import Principal, authenticate, issue_customer_token
from shared.settings import ServiceSettings

SECRET = "a-customer-token-secret-of-32-bytes+"


def settings(**overrides: str) -> ServiceSettings:
    values = {
        "database_url": "postgresql://unused",
        "kafka_bootstrap_servers": "127.0.0.1:1",
        "operator_token": "op-1, op-2",
        "customer_token_secret": SECRET,
        **overrides,
    }
    return ServiceSettings(**values)  # type: ignore[arg-type]


def refused(token: str) -> str:
    with pytest.raises(HTTPException) as info:
        authenticate(token, settings())
    assert info.value.status_code == 401
    return str(info.value.detail)


def test_operator_tokens_from_settings() -> None:
    assert authenticate("op-1", settings()) == Principal("operator")
    assert authenticate("op-2", settings()) == Principal("operator")
    assert Principal("operator").may_access("anyone")


def test_customer_token_opens_its_own_customer_only() -> None:
    principal = authenticate(issue_customer_token(SECRET, "cus-a"), settings())
    assert principal == Principal("customer", "cus-a")
    assert principal.may_access("cus-a")
    assert not principal.may_access("cus-b")


def test_expired_token_is_refused() -> None:
    token = jwt.encode({"sub": "cus-a", "exp": int(time.time()) - 10}, SECRET, "HS256")
    assert refused(token) == "token expired"


def test_wrong_signature_is_refused() -> None:
    assert (
        refused(issue_customer_token("another-secret-also-32-bytes-long!!", "cus-a"))
        == "invalid token"
    )


def test_alg_none_is_refused() -> None:
    def part(obj: dict[str, object]) -> str:
        return base64.urlsafe_b64encode(json.dumps(obj).encode()).rstrip(b"=").decode()

    claims = {"sub": "cus-a", "exp": int(time.time()) + 60}
    unsigned = f"{part({'alg': 'none', 'typ': 'JWT'})}.{part(claims)}."
    assert refused(unsigned) == "invalid token"


@pytest.mark.parametrize(
    "claims", [{"sub": "cus-a"}, {"exp": 4_102_444_800}, {"sub": "", "exp": 4_102_444_800}]
)
def test_missing_claims_are_refused(claims: dict[str, object]) -> None:
    assert refused(jwt.encode(claims, SECRET, "HS256")) == "invalid token"


def test_dev_defaults_are_refused_off_loopback() -> None:
    with pytest.raises(ValueError, match="OPERATOR_TOKEN"):
        ServiceSettings(
            database_url="postgresql://unused",
            kafka_bootstrap_servers="k:9092",
            host="0.0.0.0",
        )
    explicit = settings(host="0.0.0.0", stripe_webhook_secret="whsec_real")
    assert explicit.host == "0.0.0.0"
