"""End-to-end fixtures: the three services running as processes against the real servers."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from services.platform import SERVICE_NAMES, LocalPlatform, PlatformConfig
from shared.auth import issue_customer_token
from shared.devservers.ports import free_port
from shared.devservers.stack import DevStack
from shared.settings import DEV_CUSTOMER_TOKEN_SECRET, DEV_OPERATOR_TOKEN

from .event_counts import EventCounts


def running_platform(
    tmp_path_factory: pytest.TempPathFactory,
    dev_stack: DevStack,
    name: str,
    extra_env: dict[str, str] | None = None,
) -> Iterator[LocalPlatform]:
    """Run the services on free ports, with their own databases and topic prefix ``name``."""
    run = uuid.uuid4().hex[:8]
    config = PlatformConfig(
        database_url=dev_stack.database_url,
        kafka_bootstrap_servers=dev_stack.kafka_bootstrap_servers,
        stripe_api_base=dev_stack.stripe_api_base,
        stripe_api_key=dev_stack.stripe_api_key,
        folder=Path(tmp_path_factory.mktemp(name)),
        ports={service: free_port() for service in SERVICE_NAMES},
        database_prefix=f"{name}_{run}_",
        extra_env={"KAFKA_TOPIC_PREFIX": f"{name}-{run}.", **(extra_env or {})},
    )
    running = LocalPlatform(config)
    try:
        running.start()
        yield running
    finally:
        running.stop()


@pytest.fixture(scope="session")
def started_stack(
    dev_stack: DevStack, database_url: str, kafka_bootstrap_servers: str, stripe_api_base: str
) -> DevStack:
    """The session's stack with PostgreSQL, Kafka and localstripe all started."""
    return dev_stack


@pytest.fixture(scope="session")
def platform(
    tmp_path_factory: pytest.TempPathFactory, started_stack: DevStack
) -> Iterator[LocalPlatform]:
    """The services on free ports, with their own databases and topic prefix."""
    yield from running_platform(tmp_path_factory, started_stack, "e2e")


@pytest.fixture(scope="module")
def event_counts(platform: LocalPlatform) -> Iterator[EventCounts]:
    """Event counters of the platform's three databases, open for one test module."""
    counts = EventCounts(platform).open()
    try:
        yield counts
    finally:
        counts.close()


@pytest.fixture
def operator_headers() -> dict[str, str]:
    """Headers of an operator's request."""
    return {"Authorization": f"Bearer {DEV_OPERATOR_TOKEN}"}


def customer_headers(customer_id: str) -> dict[str, str]:
    """Headers of a request by ``customer_id`` (a signed customer token)."""
    token = issue_customer_token(DEV_CUSTOMER_TOKEN_SECRET, customer_id)
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def customer_id() -> str:
    """A customer id no other test uses."""
    return f"cus-{uuid.uuid4().hex[:12]}"
