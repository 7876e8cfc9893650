"""Invoice debits and restorations: min(balance, asked), never below zero, restored once."""

from __future__ import annotations

from services.credits.domain.commands import DebitInvoice, GrantCredit, RestoreInvoiceCredit
from services.credits.domain.decide import debit_invoice, grant_credit, restore_invoice_credit
from services.credits.domain.evolve import LedgerLine, ledger_line
from services.credits.domain.state import CreditAccount, InvoiceDebit
from shared.contracts import CreditRestored, InvoiceDebitDeclined, InvoiceDebited
from shared.money import Money

from .conftest import fold, run, topped_up, usd

INVOICE = "5e8718d3b0d1c10f88a59f67"


def debit(account: CreditAccount, amount: str, invoice_id: str = INVOICE) -> InvoiceDebited:
    [event] = run(account, debit_invoice, DebitInvoice(invoice_id, usd(amount)))
    assert isinstance(event, InvoiceDebited), event
    return event


def declined(account: CreditAccount, amount: str, invoice_id: str = INVOICE) -> str:
    [event] = run(account, debit_invoice, DebitInvoice(invoice_id, usd(amount)))
    assert isinstance(event, InvoiceDebitDeclined), event
    assert event.invoice_id == invoice_id
    return event.reason


def test_a_debit_the_balance_covers_takes_the_amount_asked() -> None:
    account = topped_up("100.00")
    event = debit(account, "47.76")
    assert event == InvoiceDebited(
        invoice_id=INVOICE, amount=4776, currency="USD",
        description=f"Debited to invoice {INVOICE}",
    )  # fmt: skip
    assert account.balance == usd("52.24")
    assert account.invoices[INVOICE] == InvoiceDebit(INVOICE, usd("47.76"))


def test_a_debit_larger_than_the_balance_takes_the_balance_and_stops_at_zero() -> None:
    account = topped_up("100.00")
    debit(account, "7.96", "inv-a")
    assert debit(account, "593.02", "inv-b").amount == 9204
    assert account.balance == usd("0.00")
    assert "empty" in declined(account, "47.76", "inv-c")
    assert "empty" in declined(account, "1.99", "inv-d")
    assert account.balance == usd("0.00")
    assert set(account.invoices) == {"inv-a", "inv-b"}


def test_an_empty_or_new_account_declines_every_debit() -> None:
    assert declined(CreditAccount(), "10.00") == "the credit balance is empty"
    account = topped_up("5.00")
    debit(account, "5.00", "inv-a")
    assert declined(account, "0.01") == "the credit balance is empty"


def test_a_debit_in_another_currency_is_declined() -> None:
    account = topped_up("100.00")
    [event] = debit_invoice(account, DebitInvoice(INVOICE, Money(500, "EUR")))
    assert event == InvoiceDebitDeclined(
        invoice_id=INVOICE, reason="this account holds USD, not EUR"
    )


def test_a_later_request_for_the_same_invoice_debits_again_up_to_the_amount_asked() -> None:
    account = topped_up("30.00")
    debit(account, "10.00")
    assert debit(account, "25.00").amount == 2000
    assert account.invoices[INVOICE].debited == usd("30.00")
    assert account.balance == usd("0.00")


def test_a_void_restores_everything_debited_to_the_invoice_once() -> None:
    account = topped_up("100.00")
    debit(account, "10.00")
    debit(account, "5.50")
    debit(account, "20.00", "other")
    [event] = run(account, restore_invoice_credit, RestoreInvoiceCredit(INVOICE))
    assert event == CreditRestored(invoice_id=INVOICE, amount=1550, currency="USD")
    assert account.balance == usd("80.00")
    assert account.invoices[INVOICE].restored
    assert restore_invoice_credit(account, RestoreInvoiceCredit(INVOICE)) == []
    assert account.balance == usd("80.00")


def test_a_void_of_an_invoice_never_debited_restores_nothing() -> None:
    empty = CreditAccount()
    declined(empty, "1.00", "inv-declined")
    assert restore_invoice_credit(empty, RestoreInvoiceCredit("inv-declined")) == []
    account = topped_up("100.00")
    assert restore_invoice_credit(account, RestoreInvoiceCredit("inv-unknown")) == []


def test_a_voided_invoice_takes_no_more_credit() -> None:
    account = topped_up("100.00")
    debit(account, "10.00")
    run(account, restore_invoice_credit, RestoreInvoiceCredit(INVOICE))
    assert "voided" in declined(account, "10.00")
    assert account.balance == usd("100.00")


def test_debits_are_negative_ledger_lines_and_restorations_positive() -> None:
    debited = InvoiceDebited.for_invoice(INVOICE, 4776, "USD")
    assert ledger_line(debited) == LedgerLine(usd("-47.76"), f"Debited to invoice {INVOICE}")
    restored = CreditRestored(invoice_id=INVOICE, amount=4776, currency="USD")
    assert ledger_line(restored) == LedgerLine(
        usd("47.76"), f"Restored from voided invoice {INVOICE}"
    )
    assert ledger_line(InvoiceDebitDeclined(invoice_id=INVOICE, reason="empty")) is None


def test_an_account_with_debits_folds_to_the_same_state_from_its_events() -> None:
    account, log = CreditAccount(), []
    log += run(account, grant_credit, GrantCredit("grant_1", usd("30.00"), "g", "operator"))
    log += run(account, debit_invoice, DebitInvoice("inv-a", usd("12.00")))
    log += run(account, debit_invoice, DebitInvoice("inv-b", usd("40.00")))
    log += run(account, debit_invoice, DebitInvoice("inv-c", usd("1.00")))
    log += run(account, restore_invoice_credit, RestoreInvoiceCredit("inv-a"))
    assert fold(log) == account
    assert (account.balance, account.entries) == (usd("12.00"), 4)
