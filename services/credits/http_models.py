"""Bodies and answers of the credits HTTP API, and the refusal of raw card data.

Amounts travel as decimal strings (``"47.76"``); unknown fields are refused. A
body carrying card data (a key such as ``number``, ``cvc`` or ``card``, or a
value that looks like a card number) is refused before any other check: cards
reach this system only as Stripe PaymentMethod ids.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, model_validator
from pydantic_core import PydanticCustomError

from services.credits.domain.state import RequestStatus, TopUpRequest
from shared.contracts import Text255
from shared.money import CurrencyCode, DecimalAmount

CARD_KEYS = frozenset(
    {
        "number", "cardnumber", "card", "pan", "cvc", "cvv", "cvc2", "cvv2", "securitycode",
        "expmonth", "expyear", "expiry", "expirydate", "expiration", "track1", "track2",
    }
)  # fmt: skip
"""Keys (lower case, letters and digits only) that carry card data wherever they appear."""

_PAN = re.compile(r"(?<![A-Za-z0-9_])(?:[0-9][ -]?){12,18}[0-9](?![A-Za-z0-9_])")

PaymentMethodId = Annotated[
    str, Field(strict=True, max_length=64, pattern=r"^pm_[A-Za-z0-9_]+$", examples=["pm_card_visa"])
]
"""A Stripe PaymentMethod id."""


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


class _Body(BaseModel):
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


class TopUpBody(_Body):
    """A top-up request: what to charge, and which card."""

    amount: DecimalAmount = Field(examples=["100.00"])
    currency: CurrencyCode = "USD"
    description: Text255
    payment_method_id: PaymentMethodId | None = Field(
        default=None, description="The card to charge; none: the customer's default card."
    )
    save_card: StrictBool = False
    set_default: StrictBool = False

    @model_validator(mode="after")
    def _card_options_need_a_card(self) -> TopUpBody:
        if (self.save_card or self.set_default) and self.payment_method_id is None:
            raise ValueError("save_card and set_default need a payment_method_id")
        return self


class GrantBody(_Body):
    """An operator's grant of credit."""

    amount: DecimalAmount = Field(examples=["25.00"])
    currency: CurrencyCode = "USD"
    description: Text255


class RequestAccepted(BaseModel):
    """A top-up was accepted; its card is charged next."""

    request_id: str
    status: Literal["pending"]


class LedgerEntryOut(BaseModel):
    """A ledger entry: ``number`` 1 is the account's oldest; amounts are signed."""

    number: int
    amount: str
    description: str
    created_at: datetime
    balance_after: str


class LedgerOut(BaseModel):
    """A page of the ledger, newest first, with the current balance."""

    balance: str
    currency: str
    entries: list[LedgerEntryOut]
    next_cursor: str | None = None


class FailureOut(BaseModel):
    """Why a top-up failed."""

    code: str
    message: str


class RequestOut(BaseModel):
    """Where a top-up stands."""

    request_id: str
    status: RequestStatus
    amount: str
    currency: str
    description: str
    failure: FailureOut | None = None
    client_secret: str | None = None
    payment_id: str | None = None

    @classmethod
    def of(cls, request: TopUpRequest) -> RequestOut:
        failure = request.failure
        return cls(
            request_id=request.request_id,
            status=request.status,
            amount=request.amount.to_decimal_string(),
            currency=request.amount.currency,
            description=request.description,
            failure=FailureOut(code=failure.code, message=failure.message) if failure else None,
            client_secret=request.client_secret if request.status == "requires_action" else None,
            payment_id=request.payment_id,
        )


class BalanceOut(BaseModel):
    """A balance and the version of the account stream it reflects."""

    balance: str
    currency: str
    version: int
    as_of: datetime | None = None


class GrantOut(BaseModel):
    """A grant made."""

    grant_id: str
    amount: str
    currency: str
    description: str
    granted_by: str
