"""How the portal writes amounts and times.

The Credits table writes a whole amount without its decimals (``100``, ``-20``) and
any other amount as the service gave it (``-47.76``); balances keep their decimals
(``100.00``). Times are written in UTC to the minute (``2024-07-21 03:40``).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

_WHOLE = re.compile(r"^(-?[0-9]+)\.0+$")


def table_amount(amount: str) -> str:
    """A decimal string as the Credits table writes it: ``"100.00"`` → ``"100"``."""
    whole = _WHOLE.fullmatch(amount)
    return whole.group(1) if whole else amount


def created(moment: str | datetime) -> str:
    """An ISO 8601 timestamp as ``YYYY-MM-DD HH:MM`` in UTC."""
    value = datetime.fromisoformat(moment) if isinstance(moment, str) else moment
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M")
