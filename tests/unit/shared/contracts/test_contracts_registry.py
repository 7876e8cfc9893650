"""Unit tests of the catalog: message decoding, refusal reasons, topics and JSON Schemas."""

from __future__ import annotations

import ast
import json
import pickle
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import shared.contracts
from shared.contracts import (
    CATALOG,
    TOPICS,
    ContractError,
    CreditAdded,
    Envelope,
    InvoiceIssued,
    decode_message,
    decode_payload,
    dlq_topic,
    json_schemas,
    parse_envelope,
    payload_model,
)

Encode = Callable[[Any], bytes]


def _reason(raw: object) -> str:
    with pytest.raises(ContractError) as caught:
        Envelope.from_json_bytes(raw)  # type: ignore[arg-type]
    assert caught.value.detail
    return caught.value.reason


def test_valid_message_decodes(envelope_data: dict[str, Any], encode: Encode) -> None:
    envelope, payload = decode_message(encode(envelope_data))
    assert isinstance(payload, CreditAdded)
    assert payload.amount == 10000
    assert envelope.customer_id == "cus_42"
    assert Envelope.from_json_bytes(encode(envelope_data)) == envelope
    assert decode_payload(envelope) == payload


def test_bytearray_is_accepted(envelope_data: dict[str, Any], encode: Encode) -> None:
    envelope = Envelope.from_json_bytes(bytearray(encode(envelope_data)))  # type: ignore[arg-type]
    assert envelope.event_type == "CreditAdded"


@pytest.mark.parametrize(
    "raw",
    [
        b"",
        b"not json",
        b"{",
        b"\xff\xfe{}",
        b'\xef\xbb\xbf{"a": 1}',
        b'{"a": NaN}',
        b'{"a": Infinity}',
        b'{"a": 1, "a": 2}',
        b"[" * 100_000,
        "{}",
        None,
    ],
    ids=[
        "empty",
        "text",
        "truncated",
        "utf16",
        "bom",
        "nan",
        "inf",
        "dup-key",
        "deep",
        "str",
        "none",
    ],
)
def test_not_json(raw: object) -> None:
    assert _reason(raw) == "not_json"


def test_duplicate_payload_key_is_not_json(envelope_data: dict[str, Any], encode: Encode) -> None:
    raw = encode(envelope_data).replace(b'"amount": 10000', b'"amount": 1, "amount": 10000')
    assert _reason(raw) == "not_json"


@pytest.mark.parametrize("value", [[], "x", 12, None])
def test_json_that_is_not_an_object_is_an_invalid_envelope(value: object, encode: Encode) -> None:
    assert _reason(encode(value)) == "invalid_envelope"


@pytest.mark.parametrize("field", ["event_id", "customer_id", "payload", "producer"])
def test_missing_envelope_field(envelope_data: dict[str, Any], encode: Encode, field: str) -> None:
    del envelope_data[field]
    with pytest.raises(ContractError) as caught:
        Envelope.from_json_bytes(encode(envelope_data))
    assert caught.value.reason == "invalid_envelope"
    assert field in caught.value.detail


def test_extra_envelope_field(envelope_data: dict[str, Any], encode: Encode) -> None:
    assert _reason(encode({**envelope_data, "extra": 1})) == "invalid_envelope"


def test_unknown_event_type(envelope_data: dict[str, Any], encode: Encode) -> None:
    with pytest.raises(ContractError) as caught:
        Envelope.from_json_bytes(encode({**envelope_data, "event_type": "CreditStolen"}))
    assert caught.value.reason == "unknown_event_type"
    assert "CreditStolen" in caught.value.detail


def test_unknown_schema_version(envelope_data: dict[str, Any], encode: Encode) -> None:
    with pytest.raises(ContractError) as caught:
        Envelope.from_json_bytes(encode({**envelope_data, "schema_version": 2}))
    assert caught.value.reason == "unknown_schema_version"
    assert "known: 1" in caught.value.detail


def test_producer_mismatch(envelope_data: dict[str, Any], encode: Encode) -> None:
    assert _reason(encode({**envelope_data, "producer": "payments"})) == "producer_mismatch"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"amount": 12.5}, "amount"),
        ({"amount": 12.0}, "amount"),
        ({"amount": "12"}, "amount"),
        ({"amount": True}, "amount"),
        ({"amount": 0}, "amount"),
        ({"currency": "XAU"}, "currency"),
        ({"note": "x"}, "note"),
        ({"request_id": None}, "request_id"),
    ],
)
def test_invalid_payload(
    envelope_data: dict[str, Any], encode: Encode, change: dict[str, Any], field: str
) -> None:
    envelope_data["payload"].update(change)
    with pytest.raises(ContractError) as caught:
        Envelope.from_json_bytes(encode(envelope_data))
    assert caught.value.reason == "invalid_payload"
    assert caught.value.detail.startswith(field)


