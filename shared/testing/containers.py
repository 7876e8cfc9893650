"""PostgreSQL and Kafka from testcontainers, for machines with a Docker engine.

Used by the test plugin only when ``BILLING_TESTCONTAINERS=1`` and a Docker engine answers.
Images can be overridden with ``BILLING_TC_POSTGRES_IMAGE`` and ``BILLING_TC_KAFKA_IMAGE``.
"""

from __future__ import annotations

import importlib
import os
from typing import Any


def docker_engine_answers() -> bool:
    """Whether the ``docker`` package is installed and the engine answers a ping."""
    try:
        docker: Any = importlib.import_module("docker")
        client = docker.from_env(timeout=3)
        try:
            return bool(client.ping())
        finally:
            client.close()
    except Exception:  # no package, no socket, no engine: all mean "no Docker"
        return False


def wanted() -> bool:
    return os.environ.get("BILLING_TESTCONTAINERS") == "1" and docker_engine_answers()


class ContainerServers:
    """Starts one container per service on demand and stops them all at the end."""

    def __init__(self) -> None:
        self._containers: list[Any] = []

    def start(self, service: str) -> dict[str, str]:
        """Start the container for `service`; return the settings that name it."""
        if service == "postgres":
            from testcontainers.community.postgres import PostgresContainer

            image = os.environ.get("BILLING_TC_POSTGRES_IMAGE", "postgres:18")
            pg = PostgresContainer(image, username="postgres", dbname="postgres", driver=None)
            pg.start()
            self._containers.append(pg)
            return {"DATABASE_URL": pg.get_connection_url()}
        if service == "kafka":
            from testcontainers.community.kafka import KafkaContainer

            image = os.environ.get("BILLING_TC_KAFKA_IMAGE", "confluentinc/cp-kafka:7.9.0")
            kafka = KafkaContainer(image).with_kraft()
            kafka.start()
            self._containers.append(kafka)
            return {"KAFKA_BOOTSTRAP_SERVERS": kafka.get_bootstrap_server()}
        return {}

    def stop(self) -> None:
        while self._containers:
            self._containers.pop().stop()
