"""Errors of the credit account: refused input (HTTP 422) and refused messages (dead letters)."""

from __future__ import annotations


class CreditsError(Exception):
    """Base class of the credit account's errors."""


class InvalidField(CreditsError):  # noqa: N818 - reads as what it reports
    """A field of a command breaks a rule; nothing is decided."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


class MessageRefused(CreditsError):  # noqa: N818 - reads as what it reports
    """A message from another service that the account cannot accept as it is."""

    reason = "refused"

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class UnknownRequest(MessageRefused):
    """A payment result names a top-up request this account never made."""

    reason = "unknown_request"


class PaymentMismatch(MessageRefused):
    """A captured payment does not match the request it claims to pay."""

    reason = "payment_mismatch"
