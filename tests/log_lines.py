"""Capture a logger's records as the JSON lines ``shared.logs`` writes, for tests to read.

Each record is formatted when it is written, so the fields bound in its context
(correlation id, event ids) are in its line.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from shared.logs import JsonFormatter


class JsonLines(logging.Handler):
    """Formats each record where it is written (in its context) and keeps the JSON."""

    def __init__(self) -> None:
        super().__init__()
        self.setFormatter(JsonFormatter())
        self.lines: list[dict[str, Any]] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(json.loads(self.format(record)))


@contextmanager
def json_lines(logger_name: str) -> Iterator[JsonLines]:
    """Keep the JSON line of every INFO (and above) record of ``logger_name`` meanwhile."""
    handler = JsonLines()
    logger = logging.getLogger(logger_name)
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        yield handler
    finally:
        logger.removeHandler(handler)
