"""Kafka messaging: the outbox relay, the inbox, dead letters and consumer wiring."""
