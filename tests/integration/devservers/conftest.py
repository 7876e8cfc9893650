"""Load the server fixtures here too when the top-level conftest has not loaded them."""

import pytest


def pytest_configure(config: pytest.Config) -> None:
    if not config.pluginmanager.has_plugin("shared.testing.servers"):
        config.pluginmanager.import_plugin("shared.testing.servers")
