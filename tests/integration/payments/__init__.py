"""Integration tests of the payments service (real PostgreSQL, Kafka and localstripe)."""
