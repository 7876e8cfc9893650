"""The invoice's stream in the event store: its id, its fold, and new events' metadata."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace

from shared.contracts import ContractError, InvoicingEvent, payload_model
from shared.eventstore import Aggregate, EventMetadata, NewEvent, StoredEvent

from .domain.events import INTERNAL_EVENTS, InternalEvent, InvoiceEvent
from .domain.evolve import evolve
from .domain.state import Invoice

STREAM_PREFIX = "invoice-"

_INTERNAL: dict[tuple[str, int], type[InternalEvent]] = {
    (model.event_type, model.schema_version): model for model in INTERNAL_EVENTS
}

Metadata = EventMetadata
"""Who new events concern and what caused them (the store's metadata of an append)."""


def invoice_stream(invoice_id: str) -> str:
    """The stream id of an invoice."""
    return f"{STREAM_PREFIX}{invoice_id}"


def decode(event: StoredEvent) -> InvoiceEvent | None:
    """The stored event as its model; None for a type the invoice does not know."""
    key = (event.event_type, event.schema_version)
    model: type[InvoiceEvent] | None = _INTERNAL.get(key)
    if model is None:
        try:
            found = payload_model(*key)
        except ContractError:
            return None
        if not issubclass(found, InvoicingEvent):
            return None
        model = found
    return model.model_validate_json(event.payload_json)


def evolve_stored(invoice: Invoice, stored: StoredEvent) -> Invoice:
    """Fold one stored event; the first one also names the customer and the flow."""
    if invoice.customer_id is None:
        invoice = replace(
            invoice, customer_id=stored.customer_id, correlation_id=stored.correlation_id
        )
    event = decode(stored)
    return invoice if event is None else evolve(invoice, event)


def aggregate(invoice_id: str) -> Aggregate[Invoice]:
    """How to rebuild the invoice ``invoice_id`` from its stream."""
    return Aggregate[Invoice](initial=lambda: Invoice(invoice_id), evolve=evolve_stored)


def fold_stored(invoice_id: str, events: Iterable[StoredEvent]) -> Invoice:
    """The invoice after its stored events."""
    invoice = Invoice(invoice_id)
    for stored in events:
        invoice = evolve_stored(invoice, stored)
    return invoice


def metadata_of_invoice(invoice: Invoice) -> Metadata:
    """Metadata of events the invoice's own flow decides (its customer and correlation)."""
    if invoice.customer_id is None or invoice.correlation_id is None:
        raise ValueError(f"invoice {invoice.invoice_id!r} has no events yet")
    return Metadata(invoice.customer_id, invoice.correlation_id)


def to_new_events(events: Sequence[InvoiceEvent], meta: Metadata) -> list[NewEvent]:
    """Wrap decided events for the store; payloads are the models' JSON."""
    return [
        NewEvent(
            event_type=event.event_type,
            customer_id=meta.customer_id,
            payload=event.model_dump(mode="json"),
            correlation_id=meta.correlation_id,
            causation_id=meta.causation_id,
            schema_version=event.schema_version,
        )
        for event in events
    ]
