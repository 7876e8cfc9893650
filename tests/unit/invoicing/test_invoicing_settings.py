"""Settings of the invoicing service from the environment: expiry pace, currencies, limits."""

from __future__ import annotations

from decimal import Decimal

import pytest
from pydantic import ValidationError

from services.invoicing.settings import InvoicingSettings

BASE = {"DATABASE_URL": "postgresql://db/x", "KAFKA_BOOTSTRAP_SERVERS": "127.0.0.1:9092"}


def test_defaults_and_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in BASE.items():
        monkeypatch.setenv(name, value)
    defaults = InvoicingSettings()
    assert (defaults.port, defaults.invoicing_expiry_interval) == (8003, 1.0)
    assert defaults.invoice_policy.currencies == ("USD",)
    monkeypatch.setenv("INVOICING_EXPIRY_INTERVAL", "0.25")
    monkeypatch.setenv("INVOICING_CURRENCIES", "USD, EUR")
    monkeypatch.setenv("INVOICING_MAX_AMOUNT_DUE", "500.00")
    monkeypatch.setenv("INVOICING_PORT", "9003")
    settings = InvoicingSettings()
    assert (settings.port, settings.invoicing_expiry_interval) == (9003, 0.25)
    assert settings.invoice_policy.currencies == ("USD", "EUR")
    assert settings.invoice_policy.max_amount_due == Decimal("500.00")


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("INVOICING_EXPIRY_INTERVAL", "0"),
        ("INVOICING_CURRENCIES", "XAU"),
        ("INVOICING_CURRENCIES", " , "),
        ("INVOICING_MAX_AMOUNT_DUE", "0"),
        ("INVOICING_MAX_AMOUNT_DUE", "1e6"),
    ],
)
def test_bad_values_are_refused(monkeypatch: pytest.MonkeyPatch, name: str, value: str) -> None:
    for key, setting in {**BASE, name: value}.items():
        monkeypatch.setenv(key, setting)
    with pytest.raises(ValidationError):
        InvoicingSettings()
