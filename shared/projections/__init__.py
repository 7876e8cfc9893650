"""Read models fed from a service's own event store: the runner, rebuild and verify.

A service describes a read model as a :class:`Projection` (its tables, its DDL,
how a batch of events changes the rows, and which rows a fold of the events
expects). :class:`ProjectionRunner` keeps the tables current with the
checkpoint in the same transaction as the rows; :func:`rebuild` replays the
store into fresh tables and swaps them in; :func:`verify` compares the tables
with a fold of the events.
"""

from shared.projections.base import Difference, Key, Projection, Row, Rows, compare
from shared.projections.rebuild import RebuildReport, rebuild
from shared.projections.runner import ProjectionRunner
from shared.projections.schema import PROJECTIONS_DDL
from shared.projections.verify import verify

__all__ = [
    "PROJECTIONS_DDL",
    "Difference",
    "Key",
    "Projection",
    "ProjectionRunner",
    "RebuildReport",
    "Row",
    "Rows",
    "compare",
    "rebuild",
    "verify",
]
