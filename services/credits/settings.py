"""Settings of the credits service, read from the environment."""

from __future__ import annotations

import re
from decimal import Decimal
from functools import cached_property

from pydantic import Field, field_validator, model_validator

from services.credits.domain.policy import TopUpPolicy
from shared.money import currency_exponent
from shared.settings import ServiceSettings

_LIMIT = re.compile(r"^(0|[1-9][0-9]{0,14})(\.[0-9]{1,4})?$")


class CreditsSettings(ServiceSettings):
    """The shared service settings plus this service's port and top-up limits.

    ``CREDITS_MIN_TOPUP`` and ``CREDITS_MAX_TOPUP`` are decimal strings in units
    of the currency; ``CREDITS_CURRENCIES`` is a comma-separated list of ISO 4217
    codes, the first being the currency of an account that has none yet.
    """

    credits_port: int = Field(default=8001, ge=1, le=65535)
    credits_min_topup: str = "1.00"
    credits_max_topup: str = "10000.00"
    credits_currencies: str = "USD"

    @field_validator("credits_min_topup", "credits_max_topup")
    @classmethod
    def _decimal_limit(cls, value: str) -> str:
        if not _LIMIT.fullmatch(value):
            raise ValueError(f"{value!r} is not a decimal amount such as '10000.00'")
        return value

    @field_validator("credits_currencies")
    @classmethod
    def _currency_list(cls, value: str) -> str:
        codes = [code.strip() for code in value.split(",") if code.strip()]
        if not codes:
            raise ValueError("name at least one currency")
        for code in codes:
            currency_exponent(code)
        return ",".join(codes)

    @model_validator(mode="after")
    def _limits_in_order(self) -> CreditsSettings:
        if not Decimal(0) < Decimal(self.credits_min_topup) <= Decimal(self.credits_max_topup):
            raise ValueError("need 0 < CREDITS_MIN_TOPUP <= CREDITS_MAX_TOPUP")
        return self

    @property
    def port(self) -> int:
        """The port the HTTP API listens on."""
        return self.credits_port

    @cached_property
    def topup_policy(self) -> TopUpPolicy:
        """The limits top-ups and grants are checked against."""
        return TopUpPolicy(
            minimum=Decimal(self.credits_min_topup),
            maximum=Decimal(self.credits_max_topup),
            currencies=tuple(self.credits_currencies.split(",")),
        )
