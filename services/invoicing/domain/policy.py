"""Rules on what people type into an invoice: currencies, line amounts, total, due date."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from shared.money import Money, MoneyError, currency_exponent

from .errors import InvalidField
from .state import Line


@dataclass(frozen=True, slots=True)
class InvoicePolicy:
    """Which invoices may be issued.

    Every line amount is more than zero, written with at most the currency's
    decimals; the total is at most ``max_amount_due`` (units of the currency); a
    due date lies in the future.
    """

    currencies: tuple[str, ...] = ("USD",)
    max_amount_due: Decimal = Decimal("1000000.00")

    def __post_init__(self) -> None:
        if not self.currencies:
            raise ValueError("at least one currency must be supported")
        for code in self.currencies:
            currency_exponent(code)
        if self.max_amount_due <= 0:
            raise ValueError("the largest amount due must be more than zero")

    def currency(self, code: str) -> str:
        """Return ``code`` when it is a supported currency; raise InvalidField otherwise."""
        if code not in self.currencies:
            supported = ", ".join(self.currencies)
            raise InvalidField("currency", f"currency {code!r} is not supported ({supported})")
        return code

    def lines(self, lines: Sequence[tuple[str, str]], currency: str) -> tuple[Line, ...]:
        """Read (description, decimal amount) pairs into lines of ``currency``."""
        code = self.currency(currency)
        read = tuple(
            Line(description, self._amount(amount, code, f"lines.{index}.amount"))
            for index, (description, amount) in enumerate(lines)
        )
        total = sum((line.amount.to_decimal() for line in read), Decimal(0))
        if total > self.max_amount_due:
            raise InvalidField("lines", f"the total must be at most {self.max_amount_due} {code}")
        return read

    def due_at(self, due_at: datetime | None, now: datetime) -> datetime | None:
        """Return the due date when it lies after ``now`` (or is None)."""
        if due_at is not None and due_at <= now:
            raise InvalidField("due_at", "the due date must be in the future")
        return due_at

    def _amount(self, amount: str, currency: str, field: str) -> Money:
        try:
            money = Money.parse(amount, currency)
        except MoneyError as error:
            raise InvalidField(field, str(error)) from None
        if not money.is_positive():
            raise InvalidField(field, "amount must be more than zero")
        if money.to_decimal() > self.max_amount_due:
            raise InvalidField(field, f"amount must be at most {self.max_amount_due} {currency}")
        return money
