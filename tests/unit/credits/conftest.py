"""Builders for the credit account's unit tests: commands, and accounts folded from events."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TypeVar

from services.credits.domain.commands import RecordCapture, RequestCredit
from services.credits.domain.decide import record_capture, request_credit
from services.credits.domain.evolve import evolve
from services.credits.domain.state import CreditAccount
from shared.contracts import CreditsEvent
from shared.money import Money

Command = TypeVar("Command")


def usd(amount: str) -> Money:
    return Money.parse(amount, "USD")


def fold(events: Iterable[CreditsEvent], account: CreditAccount | None = None) -> CreditAccount:
    account = account if account is not None else CreditAccount()
    for event in events:
        evolve(account, event)
    return account


def run(
    account: CreditAccount,
    decide: Callable[[CreditAccount, Command], list[CreditsEvent]],
    command: Command,
) -> list[CreditsEvent]:
    """Decide and fold the decided events into ``account``; return them."""
    events = decide(account, command)
    fold(events, account)
    return events


def topped_up(*amounts: str) -> CreditAccount:
    """An account credited once per amount: request ``req_i`` paid by payment ``pay_i``."""
    account = CreditAccount()
    for i, amount in enumerate(amounts):
        run(account, request_credit, RequestCredit(f"req_{i}", usd(amount), f"top-up {i}"))
        run(account, record_capture, RecordCapture(f"req_{i}", f"pay_{i}", usd(amount)))
    return account
