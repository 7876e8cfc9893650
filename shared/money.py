"""Money as integer minor units of an ISO 4217 currency, and the pydantic field types for it.

Amounts never pass through ``float``: decimal strings are parsed digit by digit into an
``int`` of minor units (cents for USD, yen for JPY, fils for BHD) and written back the same
way. Only currencies with a minor-unit exponent in ISO 4217 are supported, so ``XAU`` or
``XXX`` are refused.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Annotated, Any, Self

from annotated_types import Ge, Gt, Le
from iso4217 import Currency
from pydantic import AfterValidator, Strict, WithJsonSchema

MAX_MINOR_UNITS = 2**63 - 1
"""Largest absolute amount in minor units: what a PostgreSQL ``bigint`` holds."""

MAX_AMOUNT_CHARS = 30
"""Longest decimal string :meth:`Money.parse` reads."""

_CODE = re.compile(r"[A-Z]{3}")
_DECIMAL = re.compile(r"(-?)([0-9]+)(?:\.([0-9]+))?")
_SEPARATORS = frozenset(",_'")
_NON_FINITE = frozenset({"nan", "snan", "inf", "infinity"})
_EXPONENTS: dict[str, int] = {
    currency.code: currency.exponent for currency in Currency if currency.exponent is not None
}
_MAX_EXPONENT = max(_EXPONENTS.values())


class MoneyError(ValueError):
    """An amount or a currency that is not valid money."""


def currency_exponent(code: str) -> int:
    """Return the number of decimals of an ISO 4217 currency (USD 2, JPY 0, BHD 3).

    Raises :class:`MoneyError` when ``code`` is not three upper-case letters, is not an
    ISO 4217 code, or has no minor unit (``XAU``, ``XXX``, ``XDR``...).
    """
    if not isinstance(code, str) or not _CODE.fullmatch(code):
        raise MoneyError(f"currency must be three upper-case letters, got {code!r}")
    try:
        return _EXPONENTS[code]
    except KeyError:
        raise MoneyError(f"currency {code} is not an ISO 4217 currency with a minor unit") from None


def _split_amount(amount: object) -> tuple[bool, str, str]:
    """Check the syntax of a decimal string; return (negative, integer digits, decimals)."""
    if not isinstance(amount, str):
        raise MoneyError(f"amount must be a decimal string, got {type(amount).__name__}")
    if len(amount) > MAX_AMOUNT_CHARS:
        raise MoneyError(f"amount is too long (at most {MAX_AMOUNT_CHARS} characters)")
    if not amount:
        raise MoneyError("amount is empty")
    if any(char.isspace() for char in amount):
        raise MoneyError(f"amount {amount!r} must not contain whitespace")
    if amount.startswith("+"):
        raise MoneyError(f"amount {amount!r} must not start with '+'")
    if _SEPARATORS.intersection(amount):
        raise MoneyError(f"amount {amount!r} must not contain thousands separators")
    if amount.removeprefix("-").lower() in _NON_FINITE:
        raise MoneyError(f"amount {amount!r} is not a finite number")
    if "e" in amount.lower():
        raise MoneyError(f"amount {amount!r} must not use exponent notation")
    match = _DECIMAL.fullmatch(amount)
    if match is None:
        raise MoneyError(f"amount {amount!r} is not a decimal number such as '47.76'")
    sign, whole, decimals = match.group(1), match.group(2), match.group(3) or ""
    if len(whole) > 1 and whole.startswith("0"):
        raise MoneyError(f"amount {amount!r} must not have leading zeros")
    if sign and not whole.strip("0") and not decimals.strip("0"):
        raise MoneyError(f"amount {amount!r} is a negative zero")
    return bool(sign), whole, decimals


@dataclass(frozen=True, slots=True)
class Money:
    """An amount in integer minor units of one currency, e.g. ``Money(4776, "USD")``."""

    minor: int
    currency: str

    def __post_init__(self) -> None:
        if isinstance(self.minor, bool) or not isinstance(self.minor, int):
            raise MoneyError(f"minor units must be an int, got {type(self.minor).__name__}")
        currency_exponent(self.currency)
        if abs(self.minor) > MAX_MINOR_UNITS:
            raise MoneyError(f"amount is out of range (at most {MAX_MINOR_UNITS} minor units)")

    @classmethod
    def parse(cls, amount: str, currency: str = "USD") -> Self:
        """Read a decimal string such as ``"47.76"``, ``"100"`` or ``"-1.99"``.

        At most as many decimals as the currency has are accepted (none for JPY). Floats,
        exponents, ``NaN``, infinities, signs other than a leading ``-``, negative zero,
        whitespace, separators and leading zeros are refused with a :class:`MoneyError`.
        """
        exponent = currency_exponent(currency)
        negative, whole, decimals = _split_amount(amount)
        if len(decimals) > exponent:
            allowed = f"at most {exponent} decimals" if exponent else "no decimals"
            raise MoneyError(f"amount {amount!r}: {currency} allows {allowed}")
        minor = int(whole) * 10**exponent + int(decimals.ljust(exponent, "0") or "0")
        return cls(-minor if negative else minor, currency)

    @classmethod
    def zero(cls, currency: str) -> Self:
        """Return zero in ``currency``."""
        return cls(0, currency)

    @property
    def exponent(self) -> int:
        """Number of decimals of this amount's currency."""
        return _EXPONENTS[self.currency]

    def to_decimal_string(self) -> str:
        """Write the amount with exactly the currency's decimals: ``"100.00"``, JPY ``"500"``."""
        whole, fraction = divmod(abs(self.minor), 10**self.exponent)
        sign = "-" if self.minor < 0 else ""
        if not self.exponent:
            return f"{sign}{whole}"
        return f"{sign}{whole}.{fraction:0{self.exponent}d}"

    def to_display(self) -> str:
        """Write the amount as the billing portal does: ``"100"``, ``"-47.76"``, ``"12.50"``.

        Whole amounts have no decimals; others have all the currency's decimals.
        """
        if self.minor % 10**self.exponent == 0:
            return str(self.minor // 10**self.exponent)
        return self.to_decimal_string()

    def to_decimal(self) -> Decimal:
        """Return the amount as an exact :class:`~decimal.Decimal` (``Decimal("47.76")``)."""
        digits = tuple(int(digit) for digit in str(abs(self.minor)))
        return Decimal((int(self.minor < 0), digits, -self.exponent))

    def is_zero(self) -> bool:
        """Tell whether the amount is zero."""
        return self.minor == 0

    def is_positive(self) -> bool:
        """Tell whether the amount is above zero."""
        return self.minor > 0

    def is_negative(self) -> bool:
        """Tell whether the amount is below zero."""
        return self.minor < 0

    def _same_currency(self, other: Money, operation: str) -> None:
        if self.currency != other.currency:
            raise MoneyError(f"cannot {operation} {self.currency} and {other.currency}")

    def __add__(self, other: Money) -> Money:
        if not isinstance(other, Money):
            return NotImplemented
        self._same_currency(other, "add")
        return Money(self.minor + other.minor, self.currency)

    def __sub__(self, other: Money) -> Money:
        if not isinstance(other, Money):
            return NotImplemented
        self._same_currency(other, "subtract")
        return Money(self.minor - other.minor, self.currency)

    def __neg__(self) -> Money:
        return Money(-self.minor, self.currency)

    def __lt__(self, other: Money) -> bool:
        if not isinstance(other, Money):
            return NotImplemented
        self._same_currency(other, "compare")
        return self.minor < other.minor

    def __le__(self, other: Money) -> bool:
        if not isinstance(other, Money):
            return NotImplemented
        self._same_currency(other, "compare")
        return self.minor <= other.minor

    def __gt__(self, other: Money) -> bool:
        if not isinstance(other, Money):
            return NotImplemented
        self._same_currency(other, "compare")
        return self.minor > other.minor

    def __ge__(self, other: Money) -> bool:
        if not isinstance(other, Money):
            return NotImplemented
        self._same_currency(other, "compare")
        return self.minor >= other.minor

    def __str__(self) -> str:
        return f"{self.to_decimal_string()} {self.currency}"


def _check_currency(code: str) -> str:
    currency_exponent(code)
    return code


def _check_decimal_amount(amount: str) -> str:
    _, _, decimals = _split_amount(amount)
    if len(decimals) > _MAX_EXPONENT:
        raise MoneyError(f"amount {amount!r} has more than {_MAX_EXPONENT} decimals")
    return amount


_AMOUNT_SCHEMA: dict[str, Any] = {
    "type": "string",
    "pattern": r"^-?(0|[1-9][0-9]*)(\.[0-9]+)?$",
    "maxLength": MAX_AMOUNT_CHARS,
    "examples": ["47.76", "100", "-1.99"],
}

MinorUnits = Annotated[int, Strict(), Ge(-MAX_MINOR_UNITS), Le(MAX_MINOR_UNITS)]
"""A signed amount in minor units; only a JSON integer is accepted (not 12.0, "12", true)."""

NonNegativeMinorUnits = Annotated[int, Strict(), Ge(0), Le(MAX_MINOR_UNITS)]
"""An amount in minor units that is zero or more."""

PositiveMinorUnits = Annotated[int, Strict(), Gt(0), Le(MAX_MINOR_UNITS)]
"""An amount in minor units that is more than zero."""

CurrencyCode = Annotated[
    str,
    Strict(),
    AfterValidator(_check_currency),
    WithJsonSchema({"type": "string", "pattern": "^[A-Z]{3}$", "examples": ["USD"]}),
]
"""An ISO 4217 code with a minor unit, e.g. ``"USD"``."""

DecimalAmount = Annotated[
    str, Strict(), AfterValidator(_check_decimal_amount), WithJsonSchema(_AMOUNT_SCHEMA)
]
"""A decimal string such as ``"47.76"`` (HTTP bodies); turn it into money with
``Money.parse(value, currency)``, which also checks the number of decimals of the currency."""
