"""Resident memory of the service processes: sampled in a thread, peaks kept per label."""

from __future__ import annotations

import threading
from collections.abc import Mapping


def rss_mib(pid: int) -> float:
    """VmRSS of a process in MiB (0 when it is gone)."""
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


class RssSampler:
    """Samples every ``interval`` seconds and keeps each process's peak since ``reset``."""

    def __init__(self, pids: Mapping[str, int], interval: float = 0.25) -> None:
        self.pids = dict(pids)
        self.interval = interval
        self.peaks: dict[str, float] = dict.fromkeys(self.pids, 0.0)
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._run, name="rss-sampler", daemon=True)

    def now(self) -> dict[str, float]:
        """Each process's RSS right now, MiB."""
        return {name: round(rss_mib(pid), 1) for name, pid in self.pids.items()}

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            current = self.now()
            with self._lock:
                for name, value in current.items():
                    self.peaks[name] = max(self.peaks[name], value)

    def start(self) -> None:
        self._thread.start()

    @property
    def running(self) -> bool:
        """Whether the sampling thread runs."""
        return self._thread.is_alive()

    def stop(self) -> dict[str, float]:
        """Stop sampling (if it runs); return the peaks."""
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join()
        with self._lock:
            return {name: round(value, 1) for name, value in self.peaks.items()}
