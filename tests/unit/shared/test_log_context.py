"""The log context: bound ids reach every JSON line written meanwhile, and only those."""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Iterator

import pytest

from shared.log_context import (
    bind_log_fields,
    bound_log_fields,
    correlation_id_for_command,
    current_correlation_id,
    log_fields,
    no_log_fields,
    parse_correlation_id,
)
from tests.log_lines import JsonLines, json_lines


@pytest.fixture
def lines() -> Iterator[JsonLines]:
    with json_lines("test.log_context") as lines:
        yield lines


log = logging.getLogger("test.log_context")


def test_lines_inside_a_binding_carry_the_ids_and_lines_after_it_do_not(lines: JsonLines) -> None:
    correlation, causation, event = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    with bound_log_fields(correlation_id=correlation, causation_id=causation):
        with bound_log_fields(event_id=event, event_type="CreditRequested"):
            log.info("handled CreditRequested")
        log.info("still in the command")
    log.info("outside")
    inner, outer, outside = lines.lines
    assert inner["message"] == "handled CreditRequested"
    assert (inner["correlation_id"], inner["causation_id"]) == (str(correlation), str(causation))
    assert (inner["event_id"], inner["event_type"]) == (str(event), "CreditRequested")
    assert outer["correlation_id"] == str(correlation)
    assert "event_id" not in outer
    assert "correlation_id" not in outside
    assert log_fields() == {}


def test_none_values_are_left_out_and_extra_fields_win(lines: JsonLines) -> None:
    correlation = uuid.uuid4()
    with bound_log_fields(correlation_id=correlation, causation_id=None):
        log.info("first", extra={"event_type": "X"})
        log.info("second", extra={"correlation_id": "explicit"})
    first, second = lines.lines
    assert "causation_id" not in first
    assert first["event_type"] == "X"
    assert second["correlation_id"] == "explicit"


async def test_concurrent_tasks_keep_their_own_ids(lines: JsonLines) -> None:
    ids = [uuid.uuid4() for _ in range(5)]
    all_bound = asyncio.Barrier(len(ids))

    async def handle(correlation: uuid.UUID) -> None:
        with bound_log_fields(correlation_id=correlation):
            await all_bound.wait()  # every task has bound its id before any logs
            log.info("handled", extra={"expected": str(correlation)})

    await asyncio.gather(*(handle(i) for i in ids))
    assert sorted(str(line["correlation_id"]) for line in lines.lines) == sorted(map(str, ids))
    assert all(line["correlation_id"] == line["expected"] for line in lines.lines)


async def test_a_task_binding_stays_in_its_task_and_no_log_fields_clears(
    lines: JsonLines,
) -> None:
    correlation = uuid.uuid4()

    async def job() -> None:
        bind_log_fields(correlation_id=correlation, payment_id="pay_1")
        log.info("in the job")
        with no_log_fields():
            log.info("cleared")

    await asyncio.create_task(job())
    log.info("after the job")
    in_job, cleared, after = lines.lines
    assert (in_job["correlation_id"], in_job["payment_id"]) == (str(correlation), "pay_1")
    assert "correlation_id" not in cleared
    assert "correlation_id" not in after


def test_a_command_takes_the_bound_correlation_id_or_a_new_one() -> None:
    assert current_correlation_id() is None
    fresh = {correlation_id_for_command() for _ in range(3)}
    assert len(fresh) == 3
    bound = uuid.uuid4()
    with bound_log_fields(correlation_id=bound):
        assert current_correlation_id() == bound
        assert correlation_id_for_command() == bound
    with bound_log_fields(correlation_id="not a uuid"):
        assert current_correlation_id() is None


@pytest.mark.parametrize(
    "text",
    ["4f6c2b9e-5d1a-4c3e-9b7a-2e8f1d0c6a55", " 4F6C2B9E5D1A4C3E9B7A2E8F1D0C6A55 "],
)
def test_a_correlation_header_must_be_a_uuid(text: str) -> None:
    assert parse_correlation_id(text) == uuid.UUID("4f6c2b9e-5d1a-4c3e-9b7a-2e8f1d0c6a55")


@pytest.mark.parametrize("text", ["", "abc", "4f6c2b9e-5d1a-4c3e-9b7a", "x" * 36, "1" * 500])
def test_other_correlation_headers_are_refused(text: str) -> None:
    with pytest.raises(ValueError, match="X-Correlation-ID must be a UUID"):
        parse_correlation_id(text)
