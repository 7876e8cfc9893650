"""Test-suite wiring: real servers (PostgreSQL, Kafka, localstripe) come from our plugin."""

pytest_plugins = ["shared.testing.servers"]
