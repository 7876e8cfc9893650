"""The invoicing HTTP API on a real database: validation, access, issue, reads, idempotency."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from .conftest import InvoicingService

pytestmark = pytest.mark.integration

LINE = {"description": "licence", "amount": "47.76"}
VALID: dict[str, Any] = {"currency": "USD", "lines": [LINE]}

INVALID_BODIES: list[tuple[dict[str, Any], str]] = [
    ({**VALID, "lines": [{**LINE, "amount": "0.00"}]}, "amount"),
    ({**VALID, "lines": [{**LINE, "amount": "-5.00"}]}, "amount"),
    ({**VALID, "lines": [{**LINE, "amount": "1.001"}]}, "amount"),
    ({**VALID, "lines": [{**LINE, "amount": 12.5}]}, "amount"),
    ({**VALID, "lines": [{**LINE, "amount": "NaN"}]}, "amount"),
    ({**VALID, "lines": [{**LINE, "amount": "1e3"}]}, "amount"),
    ({**VALID, "lines": [{**LINE, "amount": "9999999.00"}]}, "amount"),
    ({**VALID, "lines": []}, "lines"),
    ({**VALID, "lines": [LINE] * 201}, "lines"),
    ({**VALID, "lines": [{**LINE, "description": "x" * 256}]}, "description"),
    ({**VALID, "lines": [{**LINE, "description": "bell\x07"}]}, "description"),
    ({**VALID, "lines": [{**LINE, "tax": "1.00"}]}, "tax"),
    ({**VALID, "currency": "XYZ"}, "currency"),
    ({**VALID, "currency": "EUR"}, "currency"),
    ({**VALID, "due_at": "2020-01-01T00:00:00Z"}, "due_at"),
    ({**VALID, "due_at": "2999-01-01T00:00:00"}, "due_at"),
    ({**VALID, "surprise": 1}, "surprise"),
    ({**VALID, "card": {"number": "4242424242424242"}}, "body"),
    ({**VALID, "lines": [{**LINE, "description": "card 4242 4242 4242 4242"}]}, "body"),
]


async def event_count(service: InvoicingService) -> int:
    count: int = await service.pool.fetchval("SELECT count(*) FROM events")
    return count


async def test_invalid_invoices_answer_422_naming_the_field_and_store_nothing(
    service: InvoicingService, customer_id: str
) -> None:
    for body, field in INVALID_BODIES:
        response = await service.client.post(
            "/v1/invoices", json={"customer_id": customer_id, **body},
            headers=service.customer(customer_id),
        )  # fmt: skip
        assert response.status_code == 422, (body, response.text)
        detail = response.json()["detail"]
        assert any(field in map(str, error["loc"]) for error in detail), (field, detail)
        assert "4242 4242" not in response.text
    assert await event_count(service) == 0
    assert await service.pool.fetchval("SELECT count(*) FROM invoice_index") == 0


async def test_issuing_appends_both_events_in_one_append_and_reads_at_once(
    service: InvoicingService, customer_id: str
) -> None:
    due = datetime.now(UTC) + timedelta(days=30)
    response = await service.issue(customer_id, "590.00", "3.02", due_at=due.isoformat())
    assert response.status_code == 201, response.text
    created = response.json()
    invoice_id = created["invoice_id"]
    assert len(invoice_id) == 24
    int(invoice_id, 16)
    assert created["status"] == "active"
    assert (created["amount_due"], created["remaining"], created["paid_from_credits"]) == (
        "593.02", "593.02", "0.00",
    )  # fmt: skip
    assert datetime.fromisoformat(created["due_at"]) == due
    assert created["payment_in_progress"] is True
    rows = await service.pool.fetch(
        "SELECT event_type, version, transaction_id, customer_id, payload FROM events"
    )
    assert [(r["event_type"], r["version"]) for r in rows] == [
        ("InvoiceIssued", 1), ("InvoiceDebitRequested", 2),
    ]  # fmt: skip
    assert rows[0]["transaction_id"] == rows[1]["transaction_id"]
    assert {r["customer_id"] for r in rows} == {customer_id}
    assert rows[1]["payload"] == {"invoice_id": invoice_id, "amount": 59302, "currency": "USD"}
    again = await service.get(customer_id, invoice_id)
    assert again.status_code == 200
    assert [h["event_type"] for h in again.json()["history"]] == [
        "InvoiceIssued", "InvoiceDebitRequested",
    ]  # fmt: skip


async def test_only_the_owner_and_operators_see_an_invoice(
    service: InvoicingService, customer_id: str
) -> None:
    invoice_id = await service.issued(customer_id, "10.00")
    other = f"{customer_id}-other"
    for headers in (service.customer(other), service.customer(other, **{"X": "1"})):
        hidden = await service.client.get(f"/v1/invoices/{invoice_id}", headers=headers)
        assert hidden.status_code == 404
    missing = await service.client.get("/v1/invoices/nope", headers=service.operator())
    assert (missing.status_code, missing.json()) == (404, hidden.json())
    seen = await service.client.get(f"/v1/invoices/{invoice_id}", headers=service.operator())
    assert seen.json()["customer_id"] == customer_id
    for path in (f"/v1/customers/{customer_id}/invoices",):
        assert (await service.client.get(path, headers=service.customer(other))).status_code == 403
    forged = await service.client.post(
        "/v1/invoices", json={"customer_id": customer_id, **VALID}, headers=service.customer(other)
    )
    assert forged.status_code == 403
    paid_by_other = await service.pay(other, invoice_id, "card")
    assert paid_by_other.status_code == 404
    voided_by_customer = await service.client.post(
        f"/v1/invoices/{invoice_id}/void", headers=service.customer(customer_id)
    )
    assert voided_by_customer.status_code == 403
    unauthenticated = await service.client.get(f"/v1/invoices/{invoice_id}")
    assert unauthenticated.status_code == 401
    operator_issued = await service.client.post(
        "/v1/invoices", json={"customer_id": customer_id, **VALID}, headers=service.operator()
    )
    assert operator_issued.status_code == 201


async def test_a_customers_invoices_are_listed_newest_first_page_by_page(
    service: InvoicingService, customer_id: str
) -> None:
    ids = [await service.issued(customer_id, f"{n}.00") for n in range(1, 6)]
    await service.issued(f"{customer_id}-other", "9.00")
    path = f"/v1/customers/{customer_id}/invoices"
    seen: list[str] = []
    cursor = None
    while True:
        params = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        page = (
            await service.client.get(path, params=params, headers=service.customer(customer_id))
        ).json()
        seen += [i["invoice_id"] for i in page["invoices"]]
        assert all("history" not in i for i in page["invoices"])
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == ids[::-1]
    first = (await service.client.get(path, headers=service.operator())).json()["invoices"][0]
    assert (first["amount_due"], first["status"]) == ("5.00", "active")
    bad = await service.client.get(path, params={"cursor": "x"}, headers=service.operator())
    assert bad.status_code == 422


async def test_an_idempotency_key_gives_the_same_invoice_and_refuses_another_body(
    service: InvoicingService, customer_id: str
) -> None:
    key = uuid.uuid4().hex
    first, second = await asyncio.gather(
        service.issue(customer_id, "12.00", key=key), service.issue(customer_id, "12.00", key=key)
    )
    assert first.status_code == second.status_code == 201
    assert first.json()["invoice_id"] == second.json()["invoice_id"]
    assert await event_count(service) == 2
    other = await service.issue(customer_id, "13.00", key=key)
    assert other.status_code == 409
    assert await event_count(service) == 2
    elsewhere = await service.issue(f"{customer_id}-2", "12.00", key=key)
    assert elsewhere.json()["invoice_id"] != first.json()["invoice_id"]


async def test_pay_and_void_answer_by_the_invoices_state(
    service: InvoicingService, customer_id: str
) -> None:
    invoice_id = await service.issued(customer_id, "10.00")
    busy = await service.pay(customer_id, invoice_id, "card")
    assert busy.status_code == 409
    assert "under way" in busy.json()["detail"]
    bad = await service.pay(customer_id, invoice_id, "credits", payment_method_id="pm_1")
    assert bad.status_code == 422
    unknown = await service.client.post("/v1/invoices/nope/void", headers=service.operator())
    assert unknown.status_code == 404
    voided = await service.void(invoice_id, reason="ordered by mistake")
    assert voided.status_code == 200, voided.text
    assert voided.json()["status"] == "void"
    again = await service.void(invoice_id)
    assert again.status_code == 200
    assert (await service.event_types(invoice_id)).count("InvoiceVoided") == 1
    closed = await service.pay(customer_id, invoice_id, "card")
    assert closed.status_code == 409
    history = (await service.get(customer_id, invoice_id)).json()["history"]
    assert history[-1]["reason"] == "ordered by mistake"
