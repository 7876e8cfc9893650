"""Field types and the base class shared by the envelope and every event payload."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Annotated, ClassVar, Literal

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    Strict,
    StringConstraints,
)

from shared.contracts.topics import Producer

# Unicode's control characters (category Cc: U+0000-U+001F, U+007F-U+009F) and
# surrogates (category Cs), found by one regular expression: a category lookup per
# character made this check the largest cost of decoding an event's payload.
_CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f-\x9f\ud800-\udfff]")


def _no_control_characters(text: str) -> str:
    if _CONTROL_CHARACTERS.search(text):
        raise ValueError("text must not contain control characters (newlines, tabs, NUL...)")
    return text


def _timestamp_text(value: object) -> object:
    if not isinstance(value, str | datetime):
        raise ValueError("timestamp must be an ISO 8601 string with a time zone")
    return value


def _to_utc(value: datetime) -> datetime:
    return value.astimezone(UTC)


CustomerId = Annotated[
    str, StringConstraints(strict=True, min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._-]+$")
]
"""A customer id: 1 to 64 characters among letters, digits, ``.``, ``_`` and ``-``."""

EntityId = Annotated[
    str, StringConstraints(strict=True, min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")
]
"""An id of a request, grant, payment, invoice or Stripe PaymentMethod: 1 to 64 characters
among letters, digits, ``_`` and ``-``."""

Code = Annotated[
    str, StringConstraints(strict=True, min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.:-]+$")
]
"""A short machine-readable code such as ``card_declined``."""

ClientSecret = Annotated[
    str, StringConstraints(strict=True, min_length=1, max_length=255, pattern=r"^[A-Za-z0-9_-]+$")
]
"""A Stripe client secret, handed to the portal to finish a payment (3-D Secure)."""

CardBrand = Annotated[
    str, StringConstraints(strict=True, min_length=1, max_length=32, pattern=r"^[a-z0-9_]+$")
]
"""A card brand as Stripe names it: ``visa``, ``mastercard``, ``amex``..."""

Last4 = Annotated[str, StringConstraints(strict=True, pattern=r"^[0-9]{4}$")]
"""The last four digits of a card number."""

Text255 = Annotated[
    str,
    StringConstraints(strict=True, max_length=255),
    AfterValidator(_no_control_characters),
    Field(json_schema_extra={"pattern": r"^[^\x00-\x1F\x7F-\x9F]*$"}),
]
"""Human text of at most 255 characters without control characters."""

NonEmptyText255 = Annotated[Text255, StringConstraints(min_length=1)]
"""Like :data:`Text255`, but not empty."""

UtcDatetime = Annotated[
    AwareDatetime,
    Strict(False),
    BeforeValidator(_timestamp_text),
    AfterValidator(_to_utc),
]
"""A time-zone-aware ISO 8601 timestamp, converted to UTC."""

Purpose = Literal["credit_topup", "invoice"]
"""What a payment pays: a credit top-up or an invoice."""


class ContractModel(BaseModel):
    """Base of the wire models: immutable, no unknown field, no type coercion."""

    model_config = ConfigDict(frozen=True, extra="forbid", strict=True, hide_input_in_errors=True)


class EventPayload(ContractModel):
    """Base of the payload models; each subclass names its event type, version and topic."""

    event_type: ClassVar[str]
    schema_version: ClassVar[int] = 1
    topic: ClassVar[str]
    producer: ClassVar[Producer]


class CardSummary(ContractModel):
    """The card a payment was charged to."""

    brand: CardBrand
    last4: Last4
