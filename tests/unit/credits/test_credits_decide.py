"""Decisions of the credit account: requests, results credited once, grants, reversals."""

from __future__ import annotations

import pytest

from services.credits.domain.commands import (
    GrantCredit,
    RecordCapture,
    RecordFailure,
    RecordRequiresAction,
    RequestCredit,
    ReverseCredit,
)
from services.credits.domain.decide import (
    grant_credit,
    record_capture,
    record_failure,
    record_requires_action,
    request_credit,
    reverse_credit,
)
from services.credits.domain.errors import InvalidField, PaymentMismatch, UnknownRequest
from services.credits.domain.state import CreditAccount
from shared.contracts import (
    CreditAdded,
    CreditGranted,
    CreditRequested,
    CreditRequestFailed,
    CreditRequestRequiresAction,
    CreditReversalDeclined,
    CreditReversed,
)
from shared.money import Money

from .conftest import fold, run, topped_up, usd


def requested(amount: str = "100.00") -> CreditAccount:
    account = CreditAccount()
    run(account, request_credit, RequestCredit("req_1", usd(amount), "test"))
    return account


def test_a_request_is_recorded_with_the_wire_fields() -> None:
    command = RequestCredit("req_1", usd("47.76"), "seed", "pm_card_visa", True, False)
    [event] = request_credit(CreditAccount(), command)
    assert event == CreditRequested(
        request_id="req_1", amount=4776, currency="USD", description="seed",
        payment_method_id="pm_card_visa", save_card=True, set_default=False,
    )  # fmt: skip


def test_a_request_in_another_currency_than_the_account_is_refused() -> None:
    account = requested()
    with pytest.raises(InvalidField) as refused:
        request_credit(account, RequestCredit("req_2", Money(500, "EUR"), "euros"))
    assert refused.value.field == "currency"


@pytest.mark.parametrize("minor", [0, -100])
def test_a_request_without_a_positive_amount_is_refused(minor: int) -> None:
    with pytest.raises(InvalidField) as refused:
        request_credit(CreditAccount(), RequestCredit("req_1", Money(minor, "USD"), "x"))
    assert refused.value.field == "amount"


def test_a_capture_credits_the_request_with_its_description() -> None:
    account = requested("100.00")
    [event] = run(account, record_capture, RecordCapture("req_1", "pay_1", usd("100.00")))
    assert event == CreditAdded(
        request_id="req_1", payment_id="pay_1", amount=10000, currency="USD", description="test"
    )
    assert account.balance == usd("100.00")
    assert account.requests["req_1"].status == "succeeded"


def test_a_request_is_credited_once_whatever_the_payment_id() -> None:
    account = requested()
    run(account, record_capture, RecordCapture("req_1", "pay_1", usd("100.00")))
    assert record_capture(account, RecordCapture("req_1", "pay_1", usd("100.00"))) == []
    assert record_capture(account, RecordCapture("req_1", "pay_2", usd("100.00"))) == []
    assert account.balance == usd("100.00")


def test_results_for_unknown_requests_are_refused() -> None:
    account = requested()
    with pytest.raises(UnknownRequest):
        record_capture(account, RecordCapture("req_x", "pay_1", usd("1.00")))
    with pytest.raises(UnknownRequest):
        record_failure(account, RecordFailure("req_x", "pay_1", "card_declined", "no"))
    with pytest.raises(UnknownRequest):
        record_requires_action(account, RecordRequiresAction("req_x", "pay_1", "secret"))


def test_a_capture_of_another_amount_is_refused() -> None:
    with pytest.raises(PaymentMismatch):
        record_capture(requested("100.00"), RecordCapture("req_1", "pay_1", usd("99.99")))


def test_one_payment_cannot_credit_two_requests() -> None:
    account = topped_up("10.00")
    run(account, request_credit, RequestCredit("req_9", usd("10.00"), "again"))
    with pytest.raises(PaymentMismatch):
        record_capture(account, RecordCapture("req_9", "pay_0", usd("10.00")))


def test_a_failure_settles_an_open_request_once() -> None:
    account = requested()
    [event] = run(account, record_failure, RecordFailure("req_1", "pay_1", "card_declined", "No."))
    assert event == CreditRequestFailed(request_id="req_1", code="card_declined", message="No.")
    assert record_failure(account, RecordFailure("req_1", "pay_1", "card_declined", "No.")) == []
    assert account.balance == usd("0")


