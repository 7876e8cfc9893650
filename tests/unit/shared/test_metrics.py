"""The service metrics: one registry per service, every series named, labelled and moving."""

from __future__ import annotations

from shared.metrics import ServiceMetrics
from tests.prometheus_text import SERIES, parse


def value(metrics: ServiceMetrics, name: str, **labels: str) -> float | None:
    return metrics.registry.get_sample_value(name, {"service": metrics.service, **labels})


def test_two_apps_of_one_service_in_one_process_keep_separate_figures() -> None:
    first, second = ServiceMetrics("credits"), ServiceMetrics("credits")
    first.count_appended("CreditRequested")
    assert value(first, "billing_events_appended_total", event_type="CreditRequested") == 1
    assert value(second, "billing_events_appended_total", event_type="CreditRequested") is None


def test_appended_events_are_counted_by_type() -> None:
    metrics = ServiceMetrics("credits")
    for event_type in ["CreditRequested", "CreditAdded", "CreditAdded", "CreditAdded"]:
        metrics.count_appended(event_type)
    assert value(metrics, "billing_events_appended_total", event_type="CreditAdded") == 3
    assert value(metrics, "billing_events_appended_total", event_type="CreditRequested") == 1


def test_handler_latency_stripe_calls_and_dead_letters_are_recorded() -> None:
    metrics = ServiceMetrics("payments")
    metrics.observe_handled("CreditRequested", 0.02)
    metrics.observe_handled("CreditRequested", 3.0)
    metrics.observe_stripe_call("payment_intents.create", "succeeded", 0.1)
    metrics.observe_stripe_call("payment_intents.create", "declined", 0.2)
    metrics.count_dead_letter("billing.credits.v1", "invalid_json")
    handled = {"event_type": "CreditRequested"}
    assert value(metrics, "billing_event_handler_duration_seconds_count", **handled) == 2
    assert value(metrics, "billing_event_handler_duration_seconds_sum", **handled) == 3.02
    assert (
        value(metrics, "billing_event_handler_duration_seconds_bucket", **handled, le="0.025") == 1
    )
    create = {"operation": "payment_intents.create"}
    assert value(metrics, "billing_stripe_calls_total", **create, outcome="declined") == 1
    assert value(metrics, "billing_stripe_calls_total", **create, outcome="succeeded") == 1
    assert value(metrics, "billing_stripe_call_duration_seconds_count", **create) == 2
    dead = {"topic": "billing.credits.v1", "reason": "invalid_json"}
    assert value(metrics, "billing_dead_letters_total", **dead) == 1


def test_lag_gauges_show_the_last_measure_only() -> None:
    metrics = ServiceMetrics("credits")
    metrics.set_outbox_lag(4)
    metrics.set_consumer_lag("g", {("t", 0): 2, ("t", 1): 0})
    assert value(metrics, "billing_outbox_lag_events") == 4
    assert value(metrics, "billing_consumer_lag_records", group="g", topic="t", partition="0") == 2
    metrics.set_outbox_lag(0)
    metrics.set_consumer_lag("g", {("t", 1): 5})
    assert value(metrics, "billing_outbox_lag_events") == 0
    assert (
        value(metrics, "billing_consumer_lag_records", group="g", topic="t", partition="0") is None
    )
    assert value(metrics, "billing_consumer_lag_records", group="g", topic="t", partition="1") == 5
    metrics.set_outbox_lag(None)
    metrics.set_consumer_lag("g", None)
    assert value(metrics, "billing_outbox_lag_events") is None
    assert (
        value(metrics, "billing_consumer_lag_records", group="g", topic="t", partition="1") is None
    )


def test_the_exposition_is_prometheus_text_with_every_series() -> None:
    metrics = ServiceMetrics("invoicing")
    metrics.count_appended("InvoiceIssued")
    metrics.set_outbox_lag(1)
    text = metrics.exposition().decode()
    names, _ = parse(text)
    assert names == SERIES
    assert 'billing_events_appended_total{event_type="InvoiceIssued",service="invoicing"} 1.0' in (
        text
    )
