"""Rows of the credits read models computed from events: batch by batch, or from zero.

The runner's batches and verify's fold both use the domain's own functions
(ledger lines, the account currency, request states); verify folds each whole
account with the aggregate's ``evolve``, independently of the stored rows.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from uuid import UUID

import asyncpg

from services.credits.domain.evolve import (
    evolve,
    evolve_request,
    fixed_currency,
    ledger_line,
    request_id_of,
)
from services.credits.domain.state import CreditAccount, Failure, RequestStatus, TopUpRequest
from services.credits.stream import STREAM_PREFIX, decode
from shared.contracts import CreditsEvent
from shared.eventstore import StoredEvent
from shared.money import Money
from shared.projections import Key, Row, Rows

RequestKey = tuple[str, str]
Decoded = tuple[StoredEvent, CreditsEvent | None]


@dataclass(slots=True)
class BalanceRow:
    """A row of ``balances``: an account's balance, currency, stream version, entry count."""

    balance: int = 0
    currency: str | None = None
    version: int = 0
    entries: int = 0

    def values(self) -> Row:
        return (self.balance, self.currency, self.version, self.entries)


@dataclass(frozen=True, slots=True)
class LedgerRow:
    """A row of ``ledger_entries``."""

    customer_id: str
    number: int
    amount: int
    currency: str
    description: str
    created_at: datetime
    balance_after: int
    event_id: UUID
    version: int

    def key(self) -> Key:
        return (self.customer_id, self.number)

    def values(self) -> Row:
        return (
            self.amount, self.currency, self.description, self.created_at,
            self.balance_after, self.event_id, self.version,
        )  # fmt: skip


def request_values(request: TopUpRequest) -> Row:
    """The columns of ``credit_requests`` after its key, for one request."""
    failure = request.failure
    return (
        request.status, request.amount.minor, request.amount.currency, request.description,
        request.payment_method_id, request.payment_id, request.client_secret,
        failure.code if failure else None, failure.message if failure else None,
    )  # fmt: skip


def request_from_row(row: asyncpg.Record) -> TopUpRequest:
    """A request from its ``credit_requests`` row."""
    failure = None
    if row["failure_code"] is not None:
        failure = Failure(row["failure_code"], row["failure_message"])
    status: RequestStatus = row["status"]
    return TopUpRequest(
        request_id=row["request_id"],
        amount=Money(row["amount"], row["currency"]),
        description=row["description"],
        payment_method_id=row["payment_method_id"],
        status=status,
        payment_id=row["payment_id"],
        client_secret=row["client_secret"],
        failure=failure,
    )


def account_events(events: Iterable[StoredEvent]) -> list[Decoded]:
    """The events of credit-account streams, each with its decoded payload."""
    return [(e, decode(e)) for e in events if e.stream_id.startswith(STREAM_PREFIX)]


def request_keys(events: Sequence[Decoded]) -> set[RequestKey]:
    """The (customer, request) pairs a batch touches."""
    keys = set()
    for stored, event in events:
        request_id = None if event is None else request_id_of(event)
        if request_id is not None:
            keys.add((stored.customer_id, request_id))
    return keys


@dataclass
class BatchChanges:
    """What a batch of events changes: new ledger rows, balances, requests."""

    balances: dict[str, BalanceRow]
    requests: dict[RequestKey, TopUpRequest]
    ledger: list[LedgerRow] = field(default_factory=list)
    touched_requests: set[RequestKey] = field(default_factory=set)


def _apply(changes: BatchChanges, stored: StoredEvent, event: CreditsEvent) -> None:
    customer = stored.customer_id
    row = changes.balances[customer]
    row.currency = fixed_currency(row.currency, event)
    line = ledger_line(event)
    if line is not None:
        row.balance += line.amount.minor
        row.entries += 1
        changes.ledger.append(
            LedgerRow(
                customer, row.entries, line.amount.minor, line.amount.currency,
                line.description, stored.recorded_at, row.balance, stored.event_id,
                stored.version,
            )
        )  # fmt: skip
    request_id = request_id_of(event)
    if request_id is not None:
        key = (customer, request_id)
        request = evolve_request(changes.requests.get(key), event)
        if request is not None:
            changes.requests[key] = request
            changes.touched_requests.add(key)


def fold_batch(
    events: Sequence[Decoded],
    balances: dict[str, BalanceRow],
    requests: dict[RequestKey, TopUpRequest],
) -> BatchChanges:
    """Apply a batch to the current rows of the accounts and requests it touches."""
    changes = BatchChanges(balances, requests)
    for stored, event in events:
        changes.balances.setdefault(stored.customer_id, BalanceRow()).version = stored.version
        if event is not None:
            _apply(changes, stored, event)
    return changes


def expected_rows(events: Iterable[StoredEvent]) -> Rows:
    """The rows of the three tables after the log ``events``, folded account by account."""
    accounts: dict[str, CreditAccount] = {}
    versions: dict[str, int] = {}
    ledger: dict[Key, Row] = {}
    for stored, event in account_events(events):
        customer = stored.customer_id
        account = accounts.setdefault(customer, CreditAccount())
        versions[customer] = stored.version
        if event is None:
            continue
        evolve(account, event)
        line = ledger_line(event)
        if line is not None:
            ledger[(customer, account.entries)] = LedgerRow(
                customer, account.entries, line.amount.minor, line.amount.currency,
                line.description, stored.recorded_at, account.balance.minor, stored.event_id,
                stored.version,
            ).values()  # fmt: skip
    return {
        "ledger_entries": ledger,
        "balances": {
            (customer,): (acc.balance.minor, acc.currency, versions[customer], acc.entries)
            for customer, acc in accounts.items()
        },
        "credit_requests": {
            (customer, request_id): request_values(request)
            for customer, acc in accounts.items()
            for request_id, request in acc.requests.items()
        },
    }
