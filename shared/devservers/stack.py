"""`DevStack`: PostgreSQL, Kafka and Stripe for local runs, tests and benchmarks.

Each server named in the environment (``DATABASE_URL``, ``KAFKA_BOOTSTRAP_SERVERS``,
``STRIPE_API_BASE``) is used as it is; the others are started with their data under
``base_dir`` (``postgres/``, ``kafka/``, ``stripe/``). With ``fixed_ports`` the usual
local ports are taken when free (PostgreSQL 5432, Kafka 9092, Stripe 8420), otherwise any
free port. Servers are launched one after the other from the calling thread (their
parent-death signal is tied to it) and then awaited together.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from types import TracebackType
from typing import Literal, Protocol

from shared.devservers.kafka import KafkaServer, external_kafka
from shared.devservers.postgres import PostgresServer, external_postgres
from shared.devservers.stripe import DEFAULT_API_KEY, StripeServer, external_stripe

_log = logging.getLogger(__name__)

Service = Literal["postgres", "kafka", "stripe"]
ALL_SERVICES: tuple[Service, ...] = ("postgres", "kafka", "stripe")
DEFAULT_PORTS: dict[Service, int] = {"postgres": 5432, "kafka": 9092, "stripe": 8420}


class _Server(Protocol):
    def launch(self) -> None: ...
    def wait_ready(self, timeout: float = ...) -> None: ...
    def stop(self) -> None: ...


class DevStack:
    """Whichever of PostgreSQL, Kafka and Stripe the environment does not provide."""

    def __init__(
        self,
        base_dir: Path,
        *,
        fixed_ports: bool = False,
        env: Mapping[str, str] | None = None,
        postgres_settings: Mapping[str, str | int] | None = None,
        kafka_cache_dir: Path | None = None,
        stripe_api_key: str | None = None,
        timeout: float = 180.0,
    ) -> None:
        self.base_dir = Path(base_dir).resolve()
        self.fixed_ports = fixed_ports
        self.env = dict(os.environ if env is None else env)
        self.postgres_settings = dict(postgres_settings or {})
        self.kafka_cache_dir = kafka_cache_dir
        self._stripe_api_key = stripe_api_key or self.env.get("STRIPE_API_KEY") or DEFAULT_API_KEY
        self.timeout = timeout
        self.postgres: PostgresServer | None = None
        self.kafka: KafkaServer | None = None
        self.stripe: StripeServer | None = None

    def _port(self, service: Service) -> int | None:
        return DEFAULT_PORTS[service] if self.fixed_ports else None

    def _make(self, service: Service) -> PostgresServer | KafkaServer | StripeServer:
        folder = self.base_dir / service
        if service == "postgres":
            return external_postgres(self.env) or PostgresServer(
                folder, port=self._port(service), settings=self.postgres_settings
            )
        if service == "kafka":
            return external_kafka(self.env) or KafkaServer(
                folder, port=self._port(service), cache_dir=self.kafka_cache_dir
            )
        return external_stripe(self.env) or StripeServer(folder, port=self._port(service))

    def start(self, services: Iterable[Service] | None = None) -> DevStack:
        """Start the given services (default: all) that are not running yet."""
        wanted = [s for s in (services or ALL_SERVICES) if getattr(self, s) is None]
        self.base_dir.mkdir(parents=True, exist_ok=True)
        launched: list[tuple[Service, _Server]] = []
        try:
            for service in wanted:
                made = self._make(service)
                made.launch()
                launched.append((service, made))
            for service, ready in launched:
                ready.wait_ready(self.timeout)
                setattr(self, service, ready)
        except BaseException:
            for service, failed in reversed(launched):
                failed.stop()
                setattr(self, service, None)
            raise
        return self

    def stop(self) -> None:
        """Stop every server this stack started (external ones are left alone)."""
        for service in reversed(ALL_SERVICES):
            server: _Server | None = getattr(self, service)
            if server is not None:
                try:
                    server.stop()
                except Exception:
                    _log.exception("stopping %s failed", service)
                setattr(self, service, None)

    def __enter__(self) -> DevStack:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def _require(self, service: Service) -> PostgresServer | KafkaServer | StripeServer:
        server: PostgresServer | KafkaServer | StripeServer | None = getattr(self, service)
        if server is None:
            raise RuntimeError(f"{service} is not started: call DevStack.start([{service!r}])")
        return server

    @property
    def database_url(self) -> str:
        """Server-level PostgreSQL DSN (database ``postgres``)."""
        server = self._require("postgres")
        assert isinstance(server, PostgresServer)
        return server.dsn

    @property
    def kafka_bootstrap_servers(self) -> str:
        server = self._require("kafka")
        assert isinstance(server, KafkaServer)
        return server.bootstrap_servers

    @property
    def stripe_api_base(self) -> str:
        server = self._require("stripe")
        assert isinstance(server, StripeServer)
        return server.api_base

    @property
    def stripe_api_key(self) -> str:
        return self._stripe_api_key

    def environ(self) -> dict[str, str]:
        """The settings of the started services as environment variables."""
        env: dict[str, str] = {}
        if self.postgres is not None:
            env["DATABASE_URL"] = self.database_url
        if self.kafka is not None:
            env["KAFKA_BOOTSTRAP_SERVERS"] = self.kafka_bootstrap_servers
        if self.stripe is not None:
            env["STRIPE_API_BASE"] = self.stripe_api_base
            env["STRIPE_API_KEY"] = self.stripe_api_key
        return env
