"""The operator CLI (``billing``) run as its installed command against the running services."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import uuid
from datetime import datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import asyncpg
import httpx
import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition

from services.platform import LocalPlatform
from shared.contracts import Envelope, InvoiceDebitRequested, dlq_topic
from shared.devservers.ports import free_port
from shared.devservers.syncio import run_sync
from shared.messaging.dead_letters import dead_letter_of

from .helpers import CARD_OK, ledger, new_card, top_up, wait_for, wait_for_request
from .invoice_helpers import OPERATOR, topic_of

pytestmark = pytest.mark.e2e

BILLING = str(Path(sys.executable).with_name("billing"))


def billing_env(platform: LocalPlatform, **env: str) -> dict[str, str]:
    """The environment of ``billing`` with the platform's addresses."""
    config = platform.config
    return {
        **os.environ,
        "CREDITS_URL": platform.url("credits"),
        "PAYMENTS_URL": platform.url("payments"),
        "INVOICING_URL": platform.url("invoicing"),
        "DATABASE_URL": config.database_url,
        "DATABASE_PREFIX": config.database_prefix,
        "KAFKA_BOOTSTRAP_SERVERS": config.kafka_bootstrap_servers,
        "KAFKA_TOPIC_PREFIX": config.extra_env["KAFKA_TOPIC_PREFIX"],
        "COLUMNS": "400",
        **env,
    }


