"""The HTTP correlation id: taken from the header or new, bound for the request, returned."""

from __future__ import annotations

import logging
import uuid
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest
from fastapi import FastAPI, HTTPException

from shared.log_context import correlation_id_for_command
from shared.request_context import CorrelationIdMiddleware
from tests.log_lines import JsonLines, json_lines


@pytest.fixture
def lines() -> Iterator[JsonLines]:
    with json_lines("shared.http") as lines:
        yield lines


def app() -> FastAPI:
    api = FastAPI()
    api.add_middleware(CorrelationIdMiddleware)

    @api.post("/v1/commands", status_code=202)
    async def command() -> dict[str, str]:
        logging.getLogger("shared.http").info("inside the command")
        return {"correlation_id": str(correlation_id_for_command())}

    @api.delete("/v1/commands")
    async def refused() -> None:
        raise HTTPException(409, "already done")

    @api.get("/v1/things")
    async def read() -> dict[str, str]:
        return {"correlation_id": str(correlation_id_for_command())}

    return api


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app())
    async with httpx.AsyncClient(transport=transport, base_url="http://service") as client:
        yield client


async def test_a_command_gets_a_new_id_used_by_its_events_logs_and_response(
    client: httpx.AsyncClient, lines: JsonLines
) -> None:
    response = await client.post("/v1/commands")
    assert response.status_code == 202
    given = response.headers["X-Correlation-ID"]
    assert uuid.UUID(given)
    assert response.json() == {"correlation_id": given}
    inside, command = lines.lines
    assert inside["correlation_id"] == given
    assert command["message"] == "command POST /v1/commands accepted (202)"
    assert (command["correlation_id"], command["status"]) == (given, 202)


async def test_a_valid_header_is_kept_and_each_request_has_its_own_id(
    client: httpx.AsyncClient,
) -> None:
    mine = str(uuid.uuid4())
    kept = await client.post("/v1/commands", headers={"X-Correlation-ID": mine.upper()})
    assert kept.headers["X-Correlation-ID"] == mine
    assert kept.json()["correlation_id"] == mine
    first = (await client.get("/v1/things")).headers["X-Correlation-ID"]
    second = (await client.get("/v1/things")).headers["X-Correlation-ID"]
    assert len({first, second, mine}) == 3


async def test_a_header_that_is_not_a_uuid_is_refused_before_the_command_runs(
    client: httpx.AsyncClient, lines: JsonLines
) -> None:
    response = await client.post("/v1/commands", headers={"X-Correlation-ID": "not-a-uuid"})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["header", "X-Correlation-ID"]
    assert "X-Correlation-ID must be a UUID" in response.text
    assert lines.lines == []


async def test_reads_are_not_logged_as_commands(
    client: httpx.AsyncClient, lines: JsonLines
) -> None:
    assert (await client.get("/v1/things")).status_code == 200
    assert lines.lines == []


async def test_a_refused_command_is_logged_as_refused_with_its_status(
    client: httpx.AsyncClient, lines: JsonLines
) -> None:
    response = await client.delete("/v1/commands")
    assert response.status_code == 409
    [line] = lines.lines
    assert line["message"] == "command DELETE /v1/commands refused (409)"
    assert line["correlation_id"] == response.headers["X-Correlation-ID"]
