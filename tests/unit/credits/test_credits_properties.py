"""Properties of the credit account under generated command sequences (hypothesis).

A state machine sends the account top-ups and their payment results, grants,
invoice debits, restorations after a void and reversals before a refund, in USD and
sometimes in another currency. After every step the balance is never below zero,
a debit or reversal the balance cannot cover is declined rather than taken, and the
balance is invariant 1 of ``architecture.md``: Σ CreditAdded + Σ CreditGranted +
Σ CreditRestored - Σ InvoiceDebited - Σ CreditReversed. At the end, the fold of the
emitted events from zero equals the account, and the projection's rows (folded in
batches, as the runner does) equal the rows ``verify`` expects.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    consumes,
    invariant,
    precondition,
    rule,
)

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
from services.credits.domain.errors import InvalidField
from services.credits.domain.state import CreditAccount
from services.credits.projections.rows import (
    expected_rows,
)
from shared.contracts import (
    CreditAdded,
    CreditGranted,
    CreditRestored,
    CreditReversalDeclined,
    CreditReversed,
    CreditsEvent,
    InvoiceDebitDeclined,
    InvoiceDebited,
)
from shared.money import Money
from shared.projections import compare

from .conftest import fold, run
from .test_credits_rows import fold_batches, stored_log

CUSTOMER = "cus-prop"
Decide = Callable[[CreditAccount, Any], list[CreditsEvent]]
amounts = st.integers(min_value=1, max_value=50_000)
currencies = st.sampled_from(["USD", "USD", "USD", "EUR"])
invoice_ids = st.sampled_from([f"inv_{i}" for i in range(6)])


def invariant_1(log: list[CreditsEvent]) -> int:
    """Σ CreditAdded + Σ CreditGranted + Σ CreditRestored - Σ InvoiceDebited - Σ CreditReversed."""
    credited = sum(e.amount for e in log if isinstance(e, CreditAdded | CreditGranted))
    restored = sum(e.amount for e in log if isinstance(e, CreditRestored))
    debited = sum(e.amount for e in log if isinstance(e, InvoiceDebited | CreditReversed))
    return credited + restored - debited


class CreditAccountMachine(RuleBasedStateMachine):
    """One account, the commands of its four sources, and the events it decided."""

    pending = Bundle("pending")

    def __init__(self) -> None:
        super().__init__()
        self.account = CreditAccount()
        self.log: list[CreditsEvent] = []
        self.steps = 0

    def _run(self, decide: Decide, command: Any) -> list[CreditsEvent]:
        balance = self.account.balance
        try:
            events = run(self.account, decide, command)
        except InvalidField:
            assert self.account.balance == balance
            return []
        self.log += events
        return events

    def _next_id(self, prefix: str) -> str:
        self.steps += 1
        return f"{prefix}_{self.steps}"

    @rule(target=pending, amount=amounts, currency=currencies)
    def request_top_up(self, amount: int, currency: str) -> str:
        request_id = self._next_id("req")
        events = self._run(request_credit, RequestCredit(request_id, Money(amount, currency), "t"))
        fixed = self.account.currency
        assert bool(events) == (fixed == currency), (events, fixed, currency)
        return request_id

    @rule(request_id=consumes(pending))
    def capture(self, request_id: str) -> None:
        request = self.account.requests.get(request_id)
        if request is None:
            return
        payment_id = self._next_id("pay")
        before = self.account.balance
        events = self._run(record_capture, RecordCapture(request_id, payment_id, request.amount))
        assert [type(e) for e in events] == [CreditAdded]
        assert self.account.balance == before + request.amount

    @rule(request_id=consumes(pending))
    def fail(self, request_id: str) -> None:
        if request_id not in self.account.requests:
            return
        before = self.account.balance
        self._run(record_failure, RecordFailure(request_id, "pay_x", "card_declined", "no"))
        assert self.account.balance == before
        assert self.account.requests[request_id].status == "failed"

    @rule(amount=amounts, currency=currencies)
    def grant(self, amount: int, currency: str) -> None:
        command = GrantCredit(self._next_id("grant"), Money(amount, currency), "g", "op")
        events = self._run(grant_credit, command)
        assert bool(events) == (self.account.currency == currency)

    @rule(invoice_id=invoice_ids, amount=amounts, currency=currencies)
    def debit(self, invoice_id: str, amount: int, currency: str) -> None:
        before = self.account.balance
        [event] = self._run(debit_invoice, DebitInvoice(invoice_id, Money(amount, currency)))
        if isinstance(event, InvoiceDebited):
            assert 0 < event.amount == min(before.minor, amount)
            assert event.currency == currency == before.currency
        else:
            assert isinstance(event, InvoiceDebitDeclined)
            assert self.account.balance == before
            assert (
                before.minor == 0
                or currency != self.account.currency
                or self.account.invoices[invoice_id].restored
            )

    @rule(invoice_id=invoice_ids)
    def restore(self, invoice_id: str) -> None:
        invoice = self.account.invoices.get(invoice_id)
        events = self._run(restore_invoice_credit, RestoreInvoiceCredit(invoice_id))
        if invoice is None or invoice.restored:
            assert events == []
        else:
            [event] = events
            assert isinstance(event, CreditRestored)
            assert event.amount == invoice.debited.minor

    @precondition(lambda self: bool(self.account.payments))
    @rule(data=st.data(), amount=amounts)
    def reverse(self, data: st.DataObject, amount: int) -> None:
        payment_id = data.draw(st.sampled_from(sorted(self.account.payments)), label="payment")
        payment = self.account.payments[payment_id]
        before = self.account.balance
        money = Money(amount, payment.amount.currency)
        [event] = self._run(reverse_credit, ReverseCredit(payment_id, money, "r"))
        covered = money <= before and money <= payment.reversible
        assert isinstance(event, CreditReversed if covered else CreditReversalDeclined)
        assert self.account.balance == (before - money if covered else before)

    @invariant()
    def balance_is_never_negative_and_is_the_sum_of_the_events(self) -> None:
        assert self.account.balance.minor >= 0
        assert self.account.balance.minor == invariant_1(self.log)
        for event in self.log:
            if isinstance(event, CreditAdded | CreditGranted | InvoiceDebited | CreditReversed):
                assert event.currency == self.account.currency

    def teardown(self) -> None:
        folded = fold(self.log)
        assert (folded.balance, folded.currency, folded.entries) == (
            self.account.balance, self.account.currency, self.account.entries,
        )  # fmt: skip
        assert folded.invoices == self.account.invoices
        assert folded.payments == self.account.payments
        events = stored_log({CUSTOMER: self.log}, 0)
        expected = expected_rows(events)
        balances, _, ledger = fold_batches(events, len(events), largest=7)
        if events:
            row = balances[CUSTOMER]
            assert row.values() == (
                invariant_1(self.log), self.account.currency, len(events), self.account.entries,
            )  # fmt: skip
            assert expected["balances"] == {(CUSTOMER,): row.values()}
        actual_ledger = {line.key(): line.values() for line in ledger}
        assert compare({"ledger": expected["ledger_entries"]}, {"ledger": actual_ledger}) == []
        if ledger:
            assert ledger[-1].balance_after == self.account.balance.minor


CreditAccountMachine.TestCase.settings = settings(
    max_examples=60, stateful_step_count=40, deadline=None
)
test_the_credit_account_under_generated_commands = CreditAccountMachine.TestCase
