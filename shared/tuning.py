"""Process-wide tuning applied by every long-running process of the platform.

Readers and relays allocate hundreds of thousands of short-lived objects a
second (rows, ids, payloads); with CPython's default threshold (700) the cyclic
garbage collector then runs thousands of times a second and costs about a third
of the read rate. A larger first-generation threshold keeps collections rare;
reference counting still frees almost everything at once.
"""

from __future__ import annotations

import gc

GC_THRESHOLDS = (50_000, 20, 100)


def tune_gc() -> None:
    """Raise the cyclic collector's thresholds for allocation-heavy servers."""
    gc.set_threshold(*GC_THRESHOLDS)
