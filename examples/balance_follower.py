"""Follow every customer's credit balance from ``billing.credits.v1``, the safe way.

An example for teams that consume the billing events. It keeps, in a small SQLite
file, each customer's balance in integer minor units and the ids of the events it
has handled:

- its own consumer group (``--group-id``), so it never takes records from another
  consumer;
- each record's effect and its ``event_id`` are stored in one SQLite transaction,
  and the Kafka offsets are committed only after that: a crash in between makes
  Kafka deliver the records again, and their ids, already stored, make them no-ops;
- one customer's events arrive in order (the message key is the customer id);
- envelopes are read with ``shared.contracts`` only; event types it does not know
  are skipped (new ones may appear at any time), while a message it cannot read (an
  unknown schema version, an invalid payload) is set aside in the file, not applied;
- it sends nothing back.

    python examples/balance_follower.py --bootstrap-servers 127.0.0.1:9092 \\
        --group-id my-team-balances --state balances.sqlite3 --until-idle 5

It prints a JSON summary at the end: what it applied, skipped and set aside, and
every balance it follows.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sqlite3
import sys
import time
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from aiokafka import AIOKafkaConsumer, ConsumerRecord

from shared.contracts import (
    CREDITS_TOPIC,
    ContractError,
    CreditAdded,
    CreditGranted,
    CreditRestored,
    CreditReversed,
    EventPayload,
    InvoiceDebited,
    decode_message,
)

RAISE_BALANCE = (CreditAdded, CreditGranted, CreditRestored)
LOWER_BALANCE = (InvoiceDebited, CreditReversed)
"""The events that move a balance (architecture.md, invariant 1); the others leave it."""


def balance_change(payload: EventPayload) -> tuple[int, str] | None:
    """How much an event moves its customer's balance (minor units, currency), if at all."""
    if isinstance(payload, RAISE_BALANCE):
        return payload.amount, payload.currency
    if isinstance(payload, LOWER_BALANCE):
        return -payload.amount, payload.currency
    return None


SCHEMA = """
CREATE TABLE IF NOT EXISTS balances (
    customer_id TEXT NOT NULL,
    currency    TEXT NOT NULL,
    minor       INTEGER NOT NULL,
    PRIMARY KEY (customer_id, currency)
);
CREATE TABLE IF NOT EXISTS processed_events (event_id TEXT PRIMARY KEY);
CREATE TABLE IF NOT EXISTS set_aside (
    topic TEXT NOT NULL, partition INTEGER NOT NULL, "offset" INTEGER NOT NULL,
    reason TEXT NOT NULL, value BLOB,
    PRIMARY KEY (topic, partition, "offset")
);
"""


class BalanceBook:
    """Balances and handled event ids in one SQLite file, changed together or not at all."""

    def __init__(self, path: Path) -> None:
        self.db = sqlite3.connect(path, isolation_level=None)  # transactions are explicit
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.executescript(SCHEMA)
        self.counts = {"applied": 0, "duplicates": 0, "ignored": 0, "set_aside": 0}

    def handle(self, record: ConsumerRecord[bytes, bytes]) -> None:
        """Apply one record, in one transaction with the id of its event."""
        try:
            envelope, payload = decode_message(record.value or b"")
        except ContractError as error:
            if error.reason == "unknown_event_type":
                self.counts["ignored"] += 1  # a type newer than this program: not ours
            else:
                self._set_aside(record, str(error))
            return
        change = balance_change(payload)
        if change is None:
            self.counts["ignored"] += 1  # CreditRequested, InvoiceDebitDeclined...
            return
        amount, currency = change
        self.db.execute("BEGIN IMMEDIATE")
        try:
            seen = self.db.execute(
                "INSERT OR IGNORE INTO processed_events (event_id) VALUES (?)",
                (str(envelope.event_id),),
            )
            if seen.rowcount == 0:
                self.db.execute("ROLLBACK")
                self.counts["duplicates"] += 1
                return
            self.db.execute(
                """INSERT INTO balances (customer_id, currency, minor) VALUES (?, ?, ?)
                   ON CONFLICT (customer_id, currency)
                   DO UPDATE SET minor = minor + excluded.minor""",
                (envelope.customer_id, currency, amount),
            )
            self.db.execute("COMMIT")
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.counts["applied"] += 1

    def _set_aside(self, record: ConsumerRecord[bytes, bytes], reason: str) -> None:
        self.db.execute(
            """INSERT OR IGNORE INTO set_aside (topic, partition, "offset", reason, value)
               VALUES (?, ?, ?, ?, ?)""",
            (record.topic, record.partition, record.offset, reason, record.value),
        )
        self.counts["set_aside"] += 1

    def balances(self) -> dict[str, dict[str, int]]:
        """Every balance followed, in minor units: ``{customer_id: {currency: minor}}``."""
        result: dict[str, dict[str, int]] = {}
        rows = self.db.execute(
            "SELECT customer_id, currency, minor FROM balances ORDER BY customer_id, currency"
        )
        for customer_id, currency, minor in rows:
            result.setdefault(customer_id, {})[currency] = minor
        return result

    def close(self) -> None:
        self.db.close()


