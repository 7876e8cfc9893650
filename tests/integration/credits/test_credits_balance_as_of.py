"""The balance as of an instant is a fold of the event store, whatever the read models hold."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from .conftest import CreditsService
from .helpers import balance_as_of, two_grants

pytestmark = pytest.mark.integration


async def test_the_balance_as_of_an_instant_ignores_corrupted_read_models(
    service: CreditsService, customer_id: str
) -> None:
    first, second = await two_grants(service, customer_id)
    await service.pool.execute(
        "UPDATE ledger_entries SET balance_after = 999999, created_at = created_at - interval "
        "'1 day' WHERE customer_id = $1",
        customer_id,
    )
    await service.pool.execute("DELETE FROM balances WHERE customer_id = $1", customer_id)

    async def as_of(at: datetime) -> tuple[object, object, object]:
        body = await balance_as_of(service, customer_id, at)
        return body["balance"], body["currency"], body["version"]

    assert await as_of(first - timedelta(microseconds=1)) == ("0.00", "USD", 0)
    assert await as_of(first) == ("10.00", "USD", 1)
    assert await as_of(second - timedelta(microseconds=1)) == ("10.00", "USD", 1)
    assert await as_of(second) == ("15.00", "USD", 2)
    assert await as_of(second + timedelta(days=365)) == ("15.00", "USD", 2)
    unknown = await service.get("cus-nobody", "/balance", as_of=second.isoformat())
    assert (unknown.status_code, unknown.json()["balance"]) == (200, "0.00")
