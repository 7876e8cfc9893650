"""Kafka topic names: one topic per producing service, each with a dead-letter topic."""

from __future__ import annotations

from typing import Literal

Producer = Literal["credits", "payments", "invoicing"]

CREDITS_TOPIC = "billing.credits.v1"
PAYMENTS_TOPIC = "billing.payments.v1"
INVOICING_TOPIC = "billing.invoicing.v1"

PRODUCER_TOPICS: dict[Producer, str] = {
    "credits": CREDITS_TOPIC,
    "payments": PAYMENTS_TOPIC,
    "invoicing": INVOICING_TOPIC,
}
TOPICS: tuple[str, ...] = (CREDITS_TOPIC, PAYMENTS_TOPIC, INVOICING_TOPIC)


def dlq_topic(topic: str) -> str:
    """Return the dead-letter topic of ``topic``: ``billing.credits.v1.dlq``."""
    return f"{topic}.dlq"
