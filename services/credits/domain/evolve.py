"""How events change a credit account: ledger lines, the currency, requests, invoice debits."""

from __future__ import annotations

from dataclasses import dataclass, replace

from shared.contracts.credits import (
    CreditAdded,
    CreditGranted,
    CreditRequested,
    CreditRequestFailed,
    CreditRequestRequiresAction,
    CreditRestored,
    CreditReversed,
    CreditsEvent,
    InvoiceDebited,
)
from shared.money import Money

from .state import CreditAccount, CreditedPayment, Failure, InvoiceDebit, TopUpRequest

RequestEvent = CreditRequested | CreditAdded | CreditRequestFailed | CreditRequestRequiresAction


@dataclass(frozen=True, slots=True)
class LedgerLine:
    """What an event writes in the ledger: a signed amount and its description."""

    amount: Money
    description: str


def reversal_description(payment_id: str, reason: str) -> str:
    """The ledger description of a credit taken back before a refund."""
    return f"Refund of payment {payment_id}: {reason}"


def restoration_description(invoice_id: str) -> str:
    """The ledger description of credits given back by a voided invoice."""
    return f"Restored from voided invoice {invoice_id}"


def ledger_line(event: CreditsEvent) -> LedgerLine | None:
    """The ledger line an event writes, or None for an event that moves no money."""
    if isinstance(event, CreditAdded | CreditGranted):
        return LedgerLine(Money(event.amount, event.currency), event.description)
    if isinstance(event, InvoiceDebited):
        return LedgerLine(Money(-event.amount, event.currency), event.description)
    if isinstance(event, CreditRestored):
        description = restoration_description(event.invoice_id)
        return LedgerLine(Money(event.amount, event.currency), description)
    if isinstance(event, CreditReversed):
        description = reversal_description(event.payment_id, event.reason)
        return LedgerLine(Money(-event.amount, event.currency), description)
    return None


def fixed_currency(current: str | None, event: CreditsEvent) -> str | None:
    """The account currency after ``event``: the first request or grant fixes it."""
    if current is None and isinstance(event, CreditRequested | CreditGranted):
        return event.currency
    return current


def request_id_of(event: CreditsEvent) -> str | None:
    """The top-up request an event concerns, if any."""
    return event.request_id if isinstance(event, RequestEvent) else None


def evolve_request(request: TopUpRequest | None, event: CreditsEvent) -> TopUpRequest | None:
    """The request after ``event`` (None while the request does not exist)."""
    if isinstance(event, CreditRequested):
        return TopUpRequest(
            request_id=event.request_id,
            amount=Money(event.amount, event.currency),
            description=event.description,
            payment_method_id=event.payment_method_id,
        )
    if request is None:
        return None
    if isinstance(event, CreditAdded):
        return replace(
            request, status="succeeded", payment_id=event.payment_id, client_secret=None,
            failure=None,
        )  # fmt: skip
    if isinstance(event, CreditRequestFailed):
        failure = Failure(event.code, event.message)
        return replace(request, status="failed", client_secret=None, failure=failure)
    if isinstance(event, CreditRequestRequiresAction):
        return replace(
            request, status="requires_action", payment_id=event.payment_id,
            client_secret=event.client_secret,
        )  # fmt: skip
    return request


def _evolve_payments(account: CreditAccount, event: CreditsEvent) -> None:
    if isinstance(event, CreditAdded):
        amount = Money(event.amount, event.currency)
        account.payments[event.payment_id] = CreditedPayment(
            event.payment_id, event.request_id, amount, Money.zero(event.currency)
        )
    elif isinstance(event, CreditReversed) and event.payment_id in account.payments:
        payment = account.payments[event.payment_id]
        taken = payment.reversed + Money(event.amount, event.currency)
        account.payments[event.payment_id] = replace(payment, reversed=taken)


def _evolve_invoices(account: CreditAccount, event: CreditsEvent) -> None:
    if isinstance(event, InvoiceDebited):
        amount = Money(event.amount, event.currency)
        invoice = account.invoices.get(event.invoice_id)
        if invoice is None:
            account.invoices[event.invoice_id] = InvoiceDebit(event.invoice_id, amount)
        else:
            account.invoices[event.invoice_id] = replace(invoice, debited=invoice.debited + amount)
    elif isinstance(event, CreditRestored) and event.invoice_id in account.invoices:
        account.invoices[event.invoice_id] = replace(
            account.invoices[event.invoice_id], restored=True
        )


def evolve(account: CreditAccount, event: CreditsEvent) -> CreditAccount:
    """Fold one event into the account (updated in place) and return it."""
    currency = fixed_currency(account.currency, event)
    if currency != account.currency and currency is not None:
        account.currency = currency
        account.balance = Money(account.balance.minor, currency)
    line = ledger_line(event)
    if line is not None:
        account.balance += line.amount
        account.entries += 1
    request_id = request_id_of(event)
    if request_id is not None:
        request = evolve_request(account.requests.get(request_id), event)
        if request is not None:
            account.requests[request_id] = request
    if isinstance(event, CreditGranted):
        account.grants.add(event.grant_id)
    _evolve_payments(account, event)
    _evolve_invoices(account, event)
    return account
