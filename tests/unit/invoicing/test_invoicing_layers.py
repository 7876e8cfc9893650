"""The domain stays pure: importing it loads no database, broker, HTTP or Stripe library."""

from __future__ import annotations

import subprocess
import sys

IO_LIBRARIES = ("asyncpg", "faststream", "aiokafka", "httpx", "stripe", "fastapi")


def test_the_domain_imports_no_io_library() -> None:
    probe = (
        "import sys\n"
        "import services.invoicing.domain.decide, services.invoicing.domain.evolve\n"
        "import services.invoicing.domain.policy, services.invoicing.domain.errors\n"
        f"print(sorted(m for m in {IO_LIBRARIES!r} if m in sys.modules))\n"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert loaded == "[]"
