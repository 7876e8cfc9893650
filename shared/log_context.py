"""The ids every log line carries while a command or an event is handled (a context variable).

The HTTP layer binds the request's ``correlation_id`` for each command; the
consumer binds the incoming envelope's ``correlation_id``, ``causation_id``,
``event_id`` and ``event_type`` for each event. ``shared.logs.JsonFormatter``
adds the bound fields to every line written meanwhile, so one saga can be
followed across the services by its correlation id. Values set here never
leak to other tasks: asyncio copies the context into each new task.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from types import MappingProxyType

CORRELATION_HEADER = "X-Correlation-ID"

_EMPTY: Mapping[str, object] = MappingProxyType({})
_FIELDS: ContextVar[Mapping[str, object]] = ContextVar("billing_log_fields", default=_EMPTY)


def log_fields() -> Mapping[str, object]:
    """The fields bound in the current context (empty outside a command or an event)."""
    return _FIELDS.get()


def _merged(fields: Mapping[str, object]) -> Mapping[str, object]:
    return MappingProxyType({**_FIELDS.get(), **{k: v for k, v in fields.items() if v is not None}})


@contextmanager
def bound_log_fields(**fields: object) -> Iterator[None]:
    """Add ``fields`` (None values left out) to every log line written inside the block."""
    token = _FIELDS.set(_merged(fields))
    try:
        yield
    finally:
        _FIELDS.reset(token)


@contextmanager
def no_log_fields() -> Iterator[None]:
    """Bind nothing inside the block (start long-lived clients here: their tasks copy it)."""
    token = _FIELDS.set(_EMPTY)
    try:
        yield
    finally:
        _FIELDS.reset(token)


def bind_log_fields(**fields: object) -> None:
    """Add ``fields`` for the rest of the current task (a worker's job runs in its own task)."""
    _FIELDS.set(_merged(fields))


def current_correlation_id() -> uuid.UUID | None:
    """The correlation id bound in the current context, if any."""
    value = _FIELDS.get().get("correlation_id")
    if isinstance(value, uuid.UUID):
        return value
    return None


def correlation_id_for_command() -> uuid.UUID:
    """The correlation id a command's new events carry: the bound one, else a new one."""
    return current_correlation_id() or uuid.uuid4()


def parse_correlation_id(text: str) -> uuid.UUID:
    """An ``X-Correlation-ID`` header's value as a UUID; ValueError when it is not one."""
    cleaned = text.strip()
    if not 32 <= len(cleaned) <= 45:
        raise ValueError(f"{CORRELATION_HEADER} must be a UUID")
    try:
        return uuid.UUID(cleaned)
    except ValueError:
        raise ValueError(f"{CORRELATION_HEADER} must be a UUID") from None
