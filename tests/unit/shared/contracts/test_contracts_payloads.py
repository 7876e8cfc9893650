"""Unit tests of the payload models: the whole catalog validates, and bad fields are refused."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from pydantic import ValidationError

from shared.contracts import (
    CATALOG,
    CardSaved,
    CreditRequested,
    EventPayload,
    InvoiceDebited,
    InvoiceIssued,
    PaymentCaptured,
)

ARCHITECTURE_CATALOG = {
    "billing.credits.v1": {
        "CreditRequested",
        "CreditAdded",
        "CreditRequestFailed",
        "CreditRequestRequiresAction",
        "CreditGranted",
        "InvoiceDebited",
        "InvoiceDebitDeclined",
        "CreditReversed",
        "CreditReversalDeclined",
        "CreditRestored",
    },
    "billing.payments.v1": {
        "PaymentCaptured",
        "PaymentFailed",
        "PaymentRequiresAction",
        "RefundRequested",
        "PaymentRefunded",
        "CardSaved",
        "DefaultCardSet",
        "CardRemoved",
    },
    "billing.invoicing.v1": {
        "InvoiceIssued",
        "InvoiceDebitRequested",
        "InvoicePaymentRequested",
        "InvoicePaid",
        "InvoiceVoided",
        "InvoiceExpired",
    },
}
PRODUCERS = {
    "billing.credits.v1": "credits",
    "billing.payments.v1": "payments",
    "billing.invoicing.v1": "invoicing",
}
AMOUNT_FIELDS = {"amount", "amount_due", "paid_from_credits", "paid_by_card", "remaining"}
MODELS = sorted(CATALOG.values(), key=lambda model: model.event_type)
MODELS_WITH_AMOUNT = [model for model in MODELS if "amount" in model.model_fields]


def _model(name: str) -> type[EventPayload]:
    return CATALOG[(name, 1)]


def test_catalog_is_the_architecture_catalog(sample_payloads: dict[str, dict[str, Any]]) -> None:
    by_topic: dict[str, set[str]] = {}
    for (event_type, version), model in CATALOG.items():
        assert version == 1
        by_topic.setdefault(model.topic, set()).add(event_type)
    assert by_topic == ARCHITECTURE_CATALOG
    assert set(sample_payloads) == {event_type for event_type, _ in CATALOG}


@pytest.mark.parametrize("model", MODELS, ids=lambda model: model.event_type)
def test_class_vars(model: type[EventPayload]) -> None:
    assert model.event_type == model.__name__
    assert model.schema_version == 1
    assert model.producer == PRODUCERS[model.topic]
    assert not {"event_type", "schema_version", "topic", "producer"} & set(model.model_fields)


@pytest.mark.parametrize("model", MODELS, ids=lambda model: model.event_type)
def test_sample_validates_from_python_and_json(
    model: type[EventPayload], sample_payloads: dict[str, dict[str, Any]]
) -> None:
    sample = sample_payloads[model.event_type]
    from_python = model.model_validate(sample)
    from_json = model.model_validate_json(json.dumps(sample))
    assert from_python == from_json
    assert from_python.model_dump(mode="json") == sample


@pytest.mark.parametrize("model", MODELS, ids=lambda model: model.event_type)
def test_extra_field_is_refused(
    model: type[EventPayload], sample_payloads: dict[str, dict[str, Any]]
) -> None:
    with pytest.raises(ValidationError, match="Extra inputs are not permitted"):
        model.model_validate({**sample_payloads[model.event_type], "note": "x"})


@pytest.mark.parametrize("model", MODELS, ids=lambda model: model.event_type)
def test_payload_is_frozen(
    model: type[EventPayload], sample_payloads: dict[str, dict[str, Any]]
) -> None:
    payload = model.model_validate(sample_payloads[model.event_type])
    field = next(iter(model.model_fields))
    with pytest.raises(ValidationError, match="frozen"):
        setattr(payload, field, "x")


@pytest.mark.parametrize("model", MODELS, ids=lambda model: model.event_type)
def test_every_amount_comes_with_a_currency(
    model: type[EventPayload], sample_payloads: dict[str, dict[str, Any]]
) -> None:
    if AMOUNT_FIELDS & set(model.model_fields):
        assert model.model_fields["currency"].is_required()
        sample = {**sample_payloads[model.event_type]}
        del sample["currency"]
        with pytest.raises(ValidationError, match="currency"):
            model.model_validate(sample)


@pytest.mark.parametrize("value", [12.5, 12.0, "12", True, 0, -1, None])
@pytest.mark.parametrize("model", MODELS_WITH_AMOUNT, ids=lambda model: model.event_type)
def test_amount_must_be_a_positive_json_integer(
    model: type[EventPayload], value: object, sample_payloads: dict[str, dict[str, Any]]
) -> None:
    raw = json.dumps({**sample_payloads[model.event_type], "amount": value})
    with pytest.raises(ValidationError, match="amount"):
        model.model_validate_json(raw)


@pytest.mark.parametrize("currency", ["XAU", "XXX", "usd", "EURO", 840])
def test_currency_must_have_a_minor_unit(
    currency: object, sample_payloads: dict[str, dict[str, Any]]
) -> None:
    with pytest.raises(ValidationError, match="currency"):
        CreditRequested.model_validate({**sample_payloads["CreditRequested"], "currency": currency})


@pytest.mark.parametrize(
    "value",
    ["", "a" * 65, "req 01", "req/01", "req.01", "réq", "req\n", 42],
)
def test_ids_are_short_safe_strings(
    value: object, sample_payloads: dict[str, dict[str, Any]]
) -> None:
    with pytest.raises(ValidationError, match="request_id"):
        CreditRequested.model_validate({**sample_payloads["CreditRequested"], "request_id": value})


@pytest.mark.parametrize(
    "text", ["a" * 256, "line\nbreak", "tab\there", "nul\x00", "del\x7f", "c1\x85"]
)
def test_descriptions_are_short_text_without_control_characters(
    text: str, sample_payloads: dict[str, dict[str, Any]]
) -> None:
    with pytest.raises(ValidationError, match="description"):
        CreditRequested.model_validate({**sample_payloads["CreditRequested"], "description": text})


@pytest.mark.parametrize("text", ["", "a" * 255, "Café ✓ — 100 €"])
def test_descriptions_accept_unicode_up_to_255_characters(
    text: str, sample_payloads: dict[str, dict[str, Any]]
) -> None:
    payload = CreditRequested.model_validate(
        {**sample_payloads["CreditRequested"], "description": text}
    )
    assert payload.description == text


def test_reasons_must_not_be_empty() -> None:
    with pytest.raises(ValidationError, match="reason"):
        _model("InvoiceVoided").model_validate({"invoice_id": "inv_01", "reason": ""})


def test_credit_requested_defaults() -> None:
    payload = CreditRequested.model_validate(
        {"request_id": "r1", "amount": 1, "currency": "JPY", "description": "x"}
    )
    assert payload.payment_method_id is None
    assert payload.save_card is False
    assert payload.set_default is False


@pytest.mark.parametrize("value", [1, "true", None])
def test_booleans_are_strict(value: object, sample_payloads: dict[str, dict[str, Any]]) -> None:
    with pytest.raises(ValidationError, match="save_card"):
        CreditRequested.model_validate({**sample_payloads["CreditRequested"], "save_card": value})


def test_invoice_debited_description_is_fixed() -> None:
    payload = InvoiceDebited.for_invoice("5e8718d3b0d1c10f88a59f67", 4776, "USD")
    assert payload.description == "Debited to invoice 5e8718d3b0d1c10f88a59f67"
    with pytest.raises(ValidationError, match="Debited to invoice inv_01"):
        InvoiceDebited.model_validate(
            {"invoice_id": "inv_01", "amount": 1, "currency": "USD", "description": "other"}
        )


def test_payment_captured_card_and_purpose(sample_payloads: dict[str, dict[str, Any]]) -> None:
    sample = sample_payloads["PaymentCaptured"]
    payload = PaymentCaptured.model_validate(sample)
    assert (payload.card.brand, payload.card.last4) == ("visa", "4242")
    for bad_card in ({"brand": "visa", "last4": "424"}, {"brand": "visa"}, {"last4": "4242"}):
        with pytest.raises(ValidationError, match="card"):
            PaymentCaptured.model_validate({**sample, "card": bad_card})
    with pytest.raises(ValidationError, match="purpose"):
        PaymentCaptured.model_validate({**sample, "purpose": "refund"})


@pytest.mark.parametrize(
    ("field", "value"),
    [("exp_month", 0), ("exp_month", 13), ("exp_year", 99), ("last4", "42a2"), ("brand", "")],
)
def test_card_saved_refuses(
    field: str, value: Any, sample_payloads: dict[str, dict[str, Any]]
) -> None:
    with pytest.raises(ValidationError, match=field):
        CardSaved.model_validate({**sample_payloads["CardSaved"], field: value})


def test_invoice_issued_amount_due_is_the_sum_of_lines(
    sample_payloads: dict[str, dict[str, Any]],
) -> None:
    sample = sample_payloads["InvoiceIssued"]
    with pytest.raises(ValidationError, match="not the sum of the lines"):
        InvoiceIssued.model_validate({**sample, "amount_due": 5000})
    with pytest.raises(ValidationError, match="lines"):
        InvoiceIssued.model_validate({**sample, "lines": [], "amount_due": 0})
    with pytest.raises(ValidationError, match="amount_due"):
        InvoiceIssued.model_validate(
            {**sample, "lines": [{"description": "credit", "amount": -5}], "amount_due": -5}
        )


def test_invoice_issued_due_at_is_utc_and_optional(
    sample_payloads: dict[str, dict[str, Any]],
) -> None:
    sample = sample_payloads["InvoiceIssued"]
    payload = InvoiceIssued.model_validate({**sample, "due_at": "2024-08-01T02:00:00+02:00"})
    assert payload.due_at == datetime(2024, 8, 1, tzinfo=UTC)
    assert payload.due_at is not None
    assert payload.due_at.utcoffset() is not None
    assert payload.due_at.tzinfo == UTC
    assert InvoiceIssued.model_validate({**sample, "due_at": None}).due_at is None
    without = {key: value for key, value in sample.items() if key != "due_at"}
    assert InvoiceIssued.model_validate(without).due_at is None


@pytest.mark.parametrize("due_at", ["2024-08-01T00:00:00", "2024-08-01", 1722470400, "soon"])
def test_invoice_issued_due_at_needs_a_time_zone(
    due_at: object, sample_payloads: dict[str, dict[str, Any]]
) -> None:
    with pytest.raises(ValidationError, match="due_at"):
        InvoiceIssued.model_validate({**sample_payloads["InvoiceIssued"], "due_at": due_at})


def test_invoice_paid_allows_zero_parts_but_not_negative(
    sample_payloads: dict[str, dict[str, Any]],
) -> None:
    sample = sample_payloads["InvoicePaid"]
    paid = _model("InvoicePaid").model_validate({**sample, "paid_by_card": 0})
    assert paid.model_dump()["paid_by_card"] == 0
    with pytest.raises(ValidationError, match="paid_from_credits"):
        _model("InvoicePaid").model_validate({**sample, "paid_from_credits": -1})