def test_a_capture_after_a_failure_still_credits_the_money_taken() -> None:
    account = requested()
    run(account, record_failure, RecordFailure("req_1", "pay_1", "authentication_failed", "No."))
    [event] = run(account, record_capture, RecordCapture("req_1", "pay_1", usd("100.00")))
    assert isinstance(event, CreditAdded)
    assert account.requests["req_1"].failure is None


def test_a_failure_after_success_changes_nothing() -> None:
    account = topped_up("5.00")
    assert record_failure(account, RecordFailure("req_0", "pay_0", "late", "late")) == []


def test_requires_action_shows_the_secret_until_the_request_settles() -> None:
    account = requested()
    command = RecordRequiresAction("req_1", "pay_1", "pi_1_secret_a")
    [event] = run(account, record_requires_action, command)
    assert event == CreditRequestRequiresAction(
        request_id="req_1", payment_id="pay_1", client_secret="pi_1_secret_a"
    )
    assert record_requires_action(account, command) == []
    assert account.requests["req_1"].client_secret == "pi_1_secret_a"
    run(account, record_capture, RecordCapture("req_1", "pay_1", usd("100.00")))
    assert account.requests["req_1"].client_secret is None
    assert record_requires_action(account, command) == []


def test_a_grant_credits_once_per_grant_id() -> None:
    account = CreditAccount()
    command = GrantCredit("grant_1", usd("25.00"), "welcome", "operator")
    [event] = run(account, grant_credit, command)
    assert isinstance(event, CreditGranted)
    assert grant_credit(account, command) == []
    assert account.balance == usd("25.00")


def test_a_reversal_takes_back_part_of_a_payment() -> None:
    account = topped_up("50.00")
    [event] = run(account, reverse_credit, ReverseCredit("pay_0", usd("20.00"), "asked"))
    assert event == CreditReversed(payment_id="pay_0", amount=2000, currency="USD", reason="asked")
    assert account.balance == usd("30.00")
    assert account.payments["pay_0"].reversible == usd("30.00")


def test_a_reversal_never_takes_more_than_the_payment_credited() -> None:
    account = topped_up("50.00", "50.00")
    run(account, reverse_credit, ReverseCredit("pay_0", usd("40.00"), "asked"))
    [declined] = run(account, reverse_credit, ReverseCredit("pay_0", usd("10.01"), "asked"))
    assert isinstance(declined, CreditReversalDeclined)
    assert "may still take back" in declined.reason
    assert account.balance == usd("60.00")


def test_a_reversal_the_balance_cannot_cover_is_declined_and_takes_nothing() -> None:
    account = topped_up("50.00")
    account.balance = usd("10.00")  # as after debits, which come with invoices
    [declined] = run(account, reverse_credit, ReverseCredit("pay_0", usd("10.01"), "asked"))
    assert declined == CreditReversalDeclined(
        payment_id="pay_0", amount=1001, currency="USD",
        reason="balance 10.00 USD does not cover the refund of 10.01 USD",
    )  # fmt: skip
    assert account.balance == usd("10.00")
    [taken] = run(account, reverse_credit, ReverseCredit("pay_0", usd("10.00"), "asked"))
    assert isinstance(taken, CreditReversed)
    assert account.balance == usd("0.00")


@pytest.mark.parametrize(
    ("payment_id", "amount", "reason"),
    [("pay_x", usd("1.00"), "added no credit"), ("pay_0", Money(100, "EUR"), "refund is in EUR")],
)
def test_reversals_of_payments_the_account_cannot_take_back_are_declined(
    payment_id: str, amount: Money, reason: str
) -> None:
    account = topped_up("50.00")
    [declined] = reverse_credit(account, ReverseCredit(payment_id, amount, "asked"))
    assert isinstance(declined, CreditReversalDeclined)
    assert reason in declined.reason


def test_an_account_folds_to_the_same_state_from_its_events() -> None:
    account, log = CreditAccount(), []
    log += run(account, request_credit, RequestCredit("req_1", usd("10.00"), "a"))
    log += run(account, record_capture, RecordCapture("req_1", "pay_1", usd("10.00")))
    log += run(account, grant_credit, GrantCredit("grant_1", usd("2.50"), "g", "operator"))
    log += run(account, reverse_credit, ReverseCredit("pay_1", usd("4.00"), "asked"))
    log += run(account, request_credit, RequestCredit("req_2", usd("3.00"), "b"))
    assert fold(log) == account
    assert (account.balance, account.entries, account.currency) == (usd("8.50"), 3, "USD")
