"""What people may type into an invoice: supported currency, line amounts, total, due date."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from services.invoicing.domain.errors import InvalidField
from services.invoicing.domain.policy import InvoicePolicy
from shared.money import Money

POLICY = InvoicePolicy(currencies=("USD", "JPY"), max_amount_due=Decimal("1000.00"))


def test_lines_are_read_in_minor_units_of_the_currency() -> None:
    lines = POLICY.lines([("a", "7.96"), ("b", "100")], "USD")
    assert [(x.description, x.amount) for x in lines] == [
        ("a", Money(796, "USD")), ("b", Money(10000, "USD")),
    ]  # fmt: skip
    assert POLICY.lines([("yen", "500")], "JPY")[0].amount == Money(500, "JPY")


@pytest.mark.parametrize(
    ("amount", "currency", "field"),
    [
        ("0.00", "USD", "lines.1.amount"),
        ("-1.00", "USD", "lines.1.amount"),
        ("1.001", "USD", "lines.1.amount"),
        ("1.5", "JPY", "lines.1.amount"),
        ("NaN", "USD", "lines.1.amount"),
        ("1e3", "USD", "lines.1.amount"),
        ("1000.01", "USD", "lines.1.amount"),
        ("999.00", "USD", "lines"),
        ("1.00", "EUR", "currency"),
    ],
)
def test_bad_amounts_and_currencies_name_the_field(amount: str, currency: str, field: str) -> None:
    with pytest.raises(InvalidField) as refused:
        POLICY.lines([("first", "2"), ("second", amount)], currency)
    assert refused.value.field == field


def test_the_due_date_lies_in_the_future() -> None:
    now = datetime(2024, 7, 21, tzinfo=UTC)
    assert POLICY.due_at(None, now) is None
    assert POLICY.due_at(now + timedelta(seconds=1), now) == now + timedelta(seconds=1)
    with pytest.raises(InvalidField, match="future"):
        POLICY.due_at(now, now)


def test_a_policy_needs_currencies_with_minor_units_and_a_positive_limit() -> None:
    with pytest.raises(ValueError, match="currency"):
        InvoicePolicy(currencies=())
    with pytest.raises(ValueError, match="ISO 4217"):
        InvoicePolicy(currencies=("XAU",))
    with pytest.raises(ValueError, match="more than zero"):
        InvoicePolicy(max_amount_due=Decimal(0))
