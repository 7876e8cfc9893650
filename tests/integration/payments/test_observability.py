"""Payments' metrics and log ids on a declined charge: Stripe outcome, handler time, lags."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest

from shared.contracts import CreditRequested
from tests.log_lines import JsonLines, json_lines
from tests.prometheus_text import Samples, parse

from .conftest import CARD_DECLINED_ON_CHARGE, Harness, wait_until

pytestmark = [pytest.mark.integration, pytest.mark.filterwarnings("ignore:Use 'content=")]


def top_up(payment_method_id: str) -> CreditRequested:
    return CreditRequested(
        request_id=uuid.uuid4().hex, amount=2500, currency="USD", description="observed",
        payment_method_id=payment_method_id,
    )  # fmt: skip


@pytest.fixture
def worker_lines() -> Iterator[JsonLines]:
    with json_lines("services.payments.worker") as lines:
        yield lines


async def scrape(payments: Harness) -> Samples:
    response = await payments.http.get("/metrics")
    assert response.status_code == 200, response.text
    _, samples = parse(response.text)
    return samples


def value(samples: Samples, name: str, **labels: str) -> float | None:
    return samples.get((name, frozenset({"service": "payments", **labels}.items())))


async def test_a_declined_charge_is_counted_timed_and_logged_with_the_request_ids(
    payments: Harness, customer_id: str, worker_lines: JsonLines
) -> None:
    request = await payments.publish(
        top_up(payments.new_card(CARD_DECLINED_ON_CHARGE)), customer_id
    )
    [failed] = await payments.published.wait_for(customer_id, "PaymentFailed")
    assert failed.correlation_id == request.correlation_id
    samples = await scrape(payments)
    create = {"operation": "payment_intents.create"}
    assert value(samples, "billing_stripe_calls_total", **create, outcome="declined") == 1
    assert value(samples, "billing_stripe_calls_total", **create, outcome="succeeded") is None
    assert value(samples, "billing_stripe_call_duration_seconds_count", **create) == 1
    attach = {"operation": "payment_methods.attach", "outcome": "succeeded"}
    assert value(samples, "billing_stripe_calls_total", **attach) == 1
    for event_type in ("PaymentScheduled", "ChargeAttempted", "PaymentFailed"):
        assert value(samples, "billing_events_appended_total", event_type=event_type) == 1
    handled = {"event_type": "CreditRequested"}
    assert value(samples, "billing_event_handler_duration_seconds_count", **handled) == 1

    async def caught_up() -> bool:
        now = await scrape(payments)
        lags = [v for (name, _), v in now.items() if name == "billing_consumer_lag_records"]
        return value(now, "billing_outbox_lag_events") == 0 and bool(lags) and sum(lags) == 0

    await wait_until(caught_up, what="outbox and consumer lags at 0")
    [charge] = [line for line in worker_lines.lines if line["message"].endswith(": charge")]
    assert charge["correlation_id"] == str(request.correlation_id)
    assert charge["payment_id"] == failed.payload["payment_id"]
