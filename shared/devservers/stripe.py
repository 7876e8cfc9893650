"""A fake Stripe API (localstripe) as a child process, or the one named by STRIPE_API_BASE.

localstripe runs through `shared.devservers.localstripe_launcher`, which keeps its store in
memory only (no shared pickle file, a fresh store at every start), on 127.0.0.1.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from pathlib import Path

import httpx

from shared.devservers.ports import pick_port
from shared.devservers.process import ManagedProcess

HOST = "127.0.0.1"
DEFAULT_API_KEY = "sk_test_dev"


def stripe_answers(api_base: str, api_key: str = DEFAULT_API_KEY) -> bool:
    """Whether a Stripe-like API answers ``GET /v1/customers`` with 200."""
    url = f"{api_base}/v1/customers?limit=1"
    try:
        response = httpx.get(url, headers={"Authorization": f"Bearer {api_key}"}, timeout=2)
    except httpx.HTTPError:
        return False
    return response.status_code == 200


def _package_root() -> Path:
    """The folder that contains the ``shared`` package."""
    return Path(__file__).resolve().parents[2]


class StripeServer:
    """A running localstripe, or an external Stripe API base."""

    def __init__(
        self,
        folder: Path | None = None,
        *,
        port: int | None = None,
        access_log: bool = False,
        die_with_parent: bool = True,
        external_api_base: str | None = None,
    ) -> None:
        self.folder = folder.resolve() if folder is not None else None
        self.port = port
        self.access_log = access_log
        self.die_with_parent = die_with_parent
        self.external_api_base = external_api_base
        self.process: ManagedProcess | None = None

    @property
    def api_base(self) -> str:
        if self.external_api_base is not None:
            return self.external_api_base.rstrip("/")
        return f"http://{HOST}:{self.port}"

    def launch(self) -> None:
        if self.external_api_base is not None or (self.process and self.process.alive()):
            return
        assert self.folder is not None
        self.folder.mkdir(parents=True, exist_ok=True)
        process = ManagedProcess(
            "localstripe",
            [],
            folder=self.folder,
            log_path=self.folder / "localstripe.log",
            die_with_parent=self.die_with_parent,
            stop_timeout=10.0,
        )
        process.stop_stale()
        self.port = pick_port(self.port)
        argv = [sys.executable, "-m", "shared.devservers.localstripe_launcher"]
        argv += ["--host", HOST, "--port", str(self.port)]
        if self.access_log:
            argv.append("--access-log")
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(
            [str(_package_root()), *filter(None, [env.get("PYTHONPATH")])]
        )
        process.argv, process.env = argv, env
        self.process = process
        process.start()

    def wait_ready(self, timeout: float = 30.0) -> None:
        if self.process is not None:
            base = self.api_base
            self.process.wait_ready(lambda: stripe_answers(base), timeout, "answering HTTP")

    def start(self, timeout: float = 30.0) -> StripeServer:
        self.launch()
        self.wait_ready(timeout)
        return self

    def stop(self) -> None:
        if self.process is not None:
            self.process.stop()
            self.process = None


def start_localstripe(
    folder: Path,
    *,
    port: int | None = None,
    access_log: bool = False,
    die_with_parent: bool = True,
    timeout: float = 30.0,
) -> StripeServer:
    """Start localstripe on `port` when free (None: any free port); logs go to `folder`."""
    server = StripeServer(folder, port=port, access_log=access_log, die_with_parent=die_with_parent)
    return server.start(timeout)


def external_stripe(env: Mapping[str, str] | None = None) -> StripeServer | None:
    """A handle on the API named by ``STRIPE_API_BASE``, or None when it is not set."""
    base = (os.environ if env is None else env).get("STRIPE_API_BASE")
    return StripeServer(external_api_base=base) if base else None
