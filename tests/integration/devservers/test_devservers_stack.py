"""DevStack and ``python -m shared.devservers``: environment settings win; the CLI stops cleanly."""

import os
import queue
import signal
import subprocess
import sys
import threading
from pathlib import Path

import asyncpg
import pytest

from shared.devservers import DevStack
from shared.devservers.kafka_dist import project_root
from shared.devservers.process import pid_alive, read_pid_file
from shared.devservers.stripe import stripe_answers
from shared.devservers.syncio import run_sync

pytestmark = pytest.mark.integration


def test_settings_from_the_environment_start_nothing(tmp_path: Path, database_url: str) -> None:
    env = {
        "DATABASE_URL": database_url,
        "KAFKA_BOOTSTRAP_SERVERS": "127.0.0.1:1",
        "STRIPE_API_BASE": "http://127.0.0.1:1/",
        "STRIPE_API_KEY": "sk_test_from_env",
    }
    with DevStack(tmp_path / "stack", env=env) as stack:
        assert stack.database_url == database_url
        assert stack.kafka_bootstrap_servers == "127.0.0.1:1"
        assert stack.stripe_api_base == "http://127.0.0.1:1"
        assert stack.stripe_api_key == "sk_test_from_env"
        assert stack.postgres is not None
        assert stack.postgres.process is None
        assert stack.environ()["DATABASE_URL"] == database_url
    assert list((tmp_path / "stack").iterdir()) == []


def test_unstarted_service_is_reported(tmp_path: Path) -> None:
    stack = DevStack(tmp_path)
    with pytest.raises(RuntimeError, match="postgres is not started"):
        _ = stack.database_url


async def _connects(dsn: str) -> bool:
    conn = await asyncpg.connect(dsn)
    try:
        return bool(await conn.fetchval("SELECT true"))
    finally:
        await conn.close()


def test_cli_prints_settings_and_stops_on_sigterm(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "STRIPE_API_BASE")}
    env["PYTHONPATH"] = str(project_root())
    cli = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "shared.devservers",
            "--base-dir",
            str(tmp_path),
            "--free-ports",
            "--only",
            "postgres,stripe",
        ],
        stdout=subprocess.PIPE,
        text=True,
        env=env,
    )
    stdout = cli.stdout
    assert stdout is not None
    lines: queue.Queue[str] = queue.Queue()

    def pump() -> None:
        for line in stdout:
            lines.put(line)

    threading.Thread(target=pump, daemon=True).start()
    settings: dict[str, str] = {}
    while "STRIPE_API_KEY" not in settings:
        line = lines.get(timeout=120)
        key, _, value = line.strip().partition("=")
        settings[key] = value
    try:
        assert run_sync(lambda: _connects(settings["DATABASE_URL"]))
        assert stripe_answers(settings["STRIPE_API_BASE"])
        pids = [
            read_pid_file(tmp_path / name / f"{process}.pid")
            for name, process in (("postgres", "postgres"), ("stripe", "localstripe"))
        ]
    finally:
        cli.send_signal(signal.SIGTERM)
        assert cli.wait(60) == 0
    for record in pids:
        assert record is not None
        assert not pid_alive(record.pid)
