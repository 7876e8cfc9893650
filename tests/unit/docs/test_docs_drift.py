"""The committed documents under docs/ are what the code generates (`make docs`)."""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

import pytest
import yaml

from ops.docs import differences, documents
from ops.docs.__main__ import main
from ops.docs.events import event_models
from shared.contracts import CATALOG, TOPICS, CreditAdded, Envelope, dlq_topic

DOCS = Path(__file__).resolve().parents[3] / "docs"


@pytest.fixture(scope="module")
def generated() -> dict[str, str]:
    return documents()


@pytest.fixture(scope="module")
def asyncapi() -> dict[str, Any]:
    """The committed AsyncAPI document."""
    document: dict[str, Any] = yaml.safe_load((DOCS / "asyncapi" / "asyncapi.yaml").read_text())
    return document


def test_the_committed_documents_are_what_the_code_generates(generated: dict[str, str]) -> None:
    problems = differences(DOCS, generated)
    assert not problems, (
        "docs/ is out of date with the code; run `make docs` and commit the result:\n  "
        + "\n  ".join(problems)
    )


def test_every_catalog_event_has_a_committed_schema() -> None:
    for (event_type, version), model in CATALOG.items():
        path = DOCS / "events" / f"{event_type}.v{version}.json"
        assert path.is_file(), f"no {path.name}: run `make docs`"
        schema = json.loads(path.read_text())
        assert schema["properties"]["event_type"]["const"] == event_type
        assert schema["properties"]["schema_version"]["const"] == version
        assert schema["x-topic"] == model.topic
        payload = schema["$defs"][model.__name__]
        assert set(payload["properties"]) == set(model.model_fields)


def test_the_asyncapi_document_names_every_topic_and_every_event_type(
    asyncapi: dict[str, Any],
) -> None:
    document = asyncapi
    assert document["info"]["title"] == "billing"
    addresses = {channel["address"] for channel in document["channels"].values()}
    assert addresses == {*TOPICS, *(dlq_topic(topic) for topic in TOPICS)}
    schemas = document["components"]["schemas"]
    documented = {
        (fields["event_type"]["const"], fields["schema_version"]["const"])
        for fields in (schema.get("properties", {}) for schema in schemas.values())
        if "const" in fields.get("event_type", {})
    }
    assert documented == set(CATALOG)
    as_json = json.loads((DOCS / "asyncapi" / "asyncapi.json").read_text())
    assert as_json == document


def test_the_readme_catalog_names_every_event() -> None:
    readme = (DOCS.parent / "README.md").read_text()
    for (event_type, version), model in CATALOG.items():
        row = f"| `{model.topic}` | [`{event_type}`](docs/events/{event_type}.v{version}.json) |"
        assert f"{row} {version} |" in readme, f"README.md's event catalog lacks {event_type}"


def _operations(document: dict[str, Any], action: str) -> set[tuple[str, str]]:
    """(service or consumer group, topic address) of every operation of ``action``."""
    found = set()
    for operation in document["operations"].values():
        if operation["action"] == action:
            channel = operation["channel"]["$ref"].rsplit("/", 1)[1]
            who = channel.split(":")[0]
            if action == "receive":
                assert operation["bindings"]["kafka"]["groupId"]["enum"] == [who]
            found.add((who, document["channels"][channel]["address"]))
    return found


def test_each_topic_has_its_producer_and_its_consumer_groups(asyncapi: dict[str, Any]) -> None:
    document = asyncapi
    sends, receives = _operations(document, "send"), _operations(document, "receive")
    assert {
        ("credits", "billing.credits.v1"),
        ("payments", "billing.payments.v1"),
        ("invoicing", "billing.invoicing.v1"),
        ("payments", "billing.credits.v1.dlq"),
    } <= sends
    assert ("credits", "billing.payments.v1") in receives
    assert ("invoicing", "billing.credits.v1") in receives
    assert ("credits", "billing.credits.v1") not in receives


def test_the_documents_do_not_depend_on_the_environment(
    generated: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgresql://elsewhere/db")
    monkeypatch.setenv("KAFKA_BOOTSTRAP_SERVERS", "elsewhere:9092")
    monkeypatch.setenv("KAFKA_TOPIC_PREFIX", "staging.")
    monkeypatch.setenv("CREDITS_MAX_TOPUP", "50.00")
    monkeypatch.setenv("CREDITS_CURRENCIES", "EUR,USD")
    assert documents() == generated


def test_the_documented_event_reads_what_a_service_sends() -> None:
    payload = CreditAdded(
        request_id="req-1", payment_id="pay-1", amount=4776, currency="USD", description="test"
    )
    envelope = Envelope.wrap(payload, customer_id="cus-1", correlation_id=uuid.uuid4())
    model = event_models()[("CreditAdded", 1)]
    documented = model.model_validate_json(envelope.to_json_bytes())
    assert documented.payload == payload
    with pytest.raises(ValueError, match="event_type"):
        model.model_validate_json(envelope.to_json_bytes().replace(b"CreditAdded", b"CardSaved"))


def test_check_fails_on_a_changed_or_stale_document_and_write_repairs_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--out", str(tmp_path)]) == 0
    assert main(["--out", str(tmp_path), "--check"]) == 0
    (tmp_path / "openapi" / "credits.json").write_text("{}\n")
    (tmp_path / "events" / "Gone.v1.json").write_text("{}\n")
    capsys.readouterr()
    assert main(["--out", str(tmp_path), "--check"]) == 1
    errors = capsys.readouterr().err
    assert "openapi/credits.json: differs from the code" in errors
    assert "events/Gone.v1.json: not generated any more" in errors
    assert "run `make docs`" in errors
    assert main(["--out", str(tmp_path)]) == 0
    assert not (tmp_path / "events" / "Gone.v1.json").exists()
    assert main(["--out", str(tmp_path), "--check"]) == 0
