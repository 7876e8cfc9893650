"""A second process of each service: same database and consumer group, its own port."""

from __future__ import annotations

import sys
from pathlib import Path

import httpx

from services.platform import LocalPlatform
from shared.devservers.ports import free_port
from shared.devservers.process import ManagedProcess


def _answers(url: str) -> bool:
    try:
        return httpx.get(f"{url}/healthz", timeout=1).status_code == 200
    except httpx.HTTPError:
        return False


def start_replica(platform: LocalPlatform, name: str) -> tuple[ManagedProcess, str]:
    """Start another ``name`` beside the platform's; return it and its base URL."""
    port = free_port()
    env = {**platform.env(name), f"{name.upper()}_PORT": str(port)}
    folder = platform.config.folder
    process = ManagedProcess(
        f"{name}-replica",
        [sys.executable, "-m", f"services.{name}"],
        folder=folder / "run",
        log_path=folder / "logs" / f"{name}-replica.log",
        env=env,
        cwd=Path.cwd(),
    )
    process.start()
    url = f"http://127.0.0.1:{port}"
    process.wait_ready(lambda: _answers(url), 60, f"answering /healthz on port {port}")
    return process, url
