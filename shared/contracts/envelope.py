"""The JSON envelope every Kafka message carries: identity, causality, producer and payload."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Annotated, Any, Self
from uuid import UUID, uuid4

from pydantic import Field, StrictInt, StringConstraints, ValidationError

from shared.contracts.common import ContractModel, CustomerId, EventPayload, UtcDatetime
from shared.contracts.errors import ContractError, condense
from shared.contracts.topics import PRODUCER_TOPICS, Producer

EventType = Annotated[
    str, StringConstraints(strict=True, min_length=1, max_length=64, pattern=r"^[A-Z][A-Za-z0-9]*$")
]
"""An event type name in PascalCase, e.g. ``CreditAdded``."""

EventId = Annotated[UUID, Field(strict=False)]
"""A UUID; on the wire, its string form."""


class Envelope(ContractModel):
    """One message on a topic: who, when, why, and the event's payload as a JSON object."""

    event_id: EventId = Field(description="Unique id of this event; consumers dedupe on it.")
    event_type: EventType
    schema_version: StrictInt = Field(ge=1, description="Version of the payload's schema.")
    occurred_at: UtcDatetime = Field(description="When the event happened, in UTC.")
    customer_id: CustomerId = Field(description="The customer; also the Kafka message key.")
    correlation_id: EventId = Field(description="Shared by every event of one flow.")
    causation_id: EventId | None = Field(
        default=None, description="The event_id of the event that caused this one, if any."
    )
    producer: Producer
    payload: dict[str, Any]

    @classmethod
    def wrap(
        cls,
        payload: EventPayload,
        *,
        customer_id: str,
        correlation_id: UUID,
        causation_id: UUID | None = None,
        event_id: UUID | None = None,
        occurred_at: datetime | None = None,
    ) -> Self:
        """Put a payload model in an envelope; a new event id and now are the defaults."""
        return cls(
            event_id=event_id or uuid4(),
            event_type=payload.event_type,
            schema_version=payload.schema_version,
            occurred_at=occurred_at or datetime.now(UTC),
            customer_id=customer_id,
            correlation_id=correlation_id,
            causation_id=causation_id,
            producer=payload.producer,
            payload=payload.model_dump(mode="json"),
        )

    @property
    def topic(self) -> str:
        """The topic this event is published on: its producer's topic."""
        return PRODUCER_TOPICS[self.producer]

    def kafka_key(self) -> bytes:
        """The Kafka message key: the customer id, so a customer's events keep their order."""
        return self.customer_id.encode()

    def headers(self) -> dict[str, str]:
        """The Kafka headers, which repeat the event type and id."""
        return {"event_type": self.event_type, "event_id": str(self.event_id)}

    def to_json_bytes(self) -> bytes:
        """Serialise to UTF-8 JSON (UUIDs as strings, ``occurred_at`` as ISO 8601 UTC)."""
        return self.model_dump_json().encode()

    @classmethod
    def from_json_bytes(cls, raw: bytes) -> Envelope:
        """Read a message and check it whole: envelope, known event type and version, payload.

        Raises :class:`ContractError` with reason ``not_json``, ``invalid_envelope``,
        ``unknown_event_type``, ``unknown_schema_version``, ``producer_mismatch`` or
        ``invalid_payload``.
        """
        from shared.contracts.registry import decode_message  # registry imports this module

        envelope, _ = decode_message(raw)
        return envelope


def _refuse_constant(name: str) -> None:
    raise ValueError(f"{name} is not valid JSON")


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result = dict(pairs)
    if len(result) != len(pairs):
        raise ValueError("duplicate key in a JSON object")
    return result


def _load_json(raw: object) -> object:
    if not isinstance(raw, bytes | bytearray):
        raise ContractError("not_json", f"message body must be bytes, got {type(raw).__name__}")
    try:
        text = bytes(raw).decode("utf-8")
    except UnicodeDecodeError as error:
        raise ContractError("not_json", f"not UTF-8 (byte {error.start})") from None
    try:
        return json.loads(text, parse_constant=_refuse_constant, object_pairs_hook=_unique_keys)
    except (ValueError, RecursionError) as error:
        raise ContractError("not_json", str(error)[:200] or "not JSON") from None


def parse_envelope(raw: bytes) -> Envelope:
    """Read a message's envelope without checking its payload.

    Raises :class:`ContractError` with reason ``not_json`` or ``invalid_envelope``.
    """
    data = _load_json(raw)
    if not isinstance(data, dict):
        raise ContractError("invalid_envelope", "the message is not a JSON object")
    try:
        return Envelope.model_validate(data)
    except ValidationError as error:
        raise ContractError("invalid_envelope", condense(error)) from None
