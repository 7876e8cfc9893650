"""Facts about the machine a benchmark ran on, saved beside its figures."""

from __future__ import annotations

import os
import platform


def machine_facts() -> dict[str, object]:
    """Return cores, memory and software versions of this machine."""
    memory_kib = 0
    try:
        with open("/proc/meminfo") as meminfo:
            for line in meminfo:
                if line.startswith("MemTotal:"):
                    memory_kib = int(line.split()[1])
    except OSError:
        pass
    return {
        "cores": os.cpu_count(),
        "memory_gib": round(memory_kib / 1024 / 1024, 1),
        "python": platform.python_version(),
        "platform": platform.platform(),
    }