def test_missing_payload_field(envelope_data: dict[str, Any], encode: Encode) -> None:
    del envelope_data["payload"]["payment_id"]
    with pytest.raises(ContractError) as caught:
        Envelope.from_json_bytes(encode(envelope_data))
    assert (caught.value.reason, caught.value.detail) == (
        "invalid_payload",
        "payment_id: Field required",
    )


def test_invalid_payload_detail_is_condensed(envelope_data: dict[str, Any], encode: Encode) -> None:
    envelope_data["payload"] = {"description": "secret " * 50}
    with pytest.raises(ContractError) as caught:
        Envelope.from_json_bytes(encode(envelope_data))
    detail = caught.value.detail
    assert "secret" not in detail
    assert "request_id: Field required" in detail
    assert "description: String should have at most 255 characters" in detail
    assert "; " in detail
    assert "errors.pydantic.dev" not in detail


def test_parse_envelope_does_not_check_the_payload(
    envelope_data: dict[str, Any], encode: Encode
) -> None:
    envelope_data["payload"] = {"anything": 1.5}
    envelope = parse_envelope(encode({**envelope_data, "event_type": "Unknown"}))
    assert envelope.payload == {"anything": 1.5}
    with pytest.raises(ContractError) as caught:
        decode_payload(envelope)
    assert caught.value.reason == "unknown_event_type"


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"event_type": "Nope"}, "unknown_event_type"),
        ({"schema_version": 7}, "unknown_schema_version"),
        ({"producer": "invoicing"}, "producer_mismatch"),
        ({"payload": {}}, "invalid_payload"),
    ],
)
def test_decode_payload_reasons(
    envelope_data: dict[str, Any], change: dict[str, Any], reason: str
) -> None:
    envelope = Envelope.model_validate({**envelope_data, **change})
    with pytest.raises(ContractError) as caught:
        decode_payload(envelope)
    assert caught.value.reason == reason


def test_payload_model_lookup() -> None:
    assert payload_model("InvoiceIssued", 1) is InvoiceIssued
    with pytest.raises(ContractError, match="unknown_schema_version"):
        payload_model("InvoiceIssued", 0)


def test_contract_error_fields_text_and_pickling() -> None:
    error = ContractError("invalid_payload", "amount: Input should be a valid integer")
    assert isinstance(error, ValueError)
    assert str(error) == "invalid_payload: amount: Input should be a valid integer"
    copy = pickle.loads(pickle.dumps(error))
    assert (copy.reason, copy.detail) == (error.reason, error.detail)


def test_topics_and_dead_letter_topics() -> None:
    assert TOPICS == ("billing.credits.v1", "billing.payments.v1", "billing.invoicing.v1")
    assert [dlq_topic(topic) for topic in TOPICS] == [
        "billing.credits.v1.dlq",
        "billing.payments.v1.dlq",
        "billing.invoicing.v1.dlq",
    ]
    assert {model.topic for model in CATALOG.values()} == set(TOPICS)


def test_json_schemas_cover_the_envelope_and_every_payload() -> None:
    schemas = json_schemas()
    assert set(schemas) == {"Envelope"} | {f"{name}.v{version}" for name, version in CATALOG}
    assert schemas["Envelope"]["required"][0] == "event_id"
    for (name, version), model in CATALOG.items():
        schema = schemas[f"{name}.v{version}"]
        assert schema["title"] == name
        assert schema["additionalProperties"] is False
        assert schema["x-topic"] == model.topic
        assert schema["x-schema-version"] == version
    amount = schemas["CreditAdded.v1"]["properties"]["amount"]
    assert (amount["type"], amount["exclusiveMinimum"]) == ("integer", 0)
    json.dumps(schemas)


_ALLOWED_IMPORTS = {"pydantic", "annotated_types", "iso4217", "shared"}


def test_contracts_import_only_pydantic_stdlib_and_shared() -> None:
    root = Path(shared.contracts.__file__).parent
    files = [*root.glob("*.py"), root.parent / "money.py"]
    for path in files:
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            for name in names:
                top = name.split(".")[0]
                allowed = top in _ALLOWED_IMPORTS or top in sys.stdlib_module_names
                assert allowed, f"{path.name} imports {name}"
                if top == "shared":
                    assert name.startswith(("shared.contracts", "shared.money")), name
