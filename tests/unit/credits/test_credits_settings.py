"""Top-up limits and currencies come from the environment and are checked at start."""

from __future__ import annotations

from decimal import Decimal

import pytest
from pydantic import ValidationError

from services.credits.settings import CreditsSettings

REQUIRED = {"DATABASE_URL": "postgresql://unused", "KAFKA_BOOTSTRAP_SERVERS": "127.0.0.1:1"}


def test_the_defaults_are_one_to_ten_thousand_dollars(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in REQUIRED.items():
        monkeypatch.setenv(name, value)
    for name in ("CREDITS_MIN_TOPUP", "CREDITS_MAX_TOPUP", "CREDITS_CURRENCIES"):
        monkeypatch.delenv(name, raising=False)
    policy = CreditsSettings().topup_policy
    assert (policy.minimum, policy.maximum, policy.currencies) == (
        Decimal("1.00"), Decimal("10000.00"), ("USD",),
    )  # fmt: skip


def test_limits_and_currencies_are_read_from_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name, value in {
        **REQUIRED,
        "CREDITS_MIN_TOPUP": "2.50",
        "CREDITS_MAX_TOPUP": "500",
        "CREDITS_CURRENCIES": "EUR, USD",
    }.items():
        monkeypatch.setenv(name, value)
    policy = CreditsSettings().topup_policy
    assert (policy.minimum, policy.maximum, policy.currencies) == (
        Decimal("2.50"), Decimal("500"), ("EUR", "USD"),
    )  # fmt: skip
    assert policy.default_currency == "EUR"


@pytest.mark.parametrize(
    "overrides",
    [
        {"credits_min_topup": "1e2"},
        {"credits_max_topup": "-5"},
        {"credits_min_topup": "20", "credits_max_topup": "10"},
        {"credits_min_topup": "0"},
        {"credits_currencies": "USD,XXX"},
        {"credits_currencies": " , "},
    ],
)
def test_inconsistent_settings_are_refused(overrides: dict[str, str]) -> None:
    values = {
        "database_url": "postgresql://unused",
        "kafka_bootstrap_servers": "127.0.0.1:1",
        **overrides,
    }
    with pytest.raises(ValidationError):
        CreditsSettings(**values)  # type: ignore[arg-type]