def billing(platform: LocalPlatform, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """Run ``billing`` with the platform's addresses in its environment."""
    return subprocess.run(
        [BILLING, *args], env=billing_env(platform, **env), capture_output=True, text=True,
        timeout=120, check=False,
    )  # fmt: skip


def ok(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 0, (result.returncode, result.stdout, result.stderr)
    return result.stdout


def refused(result: subprocess.CompletedProcess[str], code: int, *words: str) -> None:
    """The command failed with ``code`` and a one-line reason naming ``words``, no traceback."""
    assert result.returncode == code, (result.returncode, result.stdout, result.stderr)
    assert result.stderr.startswith("billing: error: ") or "Usage:" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    for word in words:
        assert word in result.stderr, result.stderr


def cells(output: str) -> list[list[str]]:
    """The body rows of a rich table as lists of stripped cells."""
    return [
        [cell.strip() for cell in line.split("│")[1:-1]]
        for line in output.splitlines()
        if line.startswith("│")
    ]


def grant(platform: LocalPlatform, customer_id: str, amount: str, description: str) -> None:
    response = httpx.post(
        f"{platform.url('credits')}/v1/customers/{customer_id}/credits/grants",
        json={"amount": amount, "currency": "USD", "description": description},
        headers=OPERATOR,
        timeout=10,
    )
    assert response.status_code == 201, response.text


def test_ledger_balance_as_of_and_grant(platform: LocalPlatform, customer_id: str) -> None:
    card = new_card(platform, CARD_OK)
    accepted = top_up(platform, customer_id, "100.00", "test", payment_method_id=card)
    assert accepted.status_code == 202, accepted.text
    done = wait_for_request(platform, customer_id, accepted.json()["request_id"], {"succeeded"})
    assert done["status"] == "succeeded"

    granted = ok(billing(platform, "credits", "grant", customer_id, "25.50", "goodwill"))
    assert f"Granted 25.50 USD to {customer_id}: goodwill" in granted
    assert f"Balance of {customer_id}: 125.50 USD" in granted

    output = ok(billing(platform, "credits", "ledger", customer_id))
    assert cells(output) == [
        ["2", "25.50", "goodwill", cells(output)[0][3]],
        ["1", "100", "test", cells(output)[1][3]],
    ]
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d", cells(output)[1][3])
    assert "Balance: 125.50 USD" in output
    first_page = ok(billing(platform, "credits", "ledger", customer_id, "--limit", "1"))
    assert [row[:3] for row in cells(first_page)] == [["2", "25.50", "goodwill"]]
    assert "--cursor 2" in first_page
    older = ok(billing(platform, "credits", "ledger", customer_id, "--limit", "1", "--cursor", "2"))
    assert [row[:3] for row in cells(older)] == [["1", "100", "test"]]

    entries = ledger(platform, customer_id)["entries"]
    topped_up = datetime.fromisoformat(entries[1]["created_at"])
    granted_at = datetime.fromisoformat(entries[0]["created_at"])

    def balance_at(when: datetime) -> str:
        return ok(billing(platform, "credits", "balance", customer_id, "--as-of", when.isoformat()))

    assert ": 0.00 USD" in balance_at(topped_up - timedelta(microseconds=1))
    assert ": 100.00 USD" in balance_at(topped_up)
    assert ": 100.00 USD" in balance_at(granted_at - timedelta(microseconds=1))
    assert ": 125.50 USD" in balance_at(granted_at)
    naive = topped_up.replace(tzinfo=None) - timedelta(seconds=1)
    assert ": 0.00 USD" in ok(
        billing(platform, "credits", "balance", customer_id, "--as-of", naive.isoformat())
    )
    assert ": 125.50 USD" in ok(billing(platform, "credits", "balance", customer_id))
    refused(billing(platform, "credits", "balance", customer_id, "--as-of", "yesterday"), 2,
            "--as-of", "ISO 8601")  # fmt: skip


def test_bad_input_changes_nothing(platform: LocalPlatform, customer_id: str) -> None:
    grant(platform, customer_id, "10.00", "start")
    before = wait_for(lambda: (b := ledger(platform, customer_id))["entries"] and b, what="grant")
    for amount in ("abc", "-5", "1.234", "0", "1e3"):
        refused(billing(platform, "credits", "grant", customer_id, amount, "x"), 2, "amount")
    refused(billing(platform, "credits", "grant", customer_id, "5", "x", "--currency", "EUR"), 2,
            "credits refused: 422", "currency")  # fmt: skip
    refused(billing(platform, "credits", "grant", "bad/id", "5", "x"), 2, "customer id")
    unreachable = f"http://127.0.0.1:{free_port()}"
    refused(billing(platform, "credits", "grant", customer_id, "5", "x", CREDITS_URL=unreachable),
            3, "credits does not answer")  # fmt: skip
    refused(billing(platform, "credits", "ledger", customer_id, OPERATOR_TOKEN="wrong"), 2,
            "credits refused: 401")  # fmt: skip
    refused(billing(platform, "projections", "verify", "ledger"), 2, "unknown service 'ledger'")
    refused(billing(platform, "projections", "rebuild", "payments"), 2, "payments keeps no proj")
    refused(billing(platform, "dlq", "list", "billing.nothing.v1"), 2, "no dead-letter topic")
    refused(billing(platform, "events", "tail", "--service", "stripe"), 2, "unknown service")
    assert ledger(platform, customer_id) == before


def _corrupt_balance(platform: LocalPlatform, customer_id: str) -> None:
    async def corrupt() -> None:
        conn = await asyncpg.connect(platform.env("credits")["DATABASE_URL"])
        try:
            await conn.execute(
                "UPDATE credits.balances SET balance = balance + 1 WHERE customer_id = $1",
                customer_id,
            )
        finally:
            await conn.close()

    run_sync(corrupt)


def test_projections_verify_and_rebuild(platform: LocalPlatform, customer_id: str) -> None:
    grant(platform, customer_id, "7.00", "for the projection")
    wait_for(lambda: ledger(platform, customer_id)["entries"], what="the grant's ledger entry")
    verified = ok(billing(platform, "projections", "verify", "credits"))
    assert "credits-read-models: identical to a fold of the events" in verified

    _corrupt_balance(platform, customer_id)
    try:
        differs = billing(platform, "projections", "verify", "credits")
        assert differs.returncode == 1, (differs.stdout, differs.stderr)
        assert f"balances ('{customer_id}',): expected" in differs.stdout
        assert "1 difference(s)" in differs.stdout
    finally:
        rebuilt = ok(billing(platform, "projections", "rebuild", "credits"))
    assert re.search(r"rebuilt credits-read-models: \d+ events in .* events/s", rebuilt)
    verified = ok(billing(platform, "projections", "verify", "credits"))
    assert verified.strip().endswith("identical to a fold of the events")
    assert ledger(platform, customer_id)["balance"] == "7.00"


def test_events_tail_prints_a_customers_events(platform: LocalPlatform, customer_id: str) -> None:
    grant(platform, customer_id, "3.00", "first")
    grant(platform, customer_id, "4.00", "second")
    output = ok(
        billing(platform, "events", "tail", "--customer", customer_id, "--from-beginning",
                "--limit", "2", "--timeout", "60")
    )  # fmt: skip
    lines = output.splitlines()
    assert len(lines) == 2, output
    for line, amount in zip(lines, (300, 400), strict=True):
        occurred, event_type, customer, correlation, payload = line.split("  ")
        assert (event_type, customer) == ("CreditGranted", customer_id)
        assert datetime.fromisoformat(occurred).tzinfo is not None
        assert uuid.UUID(correlation.removeprefix("correlation="))
        assert f'"amount":{amount}' in payload
    following = subprocess.Popen(
        [BILLING, "events", "tail", "--customer", customer_id, "--limit", "1", "--timeout", "60"],
        env=billing_env(platform), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    assert following.stderr is not None
    started = following.stderr.readline()
    assert re.match(r"following \d+ partition\(s\) of ", started), started
    assert started.strip().endswith("from now")
    grant(platform, customer_id, "5.00", "third")
    out, rest = following.communicate(timeout=90)
    assert following.returncode == 0, rest
    [line] = out.splitlines()
    assert "  CreditGranted  " in line
    assert '"amount":500' in line
    only_payments = billing(platform, "events", "tail", "--service", "payments", "--customer",
                            customer_id, "--from-beginning", "--timeout", "3")  # fmt: skip
    assert (only_payments.returncode, only_payments.stdout) == (0, "")


async def _produce(platform: LocalPlatform, topic: str, key: bytes, value: bytes,
                   headers: list[tuple[str, bytes]]) -> tuple[int, int]:  # fmt: skip
    producer = AIOKafkaProducer(
        bootstrap_servers=platform.config.kafka_bootstrap_servers, enable_idempotence=False
    )
    await producer.start()
    try:
        sent = await producer.send_and_wait(topic, value=value, key=key, headers=headers)
    finally:
        await producer.stop()
    return sent.partition, sent.offset


def _consumed_past(platform: LocalPlatform, topic: str, partition: int, offset: int) -> bool:
    """Whether the credits consumer group has committed past ``offset``."""

    async def committed() -> int:
        probe = AIOKafkaConsumer(
            bootstrap_servers=platform.config.kafka_bootstrap_servers,
            group_id=topic_of(platform, "credits"),
            enable_auto_commit=False,
        )
        await probe.start()
        try:
            return int(await probe.committed(TopicPartition(topic, partition)) or 0)
        finally:
            await probe.stop()

    return run_sync(committed) > offset


def _dead_lettered_debit(platform: LocalPlatform, customer_id: str, invoice_id: str) -> Envelope:
    """A valid InvoiceDebitRequested as credits would have dead-lettered it (a handler failure)."""
    envelope = Envelope.wrap(
        InvoiceDebitRequested(invoice_id=invoice_id, amount=1234, currency="USD"),
        customer_id=customer_id,
        correlation_id=uuid.uuid4(),
    )
    record = SimpleNamespace(
        topic=topic_of(platform, "billing.invoicing.v1"), partition=0, offset=0,
        key=customer_id.encode(), value=envelope.to_json_bytes(),
        headers=[(k, v.encode()) for k, v in envelope.headers().items()],
    )  # fmt: skip
    letter = dead_letter_of(record, "credits", "handler_failed", "OSError: database went away")
    run_sync(lambda: _produce(platform, letter.topic, letter.key, letter.value, letter.headers))
    return envelope


def test_dlq_list_and_replay(platform: LocalPlatform, customer_id: str) -> None:
    grant(platform, customer_id, "100.00", "float")
    topic = topic_of(platform, "billing.invoicing.v1")
    poison = b'{"event_type": "InvoiceDebitRequested", "oops'
    run_sync(lambda: _produce(platform, topic, customer_id.encode(), poison, []))

    def poison_rows() -> list[list[str]]:
        listed = ok(billing(platform, "dlq", "list", "billing.invoicing.v1"))
        return [r for r in cells(listed) if r[5] == customer_id and r[2] == "not_json"]

    [first, *_] = wait_for(poison_rows, 60, "the poison record in the dead-letter topic")
    assert first[4] == "-"  # no readable event id
    assert first[7].startswith(f"{topic}[")

    invoice_id = f"inv-{uuid.uuid4().hex[:12]}"
    envelope = _dead_lettered_debit(platform, customer_id, invoice_id)
    event_id = str(envelope.event_id)
    listed = ok(billing(platform, "dlq", "list", f"{topic}.dlq"))
    [row] = [r for r in cells(listed) if r[4] == event_id]
    assert (row[2], row[3], row[5], row[6]) == (
        "handler_failed", "OSError: database went away", customer_id, "credits",
    )  # fmt: skip

    debits = f"Debited to invoice {invoice_id}"
    for attempt in (1, 2):
        replayed = ok(billing(platform, "dlq", "replay", "invoicing", event_id))
        assert f"(event {event_id}, handler_failed) to {topic}[" in replayed
        assert "1 record(s) replayed" in replayed
        [(partition, offset)] = re.findall(rf"to {re.escape(topic)}\[(\d+)\]@(\d+)", replayed)
        wait_for(
            lambda p=int(partition), o=int(offset): _consumed_past(platform, topic, p, o),
            60,
            f"credits to consume replay {attempt}",
        )
        book = ledger(platform, customer_id)
        assert [e["amount"] for e in book["entries"] if e["description"] == debits] == ["-12.34"]
        assert book["balance"] == "87.66"
    output = ok(billing(platform, "credits", "ledger", customer_id))
    assert cells(output)[0][:3] == ["2", "-12.34", debits]

    poison_at = f"{first[0]}:{first[1]}"
    again = ok(billing(platform, "dlq", "replay", dlq_topic(topic), poison_at))
    assert "(event -, not_json)" in again

    def replayed_poison() -> list[list[str]]:
        listed = ok(billing(platform, "dlq", "list", "invoicing"))
        origin = f"replay of {dlq_topic(topic)}:{first[0]}:{first[1]}"
        return [r for r in cells(listed) if r[2] == "not_json" and origin in r[7]]

    wait_for(replayed_poison, 60, "the replayed poison record back in the dead-letter topic")
    refused(billing(platform, "dlq", "replay", "invoicing", str(uuid.uuid4())), 2, "no dead letter")
    assert ledger(platform, customer_id)["balance"] == "87.66"


def test_outbox_status_shows_no_lag_once_published(
    platform: LocalPlatform, customer_id: str
) -> None:
    grant(platform, customer_id, "1.00", "for the relay")

    def caught_up() -> Any:
        rows = {r[0]: r for r in cells(ok(billing(platform, "outbox", "status")))}
        services = ("credits", "payments", "invoicing")
        return rows if all(rows.get(s, ["?"])[-1] == "0" for s in services) else None

    rows = wait_for(caught_up, 60, "every relay to publish what is stored")
    credits = rows["credits"]
    assert int(credits[1]) >= 1
    assert int(credits[5]) >= int(credits[1])