async def caught_up(consumer: AIOKafkaConsumer) -> bool:
    """Whether the consumer has partitions and has read each of them to its end."""
    assigned = consumer.assignment()
    if not assigned:
        return False
    ends = await consumer.end_offsets(list(assigned))
    for partition in assigned:
        if await consumer.position(partition) < ends[partition]:
            return False
    return True


async def follow(
    bootstrap_servers: str,
    topic: str,
    group_id: str,
    book: BalanceBook,
    until_idle: float | None = None,
) -> None:
    """Consume ``topic`` into ``book``; with ``until_idle``, stop once caught up and quiet."""
    consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers=bootstrap_servers,
        group_id=group_id,
        enable_auto_commit=False,  # offsets are committed after the effect, below
        auto_offset_reset="earliest",  # a new group reads the topic from its start
    )
    await consumer.start()
    try:
        last_record = time.monotonic()
        while True:
            batches = await consumer.getmany(timeout_ms=500, max_records=500)
            for partition, records in batches.items():
                for record in records:
                    book.handle(record)
                await consumer.commit({partition: records[-1].offset + 1})
            if batches:
                last_record = time.monotonic()
                continue
            quiet = until_idle is not None and time.monotonic() - last_record >= until_idle
            if quiet and await caught_up(consumer):
                return
    finally:
        await consumer.stop()


def parse_arguments(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--bootstrap-servers",
        default=os.environ.get("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:9092"),
        help="Kafka bootstrap servers (default: $KAFKA_BOOTSTRAP_SERVERS or 127.0.0.1:9092)",
    )
    parser.add_argument("--topic", default=CREDITS_TOPIC, help="default: %(default)s")
    parser.add_argument(
        "--topic-prefix",
        default=os.environ.get("KAFKA_TOPIC_PREFIX", ""),
        help="put before the topic, as the platform's KAFKA_TOPIC_PREFIX (default: none)",
    )
    parser.add_argument("--group-id", default="balance-follower", help="default: %(default)s")
    parser.add_argument(
        "--state", type=Path, default=Path("balances.sqlite3"), help="default: %(default)s"
    )
    parser.add_argument(
        "--until-idle",
        type=float,
        metavar="SECONDS",
        help="stop once every partition is read to its end and nothing came for SECONDS",
    )
    return parser.parse_args(argv)


def summary(book: BalanceBook, topic: str) -> dict[str, Any]:
    return {"topic": topic, **book.counts, "balances": book.balances()}


def main(argv: Iterable[str] | None = None) -> int:
    arguments = parse_arguments(None if argv is None else list(argv))
    topic = arguments.topic_prefix + arguments.topic
    book = BalanceBook(arguments.state)
    try:
        asyncio.run(
            follow(
                arguments.bootstrap_servers,
                topic,
                arguments.group_id,
                book,
                arguments.until_idle,
            )
        )
    except KeyboardInterrupt:
        pass  # what was handled is stored, and its offsets committed
    finally:
        print(json.dumps(summary(book, topic), indent=2, sort_keys=True))
        book.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
