"""Typed errors raised by the event store."""

from __future__ import annotations

import uuid
from collections.abc import Sequence


class EventStoreError(Exception):
    """Base class of event store errors."""


class ConcurrencyError(EventStoreError):
    """The stream is not at the expected version: nothing was written; reload and retry."""

    def __init__(self, stream_id: str, expected_version: int) -> None:
        super().__init__(f"stream {stream_id!r} is not at expected version {expected_version}")
        self.stream_id = stream_id
        self.expected_version = expected_version


class DuplicateEventError(EventStoreError):
    """An event id of the append is already stored: nothing was written."""

    def __init__(self, stream_id: str, event_ids: Sequence[uuid.UUID]) -> None:
        ids = ", ".join(str(e) for e in event_ids)
        super().__init__(f"stream {stream_id!r}: event id already stored (one of {ids})")
        self.stream_id = stream_id
        self.event_ids = tuple(event_ids)
