"""A crash point kills its process only when the environment names it."""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]

CODE = "from shared.faults import crash_point; crash_point('after_stripe_call'); print('alive')"


def run(env_value: str | None) -> subprocess.CompletedProcess[str]:
    env = {"PATH": "/usr/bin:/bin"}
    if env_value is not None:
        env["BILLING_CRASH_AT"] = env_value
    return subprocess.run(
        [sys.executable, "-c", CODE], env=env, capture_output=True, text=True, check=False,
        cwd=ROOT,
    )  # fmt: skip


def test_unset_does_nothing() -> None:
    done = run(None)
    assert (done.returncode, done.stdout.strip()) == (0, "alive")


def test_another_point_does_nothing() -> None:
    assert run("before_publish").stdout.strip() == "alive"


def test_named_point_kills_with_sigkill() -> None:
    done = run("before_publish, after_stripe_call")
    assert done.returncode == -signal.SIGKILL
    assert done.stdout == ""
