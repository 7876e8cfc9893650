"""The credit account's stream in the event store: its id, its fold, and new events' metadata."""

from __future__ import annotations

from collections.abc import Sequence

from shared.contracts import ContractError, CreditsEvent, payload_model
from shared.eventstore import Aggregate, EventMetadata, NewEvent, StoredEvent

from .domain.evolve import evolve
from .domain.state import CreditAccount

STREAM_PREFIX = "credit-account-"

Metadata = EventMetadata
"""Who new events concern and what caused them (the store's metadata of an append)."""


def account_stream(customer_id: str) -> str:
    """The stream id of a customer's credit account."""
    return f"{STREAM_PREFIX}{customer_id}"


def decode(event: StoredEvent) -> CreditsEvent | None:
    """The stored event as its contract model; None for a type the account does not know."""
    try:
        model = payload_model(event.event_type, event.schema_version)
    except ContractError:
        return None
    if not issubclass(model, CreditsEvent):
        return None
    return model.model_validate_json(event.payload_json)


def _evolve_stored(account: CreditAccount, event: StoredEvent) -> CreditAccount:
    payload = decode(event)
    return account if payload is None else evolve(account, payload)


ACCOUNT = Aggregate[CreditAccount](initial=CreditAccount, evolve=_evolve_stored)


def to_new_events(events: Sequence[CreditsEvent], meta: Metadata) -> list[NewEvent]:
    """Wrap decided events for the store; payloads are the contract models' JSON."""
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
