"""Read-model rows: folding in batches of any size gives what a fold from zero expects."""

from __future__ import annotations

import random
import uuid
from datetime import UTC, datetime, timedelta

import pytest

from services.credits.domain.state import TopUpRequest
from services.credits.projections.rows import (
    BalanceRow,
    LedgerRow,
    RequestKey,
    account_events,
    expected_rows,
    fold_batch,
    request_values,
)
from services.credits.stream import account_stream
from shared.contracts import (
    CreditGranted,
    CreditRestored,
    CreditsEvent,
    InvoiceDebitDeclined,
    InvoiceDebited,
)
from shared.eventstore import StoredEvent
from shared.projections import Difference, Key, Row, Rows, compare

from .test_credits_invariants import random_events

T0 = datetime(2024, 7, 17, 4, 21, tzinfo=UTC)


def stored_log(logs: dict[str, list[CreditsEvent]], seed: int) -> list[StoredEvent]:
    """Interleave customers' events as the store would: versions per stream, one position."""
    rng = random.Random(seed)
    cursors = dict.fromkeys(logs, 0)
    stored: list[StoredEvent] = []
    while any(cursors[c] < len(logs[c]) for c in logs):
        customer = rng.choice([c for c in logs if cursors[c] < len(logs[c])])
        event = logs[customer][cursors[customer]]
        cursors[customer] += 1
        position = len(stored) + 1
        stored.append(
            StoredEvent(
                account_stream(customer), cursors[customer], position, 1000 + position,
                uuid.uuid4(), event.event_type, 1, customer, event.model_dump(mode="json"),
                T0, T0 + timedelta(seconds=position), uuid.uuid4(), None,
            )
        )  # fmt: skip
    return stored


def fold_batches(
    events: list[StoredEvent], seed: int, largest: int
) -> tuple[dict[str, BalanceRow], dict[RequestKey, TopUpRequest], list[LedgerRow]]:
    """Fold ``events`` as the runner does, in batches of 1 to ``largest`` events (random sizes):
    the balances, the top-up requests and the ledger lines in the order they were made."""
    rng = random.Random(seed)
    balances: dict[str, BalanceRow] = {}
    requests: dict[RequestKey, TopUpRequest] = {}
    ledger: list[LedgerRow] = []
    start = 0
    while start < len(events):
        end = start + rng.randint(1, largest)
        changes = fold_batch(account_events(events[start:end]), balances, requests)
        ledger += changes.ledger
        start = end
    return balances, requests, ledger


def fold_in_batches(events: list[StoredEvent], seed: int) -> Rows:
    balances, requests, ledger = fold_batches(events, seed, largest=40)
    return {
        "ledger_entries": {row.key(): row.values() for row in ledger},
        "balances": {(c,): row.values() for c, row in balances.items()},
        "credit_requests": {key: request_values(r) for key, r in requests.items()},
    }


@pytest.mark.parametrize("seed", range(10))
def test_batches_of_any_size_give_the_rows_of_a_fold_from_zero(seed: int) -> None:
    logs = {f"cus-{i}": random_events(seed * 10 + i, 120)[1] for i in range(3)}
    events = stored_log(logs, seed)
    expected = expected_rows(events)
    assert compare(expected, fold_in_batches(events, seed)) == []
    ledger = expected["ledger_entries"]
    for customer in logs:
        numbers = sorted(int(str(n)) for c, n in ledger if c == customer)
        assert numbers == list(range(1, len(numbers) + 1))


def test_compare_reports_missing_unexpected_and_different_rows() -> None:
    expected: dict[str, dict[Key, Row]] = {"t": {(1,): ("a",), (2,): ("b",)}}
    actual: dict[str, dict[Key, Row]] = {"t": {(2,): ("B",), (3,): ("c",)}}
    assert compare(expected, actual) == [
        Difference("t", (1,), ("a",), None),
        Difference("t", (2,), ("b",), ("B",)),
        Difference("t", (3,), None, ("c",)),
    ]
    assert str(compare(expected, actual)[0]) == "t (1,): missing, expected ('a',)"


def test_events_of_other_streams_and_unknown_types_are_skipped() -> None:
    other = StoredEvent(
        "payment-1", 1, 1, 1, uuid.uuid4(), "Internal", 1, "cus-1", {}, T0, T0, uuid.uuid4(), None
    )
    unknown = StoredEvent(
        account_stream("cus-1"), 1, 2, 2, uuid.uuid4(), "Future", 1, "cus-1", {}, T0, T0,
        uuid.uuid4(), None,
    )  # fmt: skip
    assert account_events([other]) == []
    assert expected_rows([other, unknown])["balances"] == {("cus-1",): (0, None, 1, 0)}


def test_debits_and_restorations_are_ledger_rows_and_move_the_balance() -> None:
    log: list[CreditsEvent] = [
        CreditGranted(grant_id="g1", amount=10000, currency="USD", description="test",
                      granted_by="operator"),
        InvoiceDebited.for_invoice("inv-a", 4776, "USD"),
        InvoiceDebitDeclined(invoice_id="inv-b", reason="the credit balance is empty"),
        CreditRestored(invoice_id="inv-a", amount=4776, currency="USD"),
    ]  # fmt: skip
    events = stored_log({"cus-1": log}, 0)
    expected = expected_rows(events)
    ledger = {key: (row[0], row[2], row[4]) for key, row in expected["ledger_entries"].items()}
    assert ledger == {
        ("cus-1", 1): (10000, "test", 10000),
        ("cus-1", 2): (-4776, "Debited to invoice inv-a", 5224),
        ("cus-1", 3): (4776, "Restored from voided invoice inv-a", 10000),
    }
    assert expected["balances"] == {("cus-1",): (10000, "USD", 4, 3)}
    assert compare(expected, fold_in_batches(events, 1)) == []
