"""Decisions of the credit account: from its state and a command to the events to append.

Each function is pure: it reads the account, raises a domain error for a command
it refuses, and returns the events to append (an empty list when the command
has already had its effect, so a redelivered message changes nothing).

Invoice debits take ``min(balance, amount requested)`` and so never take the
balance below zero: the decision is made on the account as loaded, and an
append after another writer's fails on the stream version and is decided again.
"""

from __future__ import annotations

from shared.contracts.credits import (
    CreditAdded,
    CreditGranted,
    CreditRequested,
    CreditRequestFailed,
    CreditRequestRequiresAction,
    CreditRestored,
    CreditReversalDeclined,
    CreditReversed,
    CreditsEvent,
    InvoiceDebitDeclined,
    InvoiceDebited,
)
from shared.money import Money

from .commands import (
    DebitInvoice,
    GrantCredit,
    RecordCapture,
    RecordFailure,
    RecordRequiresAction,
    RequestCredit,
    RestoreInvoiceCredit,
    ReverseCredit,
)
from .errors import InvalidField, PaymentMismatch, UnknownRequest
from .state import CreditAccount, TopUpRequest

_SETTLED = frozenset({"succeeded", "failed"})


def _check_credit(account: CreditAccount, amount: Money) -> None:
    if not amount.is_positive():
        raise InvalidField("amount", "amount must be more than zero")
    if account.currency is not None and amount.currency != account.currency:
        raise InvalidField(
            "currency", f"this account holds {account.currency}, not {amount.currency}"
        )


def _known_request(account: CreditAccount, request_id: str) -> TopUpRequest:
    request = account.requests.get(request_id)
    if request is None:
        raise UnknownRequest(f"no top-up request {request_id!r} on this account")
    return request


def request_credit(account: CreditAccount, command: RequestCredit) -> list[CreditsEvent]:
    """Record a top-up request; the payments service charges the card next."""
    _check_credit(account, command.amount)
    if command.request_id in account.requests:
        return []
    return [
        CreditRequested(
            request_id=command.request_id,
            amount=command.amount.minor,
            currency=command.amount.currency,
            description=command.description,
            payment_method_id=command.payment_method_id,
            save_card=command.save_card,
            set_default=command.set_default,
        )
    ]


def grant_credit(account: CreditAccount, command: GrantCredit) -> list[CreditsEvent]:
    """Credit the balance without a payment; a grant id is granted once."""
    _check_credit(account, command.amount)
    if command.grant_id in account.grants:
        return []
    return [
        CreditGranted(
            grant_id=command.grant_id,
            amount=command.amount.minor,
            currency=command.amount.currency,
            description=command.description,
            granted_by=command.granted_by,
        )
    ]


def record_capture(account: CreditAccount, command: RecordCapture) -> list[CreditsEvent]:
    """Credit a captured top-up, once per request whatever the payment id."""
    request = _known_request(account, command.request_id)
    if request.status == "succeeded":
        return []
    if command.amount != request.amount:
        raise PaymentMismatch(
            f"payment {command.payment_id} captured {command.amount}, "
            f"request {request.request_id} asked for {request.amount}"
        )
    credited = account.payments.get(command.payment_id)
    if credited is not None:
        raise PaymentMismatch(
            f"payment {command.payment_id} already credited request {credited.request_id}"
        )
    return [
        CreditAdded(
            request_id=request.request_id,
            payment_id=command.payment_id,
            amount=request.amount.minor,
            currency=request.amount.currency,
            description=request.description,
        )
    ]


def record_failure(account: CreditAccount, command: RecordFailure) -> list[CreditsEvent]:
    """Mark an open top-up failed with the decline's code and message."""
    request = _known_request(account, command.request_id)
    if request.status in _SETTLED:
        return []
    return [
        CreditRequestFailed(
            request_id=request.request_id, code=command.code, message=command.message
        )
    ]


def record_requires_action(
    account: CreditAccount, command: RecordRequiresAction
) -> list[CreditsEvent]:
    """Mark an open top-up as waiting for the customer, with the client secret."""
    request = _known_request(account, command.request_id)
    if request.status in _SETTLED:
        return []
    if (request.status, request.payment_id, request.client_secret) == (
        "requires_action", command.payment_id, command.client_secret,
    ):  # fmt: skip
        return []
    return [
        CreditRequestRequiresAction(
            request_id=request.request_id,
            payment_id=command.payment_id,
            client_secret=command.client_secret,
        )
    ]


def _refusal(account: CreditAccount, command: ReverseCredit) -> str | None:
    payment = account.payments.get(command.payment_id)
    amount = command.amount
    if payment is None:
        return f"payment {command.payment_id} added no credit to this account"
    if amount.currency != payment.amount.currency:
        return f"refund is in {amount.currency}, payment {payment.payment_id} was in " + (
            payment.amount.currency
        )
    if amount > account.balance:
        return f"balance {account.balance} does not cover the refund of {amount}"
    if amount > payment.reversible:
        return (
            f"refund of {amount} exceeds the {payment.reversible} "
            f"payment {payment.payment_id} may still take back"
        )
    return None


def reverse_credit(account: CreditAccount, command: ReverseCredit) -> list[CreditsEvent]:
    """Take back a refunded payment's credit, or decline when it cannot be taken whole."""
    refusal = _refusal(account, command)
    payment_id, amount = command.payment_id, command.amount
    if refusal is not None:
        return [
            CreditReversalDeclined(
                payment_id=payment_id, amount=amount.minor, currency=amount.currency,
                reason=refusal,
            )
        ]  # fmt: skip
    return [
        CreditReversed(
            payment_id=payment_id, amount=amount.minor, currency=amount.currency,
            reason=command.reason,
        )
    ]  # fmt: skip


def _debit_refusal(account: CreditAccount, command: DebitInvoice) -> str | None:
    invoice = account.invoices.get(command.invoice_id)
    if invoice is not None and invoice.restored:
        return f"invoice {command.invoice_id} was voided and its credits restored"
    if account.currency is not None and command.amount.currency != account.currency:
        return f"this account holds {account.currency}, not {command.amount.currency}"
    if not account.balance.is_positive():
        return "the credit balance is empty"
    return None


def debit_invoice(account: CreditAccount, command: DebitInvoice) -> list[CreditsEvent]:
    """Pay an invoice with what the balance holds, up to the amount asked; decline at zero.

    Every request debits (a later one for the same invoice pays more of it); a
    redelivered message never reaches here twice (the consumer's inbox).
    """
    if not command.amount.is_positive():
        raise InvalidField("amount", "amount must be more than zero")
    refusal = _debit_refusal(account, command)
    if refusal is not None:
        return [InvoiceDebitDeclined(invoice_id=command.invoice_id, reason=refusal)]
    debit = min(account.balance, command.amount)
    return [InvoiceDebited.for_invoice(command.invoice_id, debit.minor, debit.currency)]


def restore_invoice_credit(
    account: CreditAccount, command: RestoreInvoiceCredit
) -> list[CreditsEvent]:
    """Give back everything debited to a voided invoice, once; nothing for other invoices."""
    invoice = account.invoices.get(command.invoice_id)
    if invoice is None or invoice.restored or not invoice.debited.is_positive():
        return []
    debited = invoice.debited
    return [
        CreditRestored(
            invoice_id=invoice.invoice_id, amount=debited.minor, currency=debited.currency
        )
    ]
