"""The operator CLI's configuration from the environment, and how it writes amounts and times."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from ops.config import OpsConfig, check_service
from ops.errors import InputError
from ops.output import amount, minute, parse_time


def test_defaults_are_those_of_make_run() -> None:
    config = OpsConfig.from_env({})
    assert config.url("credits") == "http://127.0.0.1:8001"
    assert config.url("invoicing") == "http://127.0.0.1:8003"
    assert config.operator_token == "dev-operator-token"
    assert config.kafka_bootstrap_servers == "127.0.0.1:9092"
    assert config.topic("payments") == "billing.payments.v1"
    dsn = config.database_url("credits")
    assert dsn.startswith("postgresql://postgres@/credits?host=")
    assert ".data/postgres" in dsn or "devservers-pg-" in dsn


def test_each_database_is_derived_from_the_server_url_and_prefix_unless_named() -> None:
    config = OpsConfig.from_env(
        {
            "DATABASE_URL": "postgresql://ops:pw@db.internal:5433/postgres?sslmode=require",
            "DATABASE_PREFIX": "e2e_1234_",
            "PAYMENTS_DATABASE_URL": "postgresql://payments@elsewhere/payments",
            "KAFKA_TOPIC_PREFIX": "e2e-1234.",
            "CREDITS_URL": "http://credits.internal:80/",
        }
    )
    assert config.database_url("credits") == (
        "postgresql://ops:pw@db.internal:5433/e2e_1234_credits?sslmode=require"
    )
    assert config.database_url("payments") == "postgresql://payments@elsewhere/payments"
    assert config.topic("credits") == "e2e-1234.billing.credits.v1"
    assert config.url("credits") == "http://credits.internal:80"


def test_an_unknown_service_is_a_clear_error() -> None:
    with pytest.raises(InputError, match="unknown service 'stripe'"):
        check_service("stripe")


@pytest.mark.parametrize(
    ("decimal", "shown"),
    [("100.00", "100"), ("-47.76", "-47.76"), ("-1.99", "-1.99"), ("100.50", "100.50"),
     ("0.00", "0"), ("5", "5"), ("-10.000", "-10")],
)  # fmt: skip
def test_amounts_are_written_like_the_portal(decimal: str, shown: str) -> None:
    assert amount(decimal) == shown


def test_times() -> None:
    assert minute("2024-07-21T03:40:59.9+00:00") == "2024-07-21 03:40"
    assert minute(datetime(2024, 7, 21, 5, 40, tzinfo=timezone(timedelta(hours=2)))) == (
        "2024-07-21 03:40"
    )
    assert parse_time("2026-11-27T12:00:00Z", "--as-of") == datetime(2026, 11, 27, 12, tzinfo=UTC)
    assert parse_time("2026-11-27T12:00:00", "--as-of").tzinfo == UTC
    with pytest.raises(InputError, match="--as-of: 'yesterday' is not an ISO 8601 time"):
        parse_time("yesterday", "--as-of")
