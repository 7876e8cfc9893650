"""Settings of the invoicing service, read from the environment."""

from __future__ import annotations

import re
from decimal import Decimal
from functools import cached_property

from pydantic import Field, field_validator

from services.invoicing.domain.policy import InvoicePolicy
from shared.money import currency_exponent
from shared.settings import ServiceSettings

_AMOUNT = re.compile(r"^[1-9][0-9]{0,14}(\.[0-9]{1,4})?$")


class InvoicingSettings(ServiceSettings):
    """The shared service settings plus this service's port, expiry pace and invoice limits.

    ``INVOICING_EXPIRY_INTERVAL`` is the number of seconds between two looks for
    invoices whose due date has passed; ``INVOICING_CURRENCIES`` a comma-separated
    list of ISO 4217 codes; ``INVOICING_MAX_AMOUNT_DUE`` the largest total of an
    invoice, in units of its currency.
    """

    invoicing_port: int = Field(default=8003, ge=1, le=65535)
    invoicing_expiry_interval: float = Field(default=1.0, gt=0, le=3600)
    invoicing_currencies: str = "USD"
    invoicing_max_amount_due: str = "1000000.00"

    @field_validator("invoicing_currencies")
    @classmethod
    def _currency_list(cls, value: str) -> str:
        codes = [code.strip() for code in value.split(",") if code.strip()]
        if not codes:
            raise ValueError("name at least one currency")
        for code in codes:
            currency_exponent(code)
        return ",".join(codes)

    @field_validator("invoicing_max_amount_due")
    @classmethod
    def _decimal_amount(cls, value: str) -> str:
        if not _AMOUNT.fullmatch(value):
            raise ValueError(f"{value!r} is not a positive decimal amount such as '1000000.00'")
        return value

    @property
    def port(self) -> int:
        """The port the HTTP API listens on."""
        return self.invoicing_port

    @cached_property
    def invoice_policy(self) -> InvoicePolicy:
        """The rules invoices are checked against."""
        return InvoicePolicy(
            currencies=tuple(self.invoicing_currencies.split(",")),
            max_amount_due=Decimal(self.invoicing_max_amount_due),
        )
