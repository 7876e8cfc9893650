"""`python -m services` (what `make run` runs) brings up the services and the portal, and stops
cleanly."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from shared.devservers.ports import free_port

pytestmark = pytest.mark.e2e

SERVICES = ("credits", "payments", "invoicing")


def _get(url: str) -> httpx.Response | None:
    try:
        return httpx.get(url, timeout=2)
    except httpx.HTTPError:
        return None


def test_run_serves_health_and_readiness_then_stops_on_sigterm(
    tmp_path: Path, database_url: str, kafka_bootstrap_servers: str, stripe_api_base: str
) -> None:
    ports = {name: free_port() for name in SERVICES}
    portal = free_port()
    env = dict(os.environ)
    env.update(
        DATABASE_URL=database_url,
        KAFKA_BOOTSTRAP_SERVERS=kafka_bootstrap_servers,
        STRIPE_API_BASE=stripe_api_base,
        PORTAL_PORT=str(portal),
        **{f"{name.upper()}_PORT": str(port) for name, port in ports.items()},
    )
    log = (tmp_path / "run.log").open("w+")
    began = time.monotonic()
    run = subprocess.Popen(
        [sys.executable, "-m", "services", "--data", str(tmp_path / "data")],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        pending = set(SERVICES)
        while pending:
            assert run.poll() is None, f"make run exited early:\n{Path(log.name).read_text()}"
            assert time.monotonic() - began < 60, f"not healthy in 60 s: {sorted(pending)}"
            for name in sorted(pending):
                response = _get(f"http://127.0.0.1:{ports[name]}/healthz")
                if response is not None and response.status_code == 200:
                    assert response.json() == {"status": "ok", "service": name}
                    pending.discard(name)
            time.sleep(0.2)
        for port in ports.values():
            ready = httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=10)
            assert ready.status_code == 200, ready.text
            assert ready.json()["checks"] == {"database": True, "kafka": True}
            docs = httpx.get(f"http://127.0.0.1:{port}/openapi.json", timeout=5)
            assert "/readyz" in docs.json()["paths"]
        while "billing platform is up" not in Path(log.name).read_text():
            assert run.poll() is None, f"make run exited early:\n{Path(log.name).read_text()}"
            assert time.monotonic() - began < 90, "the portal did not start in 90 s"
            time.sleep(0.2)
        assert httpx.get(f"http://127.0.0.1:{portal}/healthz", timeout=5).status_code == 200
    finally:
        run.send_signal(signal.SIGTERM)
        code = run.wait(60)
    output = Path(log.name).read_text()
    assert code == 0, output
    assert "billing platform is up" in output
    assert f"http://127.0.0.1:{portal}/sign-in?token=" in output
    assert "stopped" in output
    for port in [*ports.values(), portal]:
        assert _get(f"http://127.0.0.1:{port}/healthz") is None
