"""The portal's amount and time formats, sign-in tokens, CSRF tokens and settings."""

from __future__ import annotations

import time

import jwt
import pytest
from pydantic import ValidationError

from portal.formatting import created, table_amount
from portal.security import content_security_policy
from portal.session import CsrfTokens, read_token
from portal.settings import PortalSettings
from shared.auth import issue_customer_token

SECRET = "unit-secret-unit-secret-unit-secret"


@pytest.mark.parametrize(
    ("amount", "written"),
    [("100.00", "100"), ("-47.76", "-47.76"), ("-20.00", "-20"), ("-1.90", "-1.90"),
     ("0.00", "0"), ("1000", "1000"), ("12.5", "12.5")],
)  # fmt: skip
def test_table_amounts_drop_only_a_whole_amounts_zeros(amount: str, written: str) -> None:
    assert table_amount(amount) == written


def test_created_is_utc_to_the_minute() -> None:
    assert created("2024-07-21T05:40:59+02:00") == "2024-07-21 03:40"
    assert created("2024-07-17T04:21:00Z") == "2024-07-17 04:21"


def test_a_valid_token_opens_its_customers_session() -> None:
    token = issue_customer_token(SECRET, "cus-42")
    session = read_token(token, SECRET)
    assert session is not None
    assert (session.customer_id, session.token) == ("cus-42", token)
    assert session.expires_at > time.time()


@pytest.mark.parametrize(
    "token",
    [
        issue_customer_token("another-secret-another-secret-xx", "cus-42"),
        issue_customer_token(SECRET, "cus-42", ttl_seconds=-10),
        jwt.encode({"sub": "cus-42"}, SECRET, algorithm="HS256"),
        jwt.encode({"sub": "cus-42", "exp": 2**40}, SECRET, algorithm="HS512"),
        "garbage",
    ],
)
def test_forged_expired_or_odd_tokens_open_nothing(token: str) -> None:
    assert read_token(token, SECRET) is None


def test_csrf_tokens_are_bound_to_the_session() -> None:
    tokens = CsrfTokens()
    mine = read_token(issue_customer_token(SECRET, "cus-1"), SECRET)
    theirs = read_token(issue_customer_token(SECRET, "cus-2"), SECRET)
    assert mine is not None
    assert theirs is not None
    assert tokens.valid(mine, tokens.issue(mine))
    assert not tokens.valid(mine, tokens.issue(theirs))
    assert not tokens.valid(mine, None)
    assert not CsrfTokens().valid(mine, tokens.issue(mine))


def test_dev_defaults_are_refused_off_loopback() -> None:
    with pytest.raises(ValidationError, match=r"CUSTOMER_TOKEN_SECRET.*STRIPE_JS_BASE"):
        PortalSettings(host="0.0.0.0")
    settings = PortalSettings(
        host="0.0.0.0", customer_token_secret=SECRET, stripe_js_base="https://js.stripe.com/v3/",
        stripe_publishable_key="pk_live_abc",
    )  # fmt: skip
    assert settings.secure_cookies
    policy = content_security_policy(settings)
    assert "script-src 'self' https://js.stripe.com https://api.stripe.com" in policy
    assert not PortalSettings().secure_cookies
