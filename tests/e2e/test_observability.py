"""Metrics and logs across the running services: one top-up and one invoice, followed by id.

Each service's ``/metrics`` is scraped before and after a top-up: the named
series exist and move (events appended, Stripe calls, handler latency), and the
lags fall back to zero. The top-up's correlation id, returned by credits in
``X-Correlation-ID``, is then found in the credits and payments logs; an
invoice whose remainder goes to the card carries the id its request gave in
all three services' logs.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from services.platform import SERVICE_NAMES, LocalPlatform
from tests.prometheus_text import SERIES, parse

from .conftest import customer_headers
from .helpers import CARD_OK, new_card, top_up, wait_for, wait_for_request

pytestmark = pytest.mark.e2e


class Scrape:
    """One scrape of a service's ``/metrics``: its series and samples."""

    def __init__(self, platform: LocalPlatform, service: str) -> None:
        response = httpx.get(f"{platform.url(service)}/metrics", timeout=10)
        assert response.status_code == 200, response.text
        assert response.headers["content-type"].startswith("text/plain")
        self.service = service
        self.families, self.samples = parse(response.text)

    def total(self, name: str, **labels: str) -> float:
        """The sum of the samples of ``name`` whose labels include ``labels``."""
        wanted = set(labels.items())
        return sum(v for (n, ls), v in self.samples.items() if n == name and wanted <= ls)

    def has(self, name: str, **labels: str) -> bool:
        wanted = set(labels.items())
        return any(n == name and wanted <= ls for (n, ls) in self.samples)


def scrape_all(platform: LocalPlatform) -> dict[str, Scrape]:
    return {service: Scrape(platform, service) for service in SERVICE_NAMES}


def log_lines(platform: LocalPlatform, service: str) -> list[dict[str, Any]]:
    """The JSON lines of a service's log (anything else in it is skipped)."""
    path = Path(platform.config.folder) / "logs" / f"{service}.log"
    lines = []
    for text in path.read_text(errors="replace").splitlines():
        try:
            line = json.loads(text)
        except ValueError:
            continue
        if isinstance(line, dict):
            lines.append(line)
    return lines


def logged(
    platform: LocalPlatform, service: str, correlation_id: str, message: Callable[[str], bool]
) -> list[dict[str, Any]]:
    """Lines of ``service`` with the correlation id whose message matches (waits for one)."""

    def found() -> list[dict[str, Any]]:
        return [
            line
            for line in log_lines(platform, service)
            if line.get("correlation_id") == correlation_id and message(str(line["message"]))
        ]

    lines: list[dict[str, Any]] = wait_for(
        found, timeout=30, what=f"{service} to log {correlation_id}"
    )
    return lines


def moved(before: Scrape, after: Scrape, name: str, **labels: str) -> float:
    return after.total(name, **labels) - before.total(name, **labels)


