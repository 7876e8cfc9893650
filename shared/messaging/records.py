"""Kafka records as our publishers send them: from stored events to keyed envelopes."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC

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


def envelope_json(event: StoredEvent, producer: Producer) -> bytes:
    """Return the wire envelope of a stored event as JSON bytes.

    The payload is written as the event store keeps it: the relay publishes
    without decoding and re-encoding each payload.
    """
    event_id, correlation_id, causation_id = event.ids_text()
    head = json.dumps(
        {
            "event_id": event_id,
            "event_type": event.event_type,
            "schema_version": event.schema_version,
            "occurred_at": event.occurred_at.astimezone(UTC).isoformat(),
            "customer_id": event.customer_id,
            "correlation_id": correlation_id,
            "causation_id": causation_id,
            "producer": producer,
        },
        separators=(",", ":"),
    )
    return f'{head[:-1]},"payload":{event.payload_json}}}'.encode()


def envelope_of(event: StoredEvent, producer: Producer) -> Envelope:
    """Return the wire envelope of a stored event as a model."""
    return Envelope.from_json_bytes(envelope_json(event, producer))


def record_of(event: StoredEvent, topic: str, producer: Producer) -> OutgoingRecord:
    """Return the Kafka record that carries a stored event: key = customer id."""
    event_id, correlation_id, causation_id = event.ids_text()
    headers: Headers = [
        ("event_type", event.event_type.encode()),
        ("event_id", event_id.encode()),
        ("correlation_id", correlation_id.encode()),
        ("content-type", b"application/json"),
    ]
    if causation_id is not None:
        headers.append(("causation_id", causation_id.encode()))
    return OutgoingRecord(
        topic=topic,
        key=event.customer_id.encode(),
        value=envelope_json(event, producer),
        headers=headers,
    )
