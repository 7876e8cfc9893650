"""The entry point every service shares: JSON logs, GC tuning, uvicorn on the configured port."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import uvicorn
from fastapi import FastAPI

from shared.logs import configure_logging
from shared.settings import ServiceSettings
from shared.tuning import tune_gc

Settings = TypeVar("Settings", bound=ServiceSettings)


def serve(create_app: Callable[[Settings], FastAPI], settings: Settings) -> None:
    """Serve a service's HTTP API and its Kafka work until stopped."""
    configure_logging(settings.log_level)
    tune_gc()
    uvicorn.run(create_app(settings), host=settings.host, port=settings.port, log_config=None)
