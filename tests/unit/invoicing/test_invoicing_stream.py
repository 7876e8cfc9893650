"""The invoice stream: stored events fold back into the invoice, owner and flow included."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest

from services.invoicing.domain import decide
from services.invoicing.domain.commands import IssueInvoice, RecordDebit
from services.invoicing.domain.state import Invoice, Line
from services.invoicing.http_models import InvoiceOut
from services.invoicing.stream import (
    Metadata,
    decode,
    fold_stored,
    metadata_of_invoice,
    to_new_events,
)
from shared.eventstore import StoredEvent

from .conftest import usd

NOW = datetime(2024, 7, 21, 3, 40, tzinfo=UTC)


def stored(invoice_id: str, events: list[object], meta: Metadata) -> list[StoredEvent]:
    new = to_new_events(events, meta)  # type: ignore[arg-type]
    return [
        StoredEvent(
            f"invoice-{invoice_id}", version, version, 1, e.event_id, e.event_type,
            e.schema_version, e.customer_id, e.payload, e.occurred_at, NOW, e.correlation_id,
            e.causation_id,
        )
        for version, e in enumerate(new, start=1)
    ]  # fmt: skip


def test_stored_events_fold_into_the_invoice_with_its_customer_and_history() -> None:
    meta = Metadata("cus-1", uuid.uuid4())
    lines = (Line("licence", usd("593.02")),)
    first = decide.issue(Invoice("inv1"), IssueInvoice("inv1", "USD", lines, NOW))
    then = decide.record_debit(decide.fold(Invoice("inv1"), first), RecordDebit(usd("92.04")))
    events = stored("inv1", [*first, *then], meta)
    invoice = fold_stored("inv1", events)
    assert (invoice.customer_id, invoice.correlation_id) == ("cus-1", meta.correlation_id)
    assert (invoice.remaining, invoice.card_pending, invoice.due_at) == (usd("500.98"), True, NOW)
    assert metadata_of_invoice(invoice) == meta
    out = InvoiceOut.of(invoice, events).model_dump(mode="json")
    assert (out["amount_due"], out["paid_from_credits"], out["remaining"]) == (
        "593.02", "92.04", "500.98",
    )  # fmt: skip
    assert out["lines"] == [{"description": "licence", "amount": "593.02"}]
    assert [h["event_type"] for h in out["history"]] == [
        "InvoiceIssued", "InvoiceDebitRequested", "InvoiceCreditsApplied",
        "InvoicePaymentRequested",
    ]  # fmt: skip
    assert out["history"][2]["amount"] == "92.04"
    assert out["history"][3] == {
        "event_type": "InvoicePaymentRequested", "at": "2024-07-21T03:40:00Z",
        "amount": "500.98", "payment_method_id": None, "attempt": 1,
    }  # fmt: skip


def test_unknown_stored_types_are_skipped_and_an_empty_stream_has_no_metadata() -> None:
    other = stored("x", [], Metadata("cus-1", uuid.uuid4()))
    assert other == []
    with pytest.raises(ValueError, match="no events"):
        metadata_of_invoice(Invoice("x"))
    foreign = StoredEvent(
        "invoice-x", 1, 1, 1, uuid.uuid4(), "SomethingElse", 1, "cus-1", {}, NOW, NOW,
        uuid.uuid4(), None,
    )  # fmt: skip
    assert decode(foreign) is None
    assert fold_stored("x", [foreign]).status is None
