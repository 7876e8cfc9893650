"""Named crash points for fault tests: a process dies at once where a test asks it to.

A test starts a service with ``BILLING_CRASH_AT=<point>[,<point>...]``; when the
service's code reaches ``crash_point("<point>")`` the process kills itself with
SIGKILL, exactly as ``kill -9`` at that instant would. Unset (always, outside
fault tests), a crash point does nothing.
"""

from __future__ import annotations

import os
import signal

ENV_VAR = "BILLING_CRASH_AT"


def crash_point(name: str) -> None:
    """Die here (SIGKILL) when the environment names this point."""
    wanted = os.environ.get(ENV_VAR)
    if wanted and name in {p.strip() for p in wanted.split(",")}:
        os.kill(os.getpid(), signal.SIGKILL)
