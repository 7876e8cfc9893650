"""Refusal of raw card data: cards reach this system only as Stripe PaymentMethod ids.

A body carrying card data (a key such as ``number``, ``cvc`` or ``card``, or a
value that looks like a card number: 13 to 19 digits passing the Luhn check) is
refused before any other check, without echoing what was sent.
"""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel, ConfigDict, model_validator
from pydantic_core import PydanticCustomError

CARD_KEYS = frozenset(
    {
        "number", "cardnumber", "card", "pan", "cvc", "cvv", "cvc2", "cvv2", "securitycode",
        "expmonth", "expyear", "expiry", "expirydate", "expiration", "track1", "track2",
    }
)  # fmt: skip
"""Keys (lower case, letters and digits only) that carry card data wherever they appear."""

_PAN = re.compile(r"(?<![A-Za-z0-9_])(?:[0-9][ -]?){12,18}[0-9](?![A-Za-z0-9_])")


def _luhn(digits: str) -> bool:
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char) * (2 if index % 2 else 1)
        total += value - 9 if value > 9 else value
    return total % 10 == 0


def _looks_like_card_number(text: str) -> bool:
    for match in _PAN.finditer(text):
        digits = re.sub(r"[^0-9]", "", match.group())
        if 13 <= len(digits) <= 19 and _luhn(digits):
            return True
    return False


def find_card_data(value: object, where: str = "") -> str | None:
    """Where in a JSON value card data sits (a dotted path), or None when there is none."""
    if isinstance(value, dict):
        for key, item in value.items():
            path = f"{where}.{key}" if where else str(key)
            if re.sub(r"[^a-z0-9]", "", str(key).lower()) in CARD_KEYS:
                return path
            if (found := find_card_data(item, path)) is not None:
                return found
    elif isinstance(value, list):
        for index, item in enumerate(value):
            if (found := find_card_data(item, f"{where}[{index}]")) is not None:
                return found
    elif isinstance(value, str) and _looks_like_card_number(value):
        return where or "(body)"
    return None


class StrictBody(BaseModel):
    """Base of HTTP request bodies: unknown fields refused, input never echoed, no card data."""

    model_config = ConfigDict(extra="forbid", frozen=True, hide_input_in_errors=True)

    @model_validator(mode="before")
    @classmethod
    def _refuse_card_data(cls, data: Any) -> Any:
        where = find_card_data(data)
        if where is not None:
            raise PydanticCustomError(
                "card_data",
                "card data must not be sent (found in {where}); "
                "use a Stripe PaymentMethod id (pm_...)",
                {"where": where},
            )
        return data
