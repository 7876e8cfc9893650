"""What a projection is, and how its rows are compared with what the events say."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from shared.database import Conn
from shared.eventstore import StoredEvent

Key = tuple[object, ...]
"""A row's primary key values."""

Row = tuple[object, ...]
"""A row's other column values."""

Rows = Mapping[str, Mapping[Key, Row]]
"""Rows of a projection: by table, then by primary key."""


class Projection(Protocol):
    """A read model: tables fed from one service's events.

    ``ddl`` creates the tables with unqualified names, idempotently: it runs in
    the service's schema, and in a staging schema for a rebuild. ``apply`` and
    ``actual`` use unqualified names too, so they work on whichever schema comes
    first on the connection's search path.
    """

    @property
    def name(self) -> str:
        """The projection's name: its checkpoint and its lock."""
        ...

    @property
    def tables(self) -> Sequence[str]:
        """The tables ``ddl`` creates (what a rebuild swaps)."""
        ...

    @property
    def ddl(self) -> str:
        """The idempotent DDL of the tables."""
        ...

    async def apply(self, conn: Conn, events: Sequence[StoredEvent]) -> None:
        """Change the rows for a batch of events, in the caller's transaction."""
        ...

    def expected(self, events: Iterable[StoredEvent]) -> Rows:
        """The rows a fold of ``events`` (the log from its start) says there should be."""
        ...

    async def actual(self, conn: Conn) -> Rows:
        """The rows the tables hold, in the shape of ``expected``."""
        ...


@dataclass(frozen=True, slots=True)
class Difference:
    """One row where the tables and the events disagree."""

    table: str
    key: Key
    expected: Row | None
    actual: Row | None

    def __str__(self) -> str:
        if self.actual is None:
            return f"{self.table} {self.key}: missing, expected {self.expected}"
        if self.expected is None:
            return f"{self.table} {self.key}: unexpected row {self.actual}"
        return f"{self.table} {self.key}: expected {self.expected}, found {self.actual}"


def _in_order(keys: set[Key]) -> list[Key]:
    try:
        return sorted(keys)
    except TypeError:
        return sorted(keys, key=repr)


def compare(expected: Rows, actual: Rows) -> list[Difference]:
    """Every row missing, unexpected or different, table by table, in key order."""
    differences: list[Difference] = []
    for table in sorted(set(expected) | set(actual)):
        want, have = expected.get(table, {}), actual.get(table, {})
        for key in _in_order(set(want) | set(have)):
            if want.get(key) != have.get(key):
                differences.append(Difference(table, key, want.get(key), have.get(key)))
    return differences
