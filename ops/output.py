"""How the operator CLI writes: rich consoles for results and errors, amounts and times."""

from __future__ import annotations

from datetime import UTC, datetime

from rich.console import Console

out = Console(highlight=False, soft_wrap=False)
"""Results go to stdout."""

err = Console(stderr=True, highlight=False, soft_wrap=True)
"""Errors and progress go to stderr."""


def amount(decimal: str) -> str:
    """An amount as the portal shows it: ``"100.00"`` → ``100``; ``"-47.76"`` stays."""
    whole, dot, decimals = decimal.partition(".")
    if dot and decimals.strip("0") == "":
        return whole
    return decimal


def minute(value: str | datetime) -> str:
    """A time as ``YYYY-MM-DD HH:MM`` in UTC (an ISO 8601 string or an aware datetime)."""
    when = datetime.fromisoformat(value) if isinstance(value, str) else value
    return when.astimezone(UTC).strftime("%Y-%m-%d %H:%M")


def parse_time(text: str, option: str) -> datetime:
    """An ISO 8601 time; one without a zone is taken as UTC. A bad time is a clear error."""
    from .errors import InputError

    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        raise InputError(
            f"{option}: {text!r} is not an ISO 8601 time (e.g. 2026-11-27T12:00:00Z)"
        ) from None
    return when if when.tzinfo is not None else when.replace(tzinfo=UTC)
