"""The three services as child processes: started, watched, restarted, stopped.

Used by ``python -m services`` (``make run``) and by the end-to-end tests. Each
service gets its own database on the given PostgreSQL server, the Kafka and
Stripe settings, and its port; once the payments service answers, its webhook
endpoint is registered with localstripe (real Stripe is configured in its
dashboard instead). The customer portal (``python -m portal``) is one more
process, started on demand with the services' URLs and the Stripe.js base.
"""

from __future__ import annotations

import os
import signal
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from shared.devservers.postgres import create_database
from shared.devservers.process import ManagedProcess
from shared.settings import DEV_STRIPE_WEBHOOK_SECRET

SERVICE_NAMES = ("credits", "payments", "invoicing")
DEFAULT_PORTS = {"credits": 8001, "payments": 8002, "invoicing": 8003}
PORTAL_PORT = 8000


@dataclass
class PlatformConfig:
    """Where the services' servers are and where the services keep their files."""

    database_url: str
    kafka_bootstrap_servers: str
    stripe_api_base: str
    stripe_api_key: str
    folder: Path
    ports: Mapping[str, int] = field(default_factory=lambda: dict(DEFAULT_PORTS))
    database_prefix: str = ""
    extra_env: Mapping[str, str] = field(default_factory=dict)
    register_webhook: bool = True
    portal_port: int = PORTAL_PORT


def _healthy(port: int) -> bool:
    try:
        return httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200
    except httpx.HTTPError:
        return False


class LocalPlatform:
    """Runs the services of a :class:`PlatformConfig` as managed child processes."""

    def __init__(self, config: PlatformConfig) -> None:
        self.config = config
        self.processes: dict[str, ManagedProcess] = {}
        self._env: dict[str, dict[str, str]] = {}

    def url(self, name: str) -> str:
        """The base URL of a service's HTTP API (or of the portal: ``"portal"``)."""
        port = self.config.portal_port if name == "portal" else self.config.ports[name]
        return f"http://127.0.0.1:{port}"

    def env(self, name: str) -> dict[str, str]:
        """The environment a service runs with."""
        if name not in self._env:
            config = self.config
            env = dict(os.environ)
            env.update(config.extra_env)
            env.update(
                DATABASE_URL=create_database(
                    config.database_url, f"{config.database_prefix}{name}"
                ),
                KAFKA_BOOTSTRAP_SERVERS=config.kafka_bootstrap_servers,
                STRIPE_API_BASE=config.stripe_api_base,
                STRIPE_API_KEY=config.stripe_api_key,
                PYTHONUNBUFFERED="1",
            )
            env[f"{name.upper()}_PORT"] = str(config.ports[name])
            self._env[name] = env
        return self._env[name]

    def start(self, names: tuple[str, ...] = SERVICE_NAMES, timeout: float = 60.0) -> None:
        """Start services and wait until each answers ``/healthz``."""
        logs = self.config.folder / "logs"
        logs.mkdir(parents=True, exist_ok=True)
        for name in names:
            process = ManagedProcess(
                name,
                [sys.executable, "-m", f"services.{name}"],
                folder=self.config.folder / "run",
                log_path=logs / f"{name}.log",
                env=self.env(name),
                cwd=Path.cwd(),
            )
            process.start()
            self.processes[name] = process
        for name in names:
            port = self.config.ports[name]
            self.processes[name].wait_ready(
                lambda port=port: _healthy(port),  # type: ignore[misc]
                timeout,
                f"answering /healthz on port {port}",
            )
        if "payments" in names and self.config.register_webhook:
            self.register_localstripe_webhook()

    def start_portal(self, timeout: float = 60.0) -> None:
        """Start the customer portal on ``portal_port`` and wait until it answers."""
        config = self.config
        env = dict(os.environ)
        env.update(config.extra_env)
        env.update(
            PORTAL_PORT=str(config.portal_port),
            CREDITS_URL=self.url("credits"),
            PAYMENTS_URL=self.url("payments"),
            INVOICING_URL=self.url("invoicing"),
            PYTHONUNBUFFERED="1",
        )
        env.setdefault("STRIPE_JS_BASE", f"{config.stripe_api_base}/js.stripe.com/v3/")
        logs = config.folder / "logs"
        logs.mkdir(parents=True, exist_ok=True)
        process = ManagedProcess(
            "portal",
            [sys.executable, "-m", "portal"],
            folder=config.folder / "run",
            log_path=logs / "portal.log",
            env=env,
            cwd=Path.cwd(),
        )
        process.start()
        self.processes["portal"] = process
        port = config.portal_port
        process.wait_ready(lambda: _healthy(port), timeout, f"answering /healthz on port {port}")

    def register_localstripe_webhook(self) -> None:
        """Ask localstripe to send its signed webhooks to the payments service."""
        env = self.env("payments")
        secret = env.get("STRIPE_WEBHOOK_SECRET", DEV_STRIPE_WEBHOOK_SECRET)
        response = httpx.post(
            f"{self.config.stripe_api_base}/_config/webhooks/billing-payments",
            data={"url": f"{self.url('payments')}/v1/stripe/webhook", "secret": secret},
            timeout=10,
        )
        response.raise_for_status()

    def kill(self, name: str) -> None:
        """Kill a service at once (SIGKILL), as a crash would."""
        process = self.processes[name]
        if process.pid is not None and process.alive():
            os.kill(process.pid, signal.SIGKILL)
        process.stop()

    def restart(
        self, name: str, timeout: float = 60.0, env: Mapping[str, str | None] | None = None
    ) -> None:
        """Start a stopped or killed service again (``env``: variables to set or, with
        None, to remove) and wait until it answers."""
        if name in self.processes:
            self.processes.pop(name).stop()
        service_env = self.env(name)
        for key, value in (env or {}).items():
            if value is None:
                service_env.pop(key, None)
            else:
                service_env[key] = value
        self.start((name,), timeout)

    def wait_dead(self, name: str, timeout: float = 60.0) -> int | None:
        """Wait until a service's process has exited; return its exit code."""
        process = self.processes[name]
        deadline = time.monotonic() + timeout
        while process.alive():
            if time.monotonic() > deadline:
                raise TimeoutError(f"{name} still runs after {timeout}s")
            time.sleep(0.05)
        return process.returncode()

    def dead(self) -> list[str]:
        """Names of services whose process has exited."""
        return [name for name, p in self.processes.items() if not p.alive()]

    def stop(self) -> None:
        """Stop every service (SIGTERM, then SIGKILL after a timeout)."""
        for process in reversed(list(self.processes.values())):
            process.stop()
        self.processes.clear()
