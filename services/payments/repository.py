"""Event-store access for payments and payment profiles: load by folding, decide, append.

Domain events become store events here: public ones are checked against their
``shared.contracts`` model first, so what the relay publishes is always valid.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from services.payments.domain.events import DomainEvent
from services.payments.domain.payment import Payment, evolve_payment
from services.payments.domain.profile import Profile, evolve_profile
from shared.contracts import payload_model
from shared.database import Conn
from shared.eventstore import ConcurrencyError, EventStore, NewEvent, StoredEvent
from shared.log_context import correlation_id_for_command

S = TypeVar("S")


@dataclass(frozen=True, slots=True)
class Loaded(Generic[S]):
    """A stream's state, its version and the ids that new events refer to."""

    state: S
    version: int
    correlation_id: uuid.UUID | None
    last_event_id: uuid.UUID | None


def to_new_events(
    events: Sequence[DomainEvent],
    customer_id: str,
    correlation_id: uuid.UUID,
    causation_id: uuid.UUID | None,
) -> list[NewEvent]:
    """Turn domain events into events to append; public payloads are validated."""
    result = []
    for event in events:
        payload: dict[str, Any] = dict(event.payload)
        if event.is_public:
            payload = payload_model(event.type, 1).model_validate(payload).model_dump(mode="json")
        result.append(NewEvent(event.type, customer_id, payload, correlation_id, causation_id))
    return result


class Streams(Generic[S]):
    """One kind of stream: its id prefix, its fold and whose customer its events concern."""

    def __init__(
        self,
        store_of: Callable[[], EventStore],
        prefix: str,
        initial: Callable[[], S],
        evolve: Callable[[S, str, Mapping[str, Any]], S],
        customer_of: Callable[[str, S], str],
    ) -> None:
        self._store_of = store_of
        self._prefix = prefix
        self._initial = initial
        self._evolve = evolve
        self._customer_of = customer_of

    async def load(self, key: str, conn: Conn | None = None) -> Loaded[S]:
        """Fold the stream ``{prefix}{key}``."""
        state, version = self._initial(), 0
        correlation: uuid.UUID | None = None
        last: uuid.UUID | None = None
        for event in await self._store_of().read_stream(self._prefix + key, conn=conn):
            state = self._evolve(state, event.event_type, event.payload)
            version = event.version
            correlation = correlation or event.correlation_id
            last = event.event_id
        return Loaded(state, version, correlation, last)

    async def change(
        self,
        key: str,
        decide: Callable[[S], Sequence[DomainEvent]],
        *,
        conn: Conn | None = None,
        customer_id: str | None = None,
        correlation_id: uuid.UUID | None = None,
        causation_id: uuid.UUID | None = None,
        attempts: int = 20,
    ) -> tuple[S, list[StoredEvent]]:
        """Load, decide, append; return the new state and the stored events.

        A conflict is retried unless ``conn`` is inside a transaction (then the
        caller reruns its transaction). Domain errors from ``decide`` go up.
        """
        in_transaction = conn is not None and conn.is_in_transaction()
        for attempt in range(1, attempts + 1):
            loaded = await self.load(key, conn)
            decided = decide(loaded.state)
            if not decided:
                return loaded.state, []
            state = loaded.state
            for event in decided:
                state = self._evolve(state, event.type, event.payload)
            new = to_new_events(
                decided,
                customer_id or self._customer_of(key, state),
                correlation_id or loaded.correlation_id or correlation_id_for_command(),
                causation_id or loaded.last_event_id,
            )
            try:
                stored = await self._store_of().append(
                    self._prefix + key, new, loaded.version, conn=conn
                )
            except ConcurrencyError:
                if in_transaction or attempt == attempts:
                    raise
                continue
            return state, stored
        raise AssertionError("unreachable")


def payment_streams(store_of: Callable[[], EventStore]) -> Streams[Payment]:
    """The ``payment-{payment_id}`` streams."""
    return Streams(
        store_of, "payment-", Payment, evolve_payment, lambda _, s: s.require_order().customer_id
    )


def profile_streams(store_of: Callable[[], EventStore]) -> Streams[Profile]:
    """The ``payment-profile-{customer_id}`` streams."""
    return Streams(store_of, "payment-profile-", Profile, evolve_profile, lambda key, _: key)
