"""Limits on amounts people type: supported currencies, smallest and largest top-up."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from shared.money import Money, MoneyError, currency_exponent

from .errors import InvalidField


@dataclass(frozen=True, slots=True)
class TopUpPolicy:
    """Which amounts a top-up (or a grant) may have.

    ``minimum`` and ``maximum`` are in units of the currency (``Decimal("1.00")``
    is one dollar, or one yen); grants have no minimum.
    """

    minimum: Decimal = Decimal("1.00")
    maximum: Decimal = Decimal("10000.00")
    currencies: tuple[str, ...] = ("USD",)

    def __post_init__(self) -> None:
        if not self.currencies:
            raise ValueError("at least one currency must be supported")
        for code in self.currencies:
            currency_exponent(code)
        if not Decimal(0) < self.minimum <= self.maximum:
            raise ValueError("top-up limits must satisfy 0 < minimum <= maximum")

    @property
    def default_currency(self) -> str:
        """The currency of an account that has none yet: the first supported one."""
        return self.currencies[0]

    def currency(self, code: str) -> str:
        """Return ``code`` when it is a supported currency; raise InvalidField otherwise."""
        if code not in self.currencies:
            supported = ", ".join(self.currencies)
            raise InvalidField("currency", f"currency {code!r} is not supported ({supported})")
        return code

    def _money(self, amount: str, currency: str) -> Money:
        code = self.currency(currency)
        try:
            money = Money.parse(amount, code)
        except MoneyError as error:
            raise InvalidField("amount", str(error)) from None
        if not money.is_positive():
            raise InvalidField("amount", "amount must be more than zero")
        if money.to_decimal() > self.maximum:
            raise InvalidField("amount", f"amount must be at most {self.maximum} {code}")
        return money

    def top_up(self, amount: str, currency: str) -> Money:
        """Read a top-up amount: supported currency, its decimals, within the limits."""
        money = self._money(amount, currency)
        if money.to_decimal() < self.minimum:
            raise InvalidField("amount", f"amount must be at least {self.minimum} {currency}")
        return money

    def grant(self, amount: str, currency: str) -> Money:
        """Read a grant amount: supported currency, its decimals, more than zero, <= maximum."""
        return self._money(amount, currency)
