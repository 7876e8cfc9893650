"""Where the operator CLI finds the services, their databases and Kafka: environment only.

Defaults are those of ``make run``: the HTTP APIs on 127.0.0.1:8001/8002/8003, the
development operator token, Kafka on 127.0.0.1:9092 and the embedded PostgreSQL
server whose socket lives under ``.data/postgres``. A service's database is
``<SERVICE>_DATABASE_URL`` when set, else the server of ``DATABASE_URL`` with the
database ``<DATABASE_PREFIX><service>``, as ``services/platform.py`` creates it.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from services.platform import DEFAULT_PORTS, SERVICE_NAMES
from shared.contracts import PRODUCER_TOPICS
from shared.devservers.postgres import PostgresServer, database_dsn
from shared.settings import DEV_OPERATOR_TOKEN

from .errors import InputError

MAKE_RUN_POSTGRES_PORT = 5432
MAKE_RUN_KAFKA = "127.0.0.1:9092"

ENVIRONMENT_VARIABLES = (
    "CREDITS_URL",
    "PAYMENTS_URL",
    "INVOICING_URL",
    "OPERATOR_TOKEN",
    "KAFKA_BOOTSTRAP_SERVERS",
    "KAFKA_TOPIC_PREFIX",
    "DATABASE_URL",
    "DATABASE_PREFIX",
    "CREDITS_DATABASE_URL",
    "PAYMENTS_DATABASE_URL",
    "INVOICING_DATABASE_URL",
)


def _make_run_database_url(data: Path) -> str:
    """The server-level DSN ``make run`` gives its embedded PostgreSQL under ``data``."""
    return PostgresServer(data / "postgres", port=MAKE_RUN_POSTGRES_PORT).dsn


@dataclass(frozen=True, slots=True)
class OpsConfig:
    """Everything a command may reach, read once from the environment."""

    service_urls: Mapping[str, str]
    operator_token: str
    kafka_bootstrap_servers: str
    kafka_topic_prefix: str
    database_urls: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> OpsConfig:
        """Read the configuration from ``env`` (the process environment by default)."""
        env = os.environ if env is None else env
        server = env.get("DATABASE_URL") or _make_run_database_url(Path(".data"))
        prefix = env.get("DATABASE_PREFIX", "")
        return cls(
            service_urls={
                name: env.get(f"{name.upper()}_URL", f"http://127.0.0.1:{port}").rstrip("/")
                for name, port in DEFAULT_PORTS.items()
            },
            operator_token=env.get("OPERATOR_TOKEN", DEV_OPERATOR_TOKEN),
            kafka_bootstrap_servers=env.get("KAFKA_BOOTSTRAP_SERVERS", MAKE_RUN_KAFKA),
            kafka_topic_prefix=env.get("KAFKA_TOPIC_PREFIX", ""),
            database_urls={
                name: env.get(f"{name.upper()}_DATABASE_URL")
                or database_dsn(server, f"{prefix}{name}")
                for name in SERVICE_NAMES
            },
        )

    def url(self, service: str) -> str:
        """The base URL of a service's HTTP API."""
        return self.service_urls[check_service(service)]

    def database_url(self, service: str) -> str:
        """The DSN of a service's own database."""
        return self.database_urls[check_service(service)]

    def topic(self, service: str) -> str:
        """The Kafka topic a service publishes on, with the configured prefix."""
        topics = {str(name): topic for name, topic in PRODUCER_TOPICS.items()}
        return self.kafka_topic_prefix + topics[check_service(service)]

    def topics(self) -> dict[str, str]:
        """Every service's topic, by service."""
        return {name: self.topic(name) for name in SERVICE_NAMES}


def check_service(name: str) -> str:
    """``name`` when it names a service; else a clear error."""
    if name not in SERVICE_NAMES:
        raise InputError(f"unknown service {name!r}: expected one of {', '.join(SERVICE_NAMES)}")
    return name
