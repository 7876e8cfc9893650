"""Random command sequences: the balance never goes below zero and equals its ledger lines.

The sequences mix top-ups, failures, grants, reversals, invoice debits and voids.
"""

from __future__ import annotations

import random

import pytest

from services.credits.domain.commands import (
    DebitInvoice,
    GrantCredit,
    RecordCapture,
    RecordFailure,
    RequestCredit,
    RestoreInvoiceCredit,
    ReverseCredit,
)
from services.credits.domain.decide import (
    debit_invoice,
    grant_credit,
    record_capture,
    record_failure,
    request_credit,
    restore_invoice_credit,
    reverse_credit,
)
from services.credits.domain.evolve import ledger_line
from services.credits.domain.state import CreditAccount
from shared.contracts import CreditAdded, CreditRestored, CreditsEvent, InvoiceDebited
from shared.money import Money

from .conftest import run


def random_events(seed: int, steps: int = 400) -> tuple[CreditAccount, list[CreditsEvent]]:
    rng = random.Random(seed)
    account, log = CreditAccount(), []
    for step in range(steps):
        amount = Money(rng.randint(1, 5000), "USD")
        pending = [r for r in account.requests.values() if r.status == "pending"]
        roll = rng.random()
        if roll < 0.3 or not pending:
            log += run(account, request_credit, RequestCredit(f"req_{step}", amount, "t"))
        elif roll < 0.55:
            request = rng.choice(pending)
            payment = f"pay_{rng.randint(0, steps)}"
            if payment not in account.payments:
                capture = RecordCapture(request.request_id, payment, request.amount)
                log += run(account, record_capture, capture)
        elif roll < 0.65:
            failure = RecordFailure(rng.choice(pending).request_id, "p", "card_declined", "no")
            log += run(account, record_failure, failure)
        elif roll < 0.7:
            log += run(account, grant_credit, GrantCredit(f"g_{step}", amount, "g", "op"))
        elif roll < 0.82:
            invoice = f"inv_{rng.randint(0, steps // 8)}"
            log += run(account, debit_invoice, DebitInvoice(invoice, amount))
        elif roll < 0.87:
            invoice = f"inv_{rng.randint(0, steps // 8)}"
            log += run(account, restore_invoice_credit, RestoreInvoiceCredit(invoice))
        elif account.payments:
            payment_id = rng.choice(sorted(account.payments))
            log += run(account, reverse_credit, ReverseCredit(payment_id, amount, "r"))
        assert account.balance.minor >= 0
    return account, log


@pytest.mark.parametrize("seed", range(20))
def test_the_balance_is_never_negative_and_is_the_sum_of_the_ledger(seed: int) -> None:
    account, log = random_events(seed)
    lines = [line for event in log if (line := ledger_line(event)) is not None]
    assert account.balance.minor == sum(line.amount.minor for line in lines)
    assert account.entries == len(lines)
    credited = [e.request_id for e in log if isinstance(e, CreditAdded)]
    assert len(credited) == len(set(credited))
    for payment in account.payments.values():
        assert Money(0, "USD") <= payment.reversed <= payment.amount
    debited: dict[str, int] = {}
    restored: dict[str, list[int]] = {}
    for event in log:
        if isinstance(event, InvoiceDebited):
            debited[event.invoice_id] = debited.get(event.invoice_id, 0) + event.amount
        elif isinstance(event, CreditRestored):
            restored.setdefault(event.invoice_id, []).append(event.amount)
    assert set(debited) == set(account.invoices)
    for invoice in account.invoices.values():
        total = debited[invoice.invoice_id]
        assert invoice.debited.minor == total
        assert restored.get(invoice.invoice_id, []) == ([total] if invoice.restored else [])


def test_the_random_sequences_debit_restore_and_decline() -> None:
    kinds = {type(event).__name__ for seed in range(5) for event in random_events(seed)[1]}
    assert {"InvoiceDebited", "InvoiceDebitDeclined", "CreditRestored"} <= kinds
