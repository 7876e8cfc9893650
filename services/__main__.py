"""Run the whole platform on this machine: ``python -m services`` (what ``make run`` does).

Starts whichever of PostgreSQL, Kafka and Stripe (localstripe) the environment
does not name, with their data under ``.data/`` (kept between runs), creates one
database per service, starts the three services as child processes, prints
where everything answers, and stops it all on Ctrl-C or SIGTERM.
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
import threading
import time
from pathlib import Path

import httpx

from shared.devservers.postgres import create_database
from shared.devservers.process import ManagedProcess
from shared.devservers.stack import DevStack
from shared.settings import DEV_CUSTOMER_TOKEN_SECRET, DEV_OPERATOR_TOKEN

SERVICES = {"credits": 8001, "payments": 8002, "invoicing": 8003}
log = logging.getLogger("services")


def _service_env(stack: DevStack, name: str, port: int, data: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(stack.environ())
    env["DATABASE_URL"] = create_database(stack.database_url, name)
    env[f"{name.upper()}_PORT"] = str(port)
    env.setdefault("OPERATOR_TOKEN", DEV_OPERATOR_TOKEN)
    env.setdefault("CUSTOMER_TOKEN_SECRET", DEV_CUSTOMER_TOKEN_SECRET)
    env["PYTHONUNBUFFERED"] = "1"
    return env


def _healthy(port: int) -> bool:
    try:
        return httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200
    except httpx.HTTPError:
        return False


def _print_banner(stack: DevStack, ports: dict[str, int], logs: Path) -> None:
    print("\nbilling platform is up (Ctrl-C stops everything)\n")
    for name, port in ports.items():
        print(f"  {name:<10} http://127.0.0.1:{port}   (docs /docs, health /healthz /readyz)")
    print(f"  {'postgres':<10} {stack.database_url}")
    print(f"  {'kafka':<10} {stack.kafka_bootstrap_servers}")
    print(f"  {'stripe':<10} {stack.stripe_api_base}")
    print(f"\n  operator token         {os.environ.get('OPERATOR_TOKEN', DEV_OPERATOR_TOKEN)}")
    secret = os.environ.get("CUSTOMER_TOKEN_SECRET", DEV_CUSTOMER_TOKEN_SECRET)
    print(f"  customer token secret  {secret}")
    print(f"  service logs           {logs}/<service>.log")
    print(f"\n  curl -s http://127.0.0.1:{ports['credits']}/readyz\n", flush=True)


def main(argv: list[str] | None = None) -> int:
    """Start servers and services, wait for a stop signal, stop everything."""
    parser = argparse.ArgumentParser(prog="python -m services", description=__doc__)
    parser.add_argument("--data", type=Path, default=Path(".data"), help="data folder")
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds to wait per service")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    data = args.data.resolve()
    logs = data / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    ports = {name: int(os.environ.get(f"{name.upper()}_PORT", p)) for name, p in SERVICES.items()}
    processes: list[ManagedProcess] = []
    with DevStack(data, fixed_ports=True) as stack:
        try:
            for name, port in ports.items():
                process = ManagedProcess(
                    name,
                    [sys.executable, "-m", f"services.{name}"],
                    folder=data / "run",
                    log_path=logs / f"{name}.log",
                    env=_service_env(stack, name, port, data),
                    cwd=Path.cwd(),
                )
                process.start()
                processes.append(process)
            deadline = time.monotonic() + args.timeout
            for process, port in zip(processes, ports.values(), strict=True):
                process.wait_ready(
                    lambda port=port: _healthy(port),  # type: ignore[misc]
                    max(1.0, deadline - time.monotonic()),
                    f"answering /healthz on port {port}",
                )
            _print_banner(stack, ports, logs)
            while not stop.wait(1.0):
                for process in processes:
                    if not process.alive():
                        print(f"{process.name} exited: see {process.log_path}", file=sys.stderr)
                        stop.set()
        finally:
            for process in reversed(processes):
                process.stop()
    print("stopped", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
