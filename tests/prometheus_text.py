"""Read the Prometheus text the services expose: the series every service has, and samples.

A sample is keyed by its name and its labels (as a frozenset of pairs), so a test
can look up one series or sum those whose labels include some pairs.
"""

from __future__ import annotations

from prometheus_client.parser import text_string_to_metric_families

Labels = frozenset[tuple[str, str]]
Samples = dict[tuple[str, Labels], float]

SERIES = frozenset(
    {
        "billing_events_appended",
        "billing_outbox_lag_events",
        "billing_consumer_lag_records",
        "billing_event_handler_duration_seconds",
        "billing_dead_letters",
        "billing_stripe_call_duration_seconds",
        "billing_stripe_calls",
    }
)
"""The metric families of every service's ``/metrics`` (``shared/metrics.py``)."""


def parse(text: str) -> tuple[set[str], Samples]:
    """The family names and the samples of a Prometheus text exposition."""
    families: set[str] = set()
    samples: Samples = {}
    for family in text_string_to_metric_families(text):
        families.add(family.name)
        for sample in family.samples:
            samples[(sample.name, frozenset(sample.labels.items()))] = sample.value
    return families, samples
