"""Serve the customer portal: ``python -m portal`` (``make run`` starts it too)."""

from __future__ import annotations

import logging
import sys

import uvicorn

from portal.app import create_app
from portal.settings import PortalSettings


def main() -> int:
    """Read the settings from the environment and serve until stopped."""
    settings = PortalSettings()
    logging.basicConfig(level=settings.log_level, format="%(asctime)s %(name)s %(message)s")
    uvicorn.run(
        create_app(settings),
        host=settings.host,
        port=settings.portal_port,
        log_level=settings.log_level.lower(),
        access_log=False,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
