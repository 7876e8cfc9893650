"""Bodies and answers of the credits HTTP API.

Amounts travel as decimal strings (``"47.76"``); unknown fields are refused. A
body carrying card data (a key such as ``number``, ``cvc`` or ``card``, or a
value that looks like a card number) is refused before any other check
(``shared.card_data``): cards reach this system only as Stripe PaymentMethod ids.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, Field, StrictBool, model_validator

from services.credits.domain.state import RequestStatus, TopUpRequest
from shared.card_data import StrictBody as _Body
from shared.card_data import find_card_data as find_card_data
from shared.contracts import Text255
from shared.money import CurrencyCode, DecimalAmount

PaymentMethodId = Annotated[
    str, Field(strict=True, max_length=64, pattern=r"^pm_[A-Za-z0-9_]+$", examples=["pm_card_visa"])
]
"""A Stripe PaymentMethod id."""


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