def test_a_top_up_moves_the_metrics_and_its_correlation_id_reaches_the_logs(
    platform: LocalPlatform, customer_id: str
) -> None:
    before = scrape_all(platform)
    for scrape in before.values():
        assert scrape.families >= SERIES, (scrape.service, SERIES - scrape.families)
        assert scrape.has("billing_outbox_lag_events", service=scrape.service)
    card = new_card(platform, CARD_OK)
    response = top_up(
        platform, customer_id, "40.00", "observed",
        payment_method_id=card, save_card=True, set_default=True,
    )  # fmt: skip
    assert response.status_code == 202, response.text
    correlation_id = response.headers["X-Correlation-ID"]
    assert uuid.UUID(correlation_id)
    done = wait_for_request(platform, customer_id, response.json()["request_id"], {"succeeded"})
    assert done["status"] == "succeeded"

    after = scrape_all(platform)
    credits, payments = (
        (before["credits"], after["credits"]),
        (before["payments"], after["payments"]),
    )
    appended = "billing_events_appended_total"
    assert moved(*credits, appended, service="credits", event_type="CreditRequested") >= 1
    assert moved(*credits, appended, service="credits", event_type="CreditAdded") >= 1
    assert moved(*payments, appended, service="payments", event_type="PaymentScheduled") >= 1
    assert moved(*payments, appended, service="payments", event_type="PaymentCaptured") >= 1
    create = {"service": "payments", "operation": "payment_intents.create"}
    assert moved(*payments, "billing_stripe_calls_total", **create, outcome="succeeded") >= 1
    assert moved(*payments, "billing_stripe_call_duration_seconds_count", **create) >= 1
    handled = "billing_event_handler_duration_seconds_count"
    assert moved(*payments, handled, service="payments", event_type="CreditRequested") >= 1
    assert moved(*credits, handled, service="credits", event_type="PaymentCaptured") >= 1

    def lags_gone() -> dict[str, Scrape] | None:
        scrapes = scrape_all(platform)
        for scrape in scrapes.values():
            if scrape.total("billing_outbox_lag_events") != 0:
                return None
            if scrape.total("billing_consumer_lag_records") != 0:
                return None
        return scrapes

    settled = wait_for(lags_gone, timeout=30, what="outbox and consumer lags back to 0")
    assert settled["payments"].has("billing_consumer_lag_records", service="payments")

    [command] = logged(
        platform, "credits", correlation_id, lambda m: m.startswith("command POST") and "202" in m
    )
    assert command["status"] == 202
    assert customer_id in command["path"]
    added = logged(
        platform, "credits", correlation_id, lambda m: m.endswith("handled PaymentCaptured")
    )
    assert added[0]["event_type"] == "PaymentCaptured"
    assert added[0]["causation_id"]
    scheduled = logged(
        platform, "payments", correlation_id, lambda m: m.endswith("handled CreditRequested")
    )
    assert scheduled[0]["event_id"]
    assert scheduled[0]["level"] == "INFO"
    assert logged(platform, "payments", correlation_id, lambda m: m.endswith(": charge"))


def test_an_invoice_paid_by_credits_and_card_is_followed_by_its_id_in_every_service(
    platform: LocalPlatform, customer_id: str
) -> None:
    card = new_card(platform, CARD_OK)
    paid = top_up(
        platform, customer_id, "20.00", "before the invoice",
        payment_method_id=card, save_card=True, set_default=True,
    )  # fmt: skip
    wait_for_request(platform, customer_id, paid.json()["request_id"], {"succeeded"})
    correlation_id = str(uuid.uuid4())
    headers = {**customer_headers(customer_id), "X-Correlation-ID": correlation_id}
    body = {"customer_id": customer_id, "currency": "USD",
            "lines": [{"description": "Licence renewal", "amount": "47.76"}]}  # fmt: skip
    issued = httpx.post(
        f"{platform.url('invoicing')}/v1/invoices", json=body, headers=headers, timeout=10
    )
    assert issued.status_code == 201, issued.text
    assert issued.headers["X-Correlation-ID"] == correlation_id
    invoice_id = issued.json()["invoice_id"]

    def invoice_paid() -> dict[str, Any] | None:
        response = httpx.get(
            f"{platform.url('invoicing')}/v1/invoices/{invoice_id}",
            headers=customer_headers(customer_id), timeout=10,
        )  # fmt: skip
        invoice: dict[str, Any] = response.json()
        return invoice if invoice["status"] == "paid" else None

    invoice = wait_for(invoice_paid, timeout=60, what=f"invoice {invoice_id} paid")
    assert (invoice["paid_from_credits"], invoice["paid_by_card"]) == ("20.00", "27.76")

    logged(
        platform, "invoicing", correlation_id, lambda m: m.startswith("command POST /v1/invoices")
    )
    logged(platform, "invoicing", correlation_id, lambda m: m.endswith("handled PaymentCaptured"))
    logged(
        platform, "credits", correlation_id, lambda m: m.endswith("handled InvoiceDebitRequested")
    )
    logged(
        platform,
        "payments",
        correlation_id,
        lambda m: m.endswith("handled InvoicePaymentRequested"),
    )
    refused = httpx.post(
        f"{platform.url('invoicing')}/v1/invoices", json=body,
        headers={**customer_headers(customer_id), "X-Correlation-ID": "not-a-uuid"}, timeout=10,
    )  # fmt: skip
    assert refused.status_code == 422, refused.text
