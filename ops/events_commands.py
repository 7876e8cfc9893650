"""``billing events tail``: print the services' events from Kafka as they arrive."""

from __future__ import annotations

import asyncio
import json
from contextlib import aclosing
from typing import Annotated, Any

import typer

from .config import OpsConfig, check_service
from .kafka_reading import Message, follow
from .output import err, out

app = typer.Typer(
    help="Read the services' events from Kafka (no consumer group: nothing is committed).",
    no_args_is_help=True,
)

PAYLOAD_CHARS = 100


def _short(payload: Any) -> str:
    text = json.dumps(payload, separators=(",", ":"), ensure_ascii=False)
    return text if len(text) <= PAYLOAD_CHARS else text[: PAYLOAD_CHARS - 3] + "..."


def line(message: Message) -> str:
    """One event as a line: occurred_at, event_type, customer_id, correlation_id, payload."""
    envelope = message.envelope()
    if envelope is None:
        where = f"{message.topic}[{message.partition}]@{message.offset}"
        return f"{where}  (not a JSON envelope: {(message.value or b'')[:60]!r})"
    return "  ".join(
        [
            str(envelope.get("occurred_at", "?")),
            str(envelope.get("event_type", "?")),
            str(envelope.get("customer_id", "?")),
            f"correlation={envelope.get('correlation_id', '?')}",
            _short(envelope.get("payload")),
        ]
    )


def _concerns(message: Message, customer: str | None) -> bool:
    if customer is None:
        return True
    envelope = message.envelope() or {}
    return envelope.get("customer_id") == customer or message.key == customer.encode()


async def _tail(
    config: OpsConfig,
    topics: list[str],
    customer: str | None,
    limit: int | None,
    from_beginning: bool,
) -> int:
    printed = 0
    async with aclosing(follow(config, topics, from_beginning=from_beginning)) as messages:
        async for message in messages:
            if not _concerns(message, customer):
                continue
            out.print(line(message), markup=False, soft_wrap=True)
            printed += 1
            if limit is not None and printed >= limit:
                break
    return printed


async def _tail_for(seconds: float | None, *args: Any) -> None:
    if seconds is None:
        await _tail(*args)
        return
    try:
        await asyncio.wait_for(_tail(*args), seconds)
    except TimeoutError:
        err.print(f"stopped after {seconds:g} s")


@app.command()
def tail(
    service: Annotated[
        str | None,
        typer.Option(help="Only this service's topic: credits, payments or invoicing."),
    ] = None,
    customer: Annotated[str | None, typer.Option(help="Only this customer's events.")] = None,
    from_beginning: Annotated[
        bool, typer.Option("--from-beginning", help="Start at the oldest record, not at now.")
    ] = False,
    limit: Annotated[
        int | None, typer.Option(min=1, help="Stop after printing this many events.")
    ] = None,
    timeout: Annotated[
        float | None, typer.Option(min=0.1, help="Stop after this many seconds.")
    ] = None,
) -> None:
    """Print events (occurred_at, event_type, customer_id, correlation_id, payload).

    Reads every service's topic (with KAFKA_TOPIC_PREFIX), or one with --service, and
    follows until Ctrl-C, --limit events or --timeout seconds. It joins no consumer
    group and commits nothing, so the services' consumers are not affected.
    """
    config = OpsConfig.from_env()
    topics = [config.topic(check_service(service))] if service else list(config.topics().values())
    asyncio.run(_tail_for(timeout, config, topics, customer, limit, from_beginning))
