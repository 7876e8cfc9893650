"""Prometheus metrics of one service: every series defined once, on the service's own registry.

Each :class:`ServiceMetrics` has its own ``CollectorRegistry``, so several apps
built in one process (tests do that) never clash on a series name, and one
app's ``/metrics`` shows only its own figures. Every series carries a
``service`` label. Counters and histograms move where the work happens (the
event store's append, the consumer, the Stripe gateway); the lag gauges are
set just before each scrape (see ``ServiceRuntime.refresh_metrics``).
"""

from __future__ import annotations

from collections.abc import Iterator

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    disable_created_metrics,
)
from prometheus_client.core import CounterMetricFamily, Metric
from prometheus_client.exposition import CONTENT_TYPE_LATEST, generate_latest
from prometheus_client.registry import Collector

__all__ = ["CONTENT_TYPE_LATEST", "ServiceMetrics"]

HANDLER_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
STRIPE_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 20.0, 30.0)

disable_created_metrics()  # type: ignore[no-untyped-call]  # no ``*_created`` series


class _AppendedEvents(Collector):
    """``billing_events_appended``: plain integers per event type, read at each scrape.

    The event store's append is the hot path: a dictionary increment costs a
    fraction of a prometheus ``Counter`` child's locked increment.
    """

    def __init__(self, service: str) -> None:
        self.service = service
        self.counts: dict[str, int] = {}

    def collect(self) -> Iterator[Metric]:
        family = CounterMetricFamily(
            "billing_events_appended",
            "Events appended to the service's event store.",
            labels=["service", "event_type"],
        )
        for event_type, count in sorted(self.counts.items()):
            family.add_metric([self.service, event_type], count)
        yield family


class ServiceMetrics:
    """The series of one service, on a registry of its own."""

    def __init__(self, service: str) -> None:
        self.service = service
        self.registry = CollectorRegistry()
        registry = self.registry
        self._appended = _AppendedEvents(service)
        registry.register(self._appended)
        self.outbox_lag = Gauge(
            "billing_outbox_lag_events",
            "Events stored but not yet passed by the outbox relay (measured at scrape).",
            ["service"],
            registry=registry,
        )
        self.consumer_lag = Gauge(
            "billing_consumer_lag_records",
            "Records of a consumed partition not yet committed by the service's consumer group "
            "(measured at scrape).",
            ["service", "group", "topic", "partition"],
            registry=registry,
        )
        self.handler_seconds = Histogram(
            "billing_event_handler_duration_seconds",
            "Time to handle one consumed event, its inbox transaction included.",
            ["service", "event_type"],
            buckets=HANDLER_BUCKETS,
            registry=registry,
        )
        self.dead_letters = Counter(
            "billing_dead_letters",
            "Consumed records sent to the dead-letter topic, by original topic and reason.",
            ["service", "topic", "reason"],
            registry=registry,
        )
        self.stripe_seconds = Histogram(
            "billing_stripe_call_duration_seconds",
            "Duration of calls to the Stripe API.",
            ["service", "operation"],
            buckets=STRIPE_BUCKETS,
            registry=registry,
        )
        self.stripe_calls = Counter(
            "billing_stripe_calls",
            "Calls to the Stripe API by operation and outcome "
            "(succeeded, declined, rejected, unavailable, error).",
            ["service", "operation", "outcome"],
            registry=registry,
        )

    def count_appended(self, event_type: str) -> None:
        """Count one appended event of ``event_type`` (kept cheap: the append is hot)."""
        counts = self._appended.counts
        counts[event_type] = counts.get(event_type, 0) + 1

    def observe_handled(self, event_type: str, seconds: float) -> None:
        """Record the handling time of one consumed event."""
        self.handler_seconds.labels(self.service, event_type).observe(seconds)

    def count_dead_letter(self, topic: str, reason: str) -> None:
        """Count a record sent to the dead-letter topic of ``topic``."""
        self.dead_letters.labels(self.service, topic, reason).inc()

    def observe_stripe_call(self, operation: str, outcome: str, seconds: float) -> None:
        """Record one Stripe call's duration and outcome."""
        self.stripe_seconds.labels(self.service, operation).observe(seconds)
        self.stripe_calls.labels(self.service, operation, outcome).inc()

    def set_outbox_lag(self, events: int | None) -> None:
        """Set the outbox lag; None (not measurable now) removes the series."""
        if events is None:
            self.outbox_lag.clear()
        else:
            self.outbox_lag.labels(self.service).set(events)

    def set_consumer_lag(self, group: str, lags: dict[tuple[str, int], int] | None) -> None:
        """Replace the consumer lag series by ``lags`` per (topic, partition); None clears them."""
        self.consumer_lag.clear()
        for (topic, partition), lag in sorted((lags or {}).items()):
            self.consumer_lag.labels(self.service, group, topic, str(partition)).set(lag)

    def exposition(self) -> bytes:
        """The registry in the Prometheus text format."""
        return generate_latest(self.registry)
