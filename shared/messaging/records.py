"""Kafka records as our publishers send them: from stored events to keyed envelopes."""

from __future__ import annotations

from dataclasses import dataclass

from shared.contracts import Envelope, Producer
from shared.eventstore import StoredEvent

Headers = list[tuple[str, bytes]]


@dataclass(frozen=True, slots=True)
class OutgoingRecord:
    """One Kafka record: topic, key (the customer id), value (the envelope), headers."""

    topic: str
    key: bytes
    value: bytes
    headers: Headers


def envelope_of(event: StoredEvent, producer: Producer) -> Envelope:
    """Return the wire envelope of a stored event."""
    return Envelope(
        event_id=event.event_id,
        event_type=event.event_type,
        schema_version=event.schema_version,
        occurred_at=event.occurred_at,
        customer_id=event.customer_id,
        correlation_id=event.correlation_id,
        causation_id=event.causation_id,
        producer=producer,
        payload=event.payload,
    )


def record_of(event: StoredEvent, topic: str, producer: Producer) -> OutgoingRecord:
    """Return the Kafka record that carries a stored event: key = customer id."""
    headers: Headers = [
        ("event_type", event.event_type.encode()),
        ("event_id", str(event.event_id).encode()),
        ("correlation_id", str(event.correlation_id).encode()),
        ("content-type", b"application/json"),
    ]
    if event.causation_id is not None:
        headers.append(("causation_id", str(event.causation_id).encode()))
    return OutgoingRecord(
        topic=topic,
        key=event.customer_id.encode(),
        value=envelope_of(event, producer).to_json_bytes(),
        headers=headers,
    )
