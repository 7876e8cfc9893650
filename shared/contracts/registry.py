"""The event catalog: which payload model reads which (event type, schema version)."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from pydantic import ValidationError

from shared.contracts.common import EventPayload
from shared.contracts.credits import CREDITS_EVENTS
from shared.contracts.envelope import Envelope, parse_envelope
from shared.contracts.errors import ContractError, condense
from shared.contracts.invoicing import INVOICING_EVENTS
from shared.contracts.payments import PAYMENTS_EVENTS
from shared.contracts.topics import TOPICS, dlq_topic

__all__ = [
    "CATALOG",
    "TOPICS",
    "decode_message",
    "decode_payload",
    "dlq_topic",
    "json_schemas",
    "payload_model",
]


def _build_catalog() -> Mapping[tuple[str, int], type[EventPayload]]:
    catalog: dict[tuple[str, int], type[EventPayload]] = {}
    for model in (*CREDITS_EVENTS, *PAYMENTS_EVENTS, *INVOICING_EVENTS):
        key = (model.event_type, model.schema_version)
        if key in catalog:
            raise RuntimeError(f"event {key} is registered twice")
        catalog[key] = model
    return MappingProxyType(catalog)


CATALOG: Mapping[tuple[str, int], type[EventPayload]] = _build_catalog()
"""Every payload model of the contract, by (event type, schema version)."""

_VERSIONS: dict[str, list[int]] = {}
for _event_type, _version in CATALOG:
    _VERSIONS.setdefault(_event_type, []).append(_version)


def payload_model(event_type: str, schema_version: int) -> type[EventPayload]:
    """Return the model of an event's payload.

    Raises :class:`ContractError` with reason ``unknown_event_type`` or
    ``unknown_schema_version``.
    """
    if event_type not in _VERSIONS:
        raise ContractError("unknown_event_type", f"no event type {event_type!r} in the catalog")
    model = CATALOG.get((event_type, schema_version))
    if model is None:
        known = ", ".join(str(version) for version in sorted(_VERSIONS[event_type]))
        raise ContractError(
            "unknown_schema_version",
            f"{event_type} has no schema version {schema_version} (known: {known})",
        )
    return model


def decode_payload(envelope: Envelope) -> EventPayload:
    """Validate an envelope's payload against the catalog and return the payload model.

    Raises :class:`ContractError` with reason ``unknown_event_type``,
    ``unknown_schema_version``, ``producer_mismatch`` or ``invalid_payload``.
    """
    model = payload_model(envelope.event_type, envelope.schema_version)
    if model.producer != envelope.producer:
        raise ContractError(
            "producer_mismatch",
            f"{envelope.event_type} is produced by {model.producer}, not {envelope.producer}",
        )
    try:
        return model.model_validate(envelope.payload)
    except ValidationError as error:
        raise ContractError("invalid_payload", condense(error)) from None


def decode_message(raw: bytes) -> tuple[Envelope, EventPayload]:
    """Read a Kafka message value into its envelope and its validated payload.

    Raises :class:`ContractError` with any of its reasons.
    """
    envelope = parse_envelope(raw)
    return envelope, decode_payload(envelope)


def json_schemas() -> dict[str, dict[str, Any]]:
    """Return the JSON Schema of the envelope and of every payload.

    Keys are ``"Envelope"`` and ``"{event_type}.v{schema_version}"``; each payload schema
    also names its topic (``x-topic``), event type and version.
    """
    schemas: dict[str, dict[str, Any]] = {"Envelope": Envelope.model_json_schema()}
    for (event_type, version), model in sorted(CATALOG.items()):
        schema = model.model_json_schema()
        schema["x-topic"] = model.topic
        schema["x-event-type"] = event_type
        schema["x-schema-version"] = version
        schemas[f"{event_type}.v{version}"] = schema
    return schemas
