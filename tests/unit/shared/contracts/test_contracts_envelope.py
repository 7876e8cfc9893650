"""Unit tests of the envelope: building, JSON round trip, UTC timestamps and field checks."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from typing import Any
from uuid import UUID, uuid4

import pytest
from pydantic import ValidationError

from shared.contracts import CreditAdded, Envelope, InvoiceIssued, PaymentCaptured


def _credit_added(sample_payloads: dict[str, dict[str, Any]]) -> CreditAdded:
    return CreditAdded.model_validate(sample_payloads["CreditAdded"])


def test_wrap_fills_the_envelope_from_the_payload(
    sample_payloads: dict[str, dict[str, Any]],
) -> None:
    correlation_id = uuid4()
    envelope = Envelope.wrap(
        _credit_added(sample_payloads), customer_id="cus_42", correlation_id=correlation_id
    )
    assert envelope.event_type == "CreditAdded"
    assert envelope.schema_version == 1
    assert envelope.producer == "credits"
    assert envelope.topic == "billing.credits.v1"
    assert envelope.customer_id == "cus_42"
    assert envelope.correlation_id == correlation_id
    assert envelope.causation_id is None
    assert envelope.payload == sample_payloads["CreditAdded"]
    assert envelope.occurred_at.tzinfo == UTC
    assert abs(datetime.now(UTC) - envelope.occurred_at) < timedelta(minutes=1)


def test_wrap_makes_a_new_event_id_each_time(sample_payloads: dict[str, dict[str, Any]]) -> None:
    payload = _credit_added(sample_payloads)
    first = Envelope.wrap(payload, customer_id="c", correlation_id=uuid4())
    second = Envelope.wrap(payload, customer_id="c", correlation_id=uuid4())
    assert first.event_id != second.event_id


def test_wrap_serialises_nested_payloads(sample_payloads: dict[str, dict[str, Any]]) -> None:
    invoice = InvoiceIssued.model_validate(sample_payloads["InvoiceIssued"])
    envelope = Envelope.wrap(invoice, customer_id="c", correlation_id=uuid4())
    assert envelope.topic == "billing.invoicing.v1"
    assert envelope.payload["due_at"] == "2024-08-01T00:00:00Z"
    assert envelope.payload["lines"][1] == {"description": "Loyalty discount", "amount": -224}
    captured = PaymentCaptured.model_validate(sample_payloads["PaymentCaptured"])
    wrapped = Envelope.wrap(captured, customer_id="c", correlation_id=uuid4())
    assert wrapped.payload["card"] == {"brand": "visa", "last4": "4242"}


def test_json_round_trip(sample_payloads: dict[str, dict[str, Any]]) -> None:
    envelope = Envelope.wrap(
        _credit_added(sample_payloads),
        customer_id="cus_42",
        correlation_id=uuid4(),
        causation_id=uuid4(),
        occurred_at=datetime(2024, 7, 17, 6, 21, tzinfo=timezone(timedelta(hours=2))),
    )
    raw = envelope.to_json_bytes()
    assert Envelope.from_json_bytes(raw) == envelope
    wire = json.loads(raw)
    assert wire["occurred_at"] == "2024-07-17T04:21:00Z"
    assert wire["event_id"] == str(envelope.event_id)
    assert wire["causation_id"] == str(envelope.causation_id)
    assert wire["payload"]["amount"] == 10000
    assert set(wire) == {
        "event_id",
        "event_type",
        "schema_version",
        "occurred_at",
        "customer_id",
        "correlation_id",
        "causation_id",
        "producer",
        "payload",
    }


def test_occurred_at_is_normalised_to_utc(envelope_data: dict[str, Any]) -> None:
    envelope = Envelope.model_validate(
        {**envelope_data, "occurred_at": "2024-07-17T13:21:00+09:00"}
    )
    assert envelope.occurred_at == datetime(2024, 7, 17, 4, 21, tzinfo=UTC)
    assert envelope.occurred_at.tzinfo == UTC


def test_kafka_key_and_headers(envelope_data: dict[str, Any]) -> None:
    envelope = Envelope.model_validate(envelope_data)
    assert envelope.kafka_key() == b"cus_42"
    assert envelope.headers() == {
        "event_type": "CreditAdded",
        "event_id": "0b8f5a4e-5c1d-4d59-9a53-3f1f8e0f2c11",
    }


def test_ids_are_uuids(envelope_data: dict[str, Any]) -> None:
    envelope = Envelope.model_validate(envelope_data)
    assert envelope.event_id == UUID("0b8f5a4e-5c1d-4d59-9a53-3f1f8e0f2c11")
    assert isinstance(envelope.correlation_id, UUID)


def test_causation_id_may_be_null_or_absent(envelope_data: dict[str, Any]) -> None:
    assert Envelope.model_validate({**envelope_data, "causation_id": None}).causation_id is None
    del envelope_data["causation_id"]
    assert Envelope.model_validate(envelope_data).causation_id is None


def test_envelope_is_frozen(envelope_data: dict[str, Any]) -> None:
    envelope = Envelope.model_validate(envelope_data)
    with pytest.raises(ValidationError, match="frozen"):
        envelope.customer_id = "other"  # type: ignore[misc]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("event_id", "not-a-uuid"),
        ("event_id", 12),
        ("event_type", ""),
        ("event_type", "credit_added"),
        ("event_type", "A" * 65),
        ("schema_version", 0),
        ("schema_version", "1"),
        ("schema_version", 1.0),
        ("schema_version", True),
        ("occurred_at", "2024-07-17T04:21:00"),
        ("occurred_at", 1721190060),
        ("occurred_at", "yesterday"),
        ("customer_id", ""),
        ("customer_id", "c" * 65),
        ("customer_id", "cus 42"),
        ("customer_id", "cus/42"),
        ("customer_id", "cus_42\n"),
        ("customer_id", 42),
        ("correlation_id", None),
        ("causation_id", "x"),
        ("producer", "billing"),
        ("producer", "Credits"),
        ("payload", []),
        ("payload", "{}"),
        ("payload", None),
    ],
)
def test_bad_envelope_fields_are_refused(
    envelope_data: dict[str, Any], field: str, value: object
) -> None:
    with pytest.raises(ValidationError, match=field):
        Envelope.model_validate({**envelope_data, field: value})


def test_customer_id_accepts_letters_digits_dot_dash_underscore(
    envelope_data: dict[str, Any],
) -> None:
    envelope = Envelope.model_validate({**envelope_data, "customer_id": "Cus.42_a-b"})
    assert envelope.customer_id == "Cus.42_a-b"


def test_unknown_envelope_field_is_refused(envelope_data: dict[str, Any]) -> None:
    with pytest.raises(ValidationError, match="Extra inputs are not permitted"):
        Envelope.model_validate({**envelope_data, "partition": 3})


@pytest.mark.parametrize("field", ["event_id", "event_type", "occurred_at", "payload"])
def test_missing_envelope_field_is_refused(envelope_data: dict[str, Any], field: str) -> None:
    del envelope_data[field]
    with pytest.raises(ValidationError, match=field):
        Envelope.model_validate(envelope_data)


def test_validation_errors_do_not_echo_the_input(envelope_data: dict[str, Any]) -> None:
    with pytest.raises(ValidationError) as caught:
        Envelope.model_validate({**envelope_data, "customer_id": "secret value"})
    assert "secret value" not in str(caught.value)
