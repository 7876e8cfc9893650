"""Errors of the invoice: refused input (HTTP 422), refused commands (409), refused messages."""

from __future__ import annotations


class InvoicingError(Exception):
    """Base class of the invoice's errors."""


class InvalidField(InvoicingError):  # noqa: N818 - reads as what it reports
    """A field of a command breaks a rule; nothing is decided."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


class CommandRefused(InvoicingError):  # noqa: N818 - reads as what it reports
    """The invoice cannot take the command in its present state (HTTP 409)."""


class InvoiceClosed(CommandRefused):
    """The invoice is paid or void: nothing more can be paid or voided on it."""


class PaymentInProgress(CommandRefused):
    """A debit of the credits or a card payment is under way; wait for its outcome."""


class MessageRefused(InvoicingError):  # noqa: N818 - reads as what it reports
    """A message from another service the invoice cannot accept as it is (dead letter)."""

    reason = "refused"

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class UnknownInvoice(MessageRefused):
    """No such invoice (for this customer); over HTTP, a 404."""

    reason = "unknown_invoice"


class PaymentMismatch(MessageRefused):
    """A payment does not fit the invoice: another currency, or more than is left to pay."""

    reason = "payment_mismatch"
