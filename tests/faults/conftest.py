"""Fault-suite fixtures: the services as processes on this session's own servers.

The suite runs in its own pytest session (``make test-faults``), so it may stop and
restart the session's Kafka broker, PostgreSQL and localstripe. Stripe calls time
out fast and payments retry fast, so outages resolve within the tests' timeouts.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from services.platform import LocalPlatform
from shared.devservers.stack import DevStack
from tests.e2e.conftest import running_platform, started_stack

__all__ = ["started_stack"]  # the fixture, shared with the end-to-end tests

FAST_RETRIES = {
    "STRIPE_TIMEOUT": "3",
    "PAYMENTS_RETRY_BACKOFF": "0.2",
    "PAYMENTS_RETRY_BACKOFF_MAX": "2",
    "PAYMENTS_PASS_TIMEOUT": "30",
}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        item.add_marker(pytest.mark.faults)


@pytest.fixture(scope="session")
def platform(
    tmp_path_factory: pytest.TempPathFactory, started_stack: DevStack
) -> Iterator[LocalPlatform]:
    """The services on free ports with their own databases, topic prefix and fast retries."""
    yield from running_platform(tmp_path_factory, started_stack, "faults", FAST_RETRIES)


@pytest.fixture
def say(request: pytest.FixtureRequest) -> Callable[[str], None]:
    """Print a line of the scenario's story in the test report, as it happens."""
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")

    def line(text: str) -> None:
        if reporter is not None:
            reporter.write_line(f"    [{request.node.name}] {text}")

    return line
