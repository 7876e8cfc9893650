"""Pytest plugin: real servers for the test session, started lazily, and a database per test.

Load it with ``pytest_plugins = ["shared.testing.servers"]`` in the top-level conftest.
Fixtures: ``dev_stack`` (a `DevStack` in a session temp folder, nothing started yet),
``database_url`` (server-level DSN), ``kafka_bootstrap_servers``, ``stripe_api_base``
(each starts its server on first use) and ``fresh_database_url`` (a new, empty database for
one test, dropped afterwards). Settings in the environment (``DATABASE_URL``...) win, and
with ``BILLING_TESTCONTAINERS=1`` and a Docker engine, PostgreSQL and Kafka run in
containers instead.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator

import pytest

from shared.devservers.postgres import create_database, drop_database
from shared.devservers.stack import DevStack, Service
from shared.testing import containers


class _Servers:
    """The session's `DevStack` plus, when enabled, its containers."""

    def __init__(self, stack: DevStack) -> None:
        self.stack = stack
        self.containers = containers.ContainerServers() if containers.wanted() else None

    def ensure(self, service: Service) -> DevStack:
        if getattr(self.stack, service) is None:
            if self.containers is not None and service not in self.stack.env:
                self.stack.env.update(self.containers.start(service))
            self.stack.start([service])
        return self.stack

    def close(self) -> None:
        try:
            self.stack.stop()
        finally:
            if self.containers is not None:
                self.containers.stop()


@pytest.fixture(scope="session")
def _dev_servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[_Servers]:
    servers = _Servers(DevStack(tmp_path_factory.mktemp("devstack")))
    yield servers
    servers.close()


@pytest.fixture(scope="session")
def dev_stack(_dev_servers: _Servers) -> DevStack:
    """The session's stack; the server fixtures below start what they need in it."""
    return _dev_servers.stack


@pytest.fixture(scope="session")
def database_url(_dev_servers: _Servers) -> str:
    """Server-level PostgreSQL DSN (database ``postgres``)."""
    return _dev_servers.ensure("postgres").database_url


@pytest.fixture(scope="session")
def kafka_bootstrap_servers(_dev_servers: _Servers) -> str:
    return _dev_servers.ensure("kafka").kafka_bootstrap_servers


@pytest.fixture(scope="session")
def stripe_api_base(_dev_servers: _Servers) -> str:
    return _dev_servers.ensure("stripe").stripe_api_base


def _database_name(test_name: str) -> str:
    stem = re.sub(r"[^a-z0-9]+", "_", test_name.lower()).strip("_")[:40]
    return f"t_{stem}_{uuid.uuid4().hex[:10]}"


@pytest.fixture
def fresh_database_url(database_url: str, request: pytest.FixtureRequest) -> Iterator[str]:
    """DSN of a brand-new database for this test (dropped, connections and all, afterwards)."""
    name = _database_name(request.node.name)
    yield create_database(database_url, name)
    drop_database(database_url, name)
