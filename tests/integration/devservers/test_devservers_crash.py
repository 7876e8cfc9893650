"""A server whose owning process is kill -9'd never blocks the next start in the same folder."""

import json
import os
import select
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import asyncpg
import pytest
from aiokafka.admin import AIOKafkaAdminClient

from shared.devservers import start_kafka, start_localstripe, start_postgres
from shared.devservers.kafka_dist import project_root
from shared.devservers.process import pid_alive, wait_until
from shared.devservers.stripe import stripe_answers
from shared.devservers.syncio import run_sync

pytestmark = pytest.mark.integration

OWNER = Path(__file__).with_name("devserver_owner.py")
KEPT = "kept_between_runs"


def _spawn_owner(kind: str, folder: Path, die_with_parent: bool) -> subprocess.Popen[str]:
    env = dict(os.environ, PYTHONPATH=str(project_root()))
    return subprocess.Popen(
        [sys.executable, str(OWNER), kind, str(folder), "1" if die_with_parent else "0"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env=env,
        cwd=project_root(),
    )


def _read_report(owner: subprocess.Popen[str], timeout: float) -> dict[str, Any]:
    assert owner.stdout is not None
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        readable, _, _ = select.select([owner.stdout], [], [], 0.5)
        if readable:
            line = owner.stdout.readline()
            assert line, f"owner exited with {owner.wait()} before reporting"
            report: dict[str, Any] = json.loads(line)
            return report
    raise AssertionError(f"owner did not report within {timeout}s")


async def _kept_database_exists(dsn: str) -> bool:
    conn = await asyncpg.connect(dsn)
    try:
        return bool(await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", KEPT))
    finally:
        await conn.close()


async def _kept_topic_exists(bootstrap: str) -> bool:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        return KEPT in await admin.list_topics()
    finally:
        await admin.close()


@pytest.mark.parametrize("kind", ["postgres", "kafka", "stripe"])
@pytest.mark.parametrize(
    "die_with_parent", [True, False], ids=["dies-with-owner", "outlives-owner"]
)
def test_next_start_after_kill_9_succeeds(kind: str, die_with_parent: bool, tmp_path: Path) -> None:
    folder = tmp_path / kind
    owner = _spawn_owner(kind, folder, die_with_parent)
    try:
        report = _read_report(owner, timeout=240)
    finally:
        owner.send_signal(signal.SIGKILL)
        owner.wait(10)
    old_pid: int = report["pid"]
    try:
        if die_with_parent:
            assert wait_until(lambda: not pid_alive(old_pid), 30), "server outlived its owner"
        else:
            assert pid_alive(old_pid), "server should have outlived its owner here"

        if kind == "postgres":
            pg = start_postgres(folder)
            try:
                assert not pid_alive(old_pid)
                assert run_sync(lambda: _kept_database_exists(pg.dsn))
            finally:
                pg.stop()
        elif kind == "kafka":
            kafka = start_kafka(folder)
            try:
                assert not pid_alive(old_pid)
                assert run_sync(lambda: _kept_topic_exists(kafka.bootstrap_servers))
            finally:
                kafka.stop()
        else:
            fake = start_localstripe(folder)
            try:
                assert not pid_alive(old_pid)
                assert stripe_answers(fake.api_base)
            finally:
                fake.stop()
    finally:
        if pid_alive(old_pid):
            os.kill(old_pid, signal.SIGKILL)
