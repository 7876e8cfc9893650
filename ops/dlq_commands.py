"""``billing dlq``: list a topic's dead letters and replay them to the topic they came from.

A replayed record is the dead letter's key, value and original headers (without
the ``dlq-*`` ones), published to its ``dlq-original-topic`` with a
``replayed-from`` header naming the dead letter. Every consumer of that topic
reads it again: one that handled the event before finds its id in its inbox and
changes nothing, one that refused it handles it now (after a fix) or dead-letters
it again. So a replay has its effect at most once, however often it is run.
"""

from __future__ import annotations

import asyncio
from typing import Annotated

import typer
from rich.table import Table
from rich.text import Text

from shared.contracts import dlq_topic
from shared.messaging.dead_letters import DETAIL_HEADER, REASON_HEADER

from .config import OpsConfig
from .errors import InputError
from .kafka_reading import (
    KAFKA_ERRORS,
    Message,
    kafka_unavailable,
    producer,
    read_all,
    topic_partitions,
)
from .output import out

app = typer.Typer(
    help="List a topic's dead letters (<topic>.dlq) and replay them to the topic they came from.",
    no_args_is_help=True,
)

ORIGINAL_TOPIC_HEADER = "dlq-original-topic"
REPLAYED_FROM_HEADER = "replayed-from"
DETAIL_CHARS = 80

Topic = Annotated[
    str,
    typer.Argument(
        metavar="TOPIC",
        help="A topic (billing.credits.v1), its dead-letter topic (billing.credits.v1.dlq) "
        "or a service name (credits); KAFKA_TOPIC_PREFIX is added when missing.",
    ),
]


def _topic(config: OpsConfig, name: str, existing: set[str]) -> str:
    """The full name of the (non-dead-letter) topic ``name`` designates."""
    topic = name.removesuffix(".dlq")
    if topic in config.topics():
        topic = config.topic(topic)
    elif not topic.startswith(config.kafka_topic_prefix):
        topic = config.kafka_topic_prefix + topic
    if dlq_topic(topic) not in existing:
        prefix = config.kafka_topic_prefix
        known = sorted(t for t in existing if t.startswith(prefix) and t.endswith(".dlq"))
        raise InputError(
            f"no dead-letter topic {dlq_topic(topic)!r} on this Kafka cluster; "
            f"dead-letter topics: {', '.join(known) or 'none'}"
        )
    return topic


async def _dead_letters(config: OpsConfig, name: str) -> tuple[str, list[Message]]:
    topic = _topic(config, name, set(await topic_partitions(config)))
    return topic, await read_all(config, dlq_topic(topic))


def _origin(message: Message) -> str:
    where = [message.header(f"dlq-original-{part}") for part in ("topic", "partition", "offset")]
    return "{}[{}]@{}".format(*where) if all(where) else "?"


def _short(text: str | None) -> str:
    text = text or ""
    return text if len(text) <= DETAIL_CHARS else text[: DETAIL_CHARS - 3] + "..."


@app.command(name="list")
def list_command(topic: Topic) -> None:
    """List the dead letters of TOPIC: partition, offset, reason, detail, event id, origin."""
    config = OpsConfig.from_env()
    full, messages = asyncio.run(_dead_letters(config, topic))
    table = Table(title=f"{dlq_topic(full)}: {len(messages)} record(s)", title_justify="left")
    for column in ("partition", "offset", "dlq-reason", "dlq-detail", "event id", "key"):
        table.add_column(column)
    table.add_column("consumer")
    table.add_column("origin")
    for m in messages:
        replayed = m.header(REPLAYED_FROM_HEADER)
        cells = [
            str(m.partition),
            str(m.offset),
            m.header(REASON_HEADER) or "?",
            _short(m.header(DETAIL_HEADER)),
            m.event_id() or "-",
            (m.key or b"").decode(errors="replace"),
            m.header("dlq-consumer") or "?",
            _origin(m) + (f" (replay of {replayed})" if replayed else ""),
        ]
        table.add_row(*(Text(cell) for cell in cells))
    out.print(table)


def _matches(message: Message, wanted: str) -> bool:
    if message.event_id() == wanted:
        return True
    partition, colon, offset = wanted.rpartition(":")
    if not offset.isdigit() or int(offset) != message.offset:
        return False
    return not colon or partition == str(message.partition)


def _chosen(messages: list[Message], wanted: str | None) -> list[Message]:
    """The dead letters to replay: the one(s) named, or every original one once."""
    if wanted is not None:
        found = [m for m in messages if _matches(m, wanted)]
        if not found:
            raise InputError(f"no dead letter with event id or offset {wanted!r}")
        if len({(m.event_id(), _origin(m)) for m in found}) > 1:
            raise InputError(
                f"{wanted!r} names dead letters in several partitions: use PARTITION:OFFSET"
            )
        return found[:1]
    chosen: dict[str, Message] = {}
    for m in messages:
        if m.header(REPLAYED_FROM_HEADER) is None:
            chosen.setdefault(m.event_id() or _origin(m), m)
    return list(chosen.values())


async def _replay(
    config: OpsConfig, topic: str, wanted: str | None
) -> list[tuple[Message, str, int, int]]:
    full, messages = await _dead_letters(config, topic)
    done = []
    async with producer(config) as sender:
        for m in _chosen(messages, wanted):
            target = m.header(ORIGINAL_TOPIC_HEADER) or full
            headers = [(k, v) for k, v in m.headers if not k.startswith("dlq-")]
            headers = [(k, v) for k, v in headers if k != REPLAYED_FROM_HEADER]
            headers.append((REPLAYED_FROM_HEADER, f"{m.topic}:{m.partition}:{m.offset}".encode()))
            try:
                sent = await sender.send_and_wait(target, value=m.value, key=m.key, headers=headers)
            except KAFKA_ERRORS as error:
                raise kafka_unavailable(config, error) from None
            done.append((m, target, sent.partition, sent.offset))
    return done


@app.command()
def replay(
    topic: Topic,
    event: Annotated[
        str | None,
        typer.Argument(
            metavar="ID",
            help="An event id, or the dead letter's OFFSET or PARTITION:OFFSET; "
            "without it, every dead letter (each event once; not earlier replays).",
        ),
    ] = None,
) -> None:
    """Publish dead letters again to the topic they came from, after a fix.

    Safe to run twice: consumers store each handled event id in their inbox in the
    same transaction as its effects, so an event already applied changes nothing,
    and a record still refused goes back to the dead-letter topic. Replays carry a
    replayed-from header; a replay of all skips dead letters that came from a replay
    (name them by offset to replay them).
    """
    config = OpsConfig.from_env()
    done = asyncio.run(_replay(config, topic, event))
    for m, target, partition, offset in done:
        out.print(
            f"replayed {m.topic}[{m.partition}]@{m.offset} (event {m.event_id() or '-'}, "
            f"{m.header(REASON_HEADER) or '?'}) to {target}[{partition}]@{offset}",
            markup=False,
        )
    out.print(f"{len(done)} record(s) replayed")
