"""Child server processes that die with their owner, leave a pid file and are stopped cleanly.

A `ManagedProcess` is started with Linux's parent-death signal, so the server receives a
signal as soon as the thread that started it dies (a crash or ``kill -9`` of the owner
included). Start servers from a thread that lives as long as they do, normally the main
thread: the kernel ties the parent-death signal to the forking thread, not the process.
Each process writes ``<name>.pid`` (pid and kernel start time) in its folder, and a later
start in the same folder stops a server that a crashed run left behind.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import json
import logging
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO

_log = logging.getLogger(__name__)

_PR_SET_PDEATHSIG = 1


class ServerStartError(RuntimeError):
    """A server did not become ready; the message carries the tail of its log."""


def _load_libc() -> ctypes.CDLL | None:
    if not sys.platform.startswith("linux"):
        return None
    return ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)


_LIBC = _load_libc()


def death_signal_preexec(sig: int) -> Callable[[], None] | None:
    """Return a ``preexec_fn`` that makes the child receive `sig` when its parent thread dies."""
    if _LIBC is None:
        return None
    libc = _LIBC
    parent = os.getpid()

    def preexec() -> None:
        libc.prctl(_PR_SET_PDEATHSIG, sig, 0, 0, 0)
        if os.getppid() != parent:  # the owner died between fork and prctl
            os.kill(os.getpid(), sig)

    return preexec


def _proc_start_time(pid: int) -> int | None:
    """Kernel start time of `pid` (clock ticks since boot), or None when it is gone or a zombie."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        return None
    fields = stat.rsplit(")", 1)[1].split()
    if fields[0] in ("Z", "X"):
        return None
    return int(fields[19])


def pid_alive(pid: int) -> bool:
    """Whether `pid` runs (zombies count as dead)."""
    if Path("/proc").is_dir():
        return _proc_start_time(pid) is not None
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def process_cmdline(pid: int) -> list[str]:
    """The command line of `pid`, or an empty list when it cannot be read."""
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return []
    return [part.decode(errors="replace") for part in raw.split(b"\0") if part]


def processes_in_folder(folder: Path) -> list[int]:
    """Pids (other than ours) whose working folder is `folder`."""
    target, found = str(folder.resolve()), []
    for entry in Path("/proc").glob("[0-9]*"):
        try:
            if os.readlink(entry / "cwd") == target and int(entry.name) != os.getpid():
                found.append(int(entry.name))
        except OSError:
            continue
    return found


def wait_until(condition: Callable[[], bool], timeout: float, interval: float = 0.05) -> bool:
    """Poll `condition` until it holds (True) or `timeout` seconds pass (False)."""
    deadline = time.monotonic() + timeout
    while True:
        if condition():
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(interval)


def terminate_pid(pid: int, stop_signal: int, timeout: float) -> None:
    """Send `stop_signal`, wait up to `timeout` seconds, then SIGKILL and wait again."""
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, stop_signal)
    if wait_until(lambda: not pid_alive(pid), timeout):
        return
    _log.warning("pid %d ignored signal %d for %.0fs: killing it", pid, stop_signal, timeout)
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)
    wait_until(lambda: not pid_alive(pid), 10.0)


@dataclass(frozen=True)
class PidRecord:
    pid: int
    start_time: int | None

    def matches_live_process(self) -> bool:
        if not pid_alive(self.pid):
            return False
        return self.start_time is None or _proc_start_time(self.pid) == self.start_time


def read_pid_file(path: Path) -> PidRecord | None:
    try:
        data = json.loads(path.read_text())
        start = data.get("start_time")
        return PidRecord(int(data["pid"]), int(start) if start is not None else None)
    except (OSError, ValueError, KeyError, TypeError):
        return None


def stop_stale(pid_path: Path, stop_signal: int = signal.SIGTERM, timeout: float = 20.0) -> bool:
    """Stop the process recorded in `pid_path` if it still runs and remove the file."""
    record = read_pid_file(pid_path)
    stopped = False
    if record is not None and record.matches_live_process():
        _log.warning("stopping stale pid %d left by a crashed run (%s)", record.pid, pid_path)
        terminate_pid(record.pid, stop_signal, timeout)
        stopped = True
    pid_path.unlink(missing_ok=True)
    return stopped


def log_tail(path: Path, lines: int = 40) -> str:
    try:
        text = path.read_text(errors="replace")
    except OSError:
        return f"(no log at {path})"
    return "\n".join(text.splitlines()[-lines:])


class ManagedProcess:
    """One server process: started with a death signal and a pid file, stopped with a timeout."""

    def __init__(
        self,
        name: str,
        argv: Sequence[str],
        *,
        folder: Path,
        log_path: Path,
        env: Mapping[str, str] | None = None,
        cwd: Path | None = None,
        stop_signal: int = signal.SIGTERM,
        stop_timeout: float = 20.0,
        user: str | None = None,
        group: int | None = None,
        die_with_parent: bool = True,
        extra_logs: Sequence[Path] = (),
    ) -> None:
        self.name = name
        self.argv = list(argv)
        self.folder = folder
        self.log_path = log_path
        self.pid_path = folder / f"{name}.pid"
        self.env = dict(env) if env is not None else None
        self.cwd = cwd or folder
        self.stop_signal = stop_signal
        self.stop_timeout = stop_timeout
        self.user = user
        self.group = group
        self.die_with_parent = die_with_parent
        self.extra_logs = list(extra_logs)
        self._popen: subprocess.Popen[bytes] | None = None
        self._log_file: IO[bytes] | None = None

    @property
    def pid(self) -> int | None:
        return self._popen.pid if self._popen is not None else None

    def alive(self) -> bool:
        return self._popen is not None and self._popen.poll() is None

    def returncode(self) -> int | None:
        return self._popen.poll() if self._popen is not None else None

    def stop_stale(self) -> bool:
        return stop_stale(self.pid_path, self.stop_signal, self.stop_timeout)

    def start(self) -> None:
        """Stop a stale server recorded in the pid file, then spawn this one (non-blocking)."""
        if self.alive():
            return
        self.folder.mkdir(parents=True, exist_ok=True)
        self.stop_stale()
        self._log_file = self.log_path.open("ab")
        preexec = death_signal_preexec(self.stop_signal) if self.die_with_parent else None
        _log.info("starting %s: %s", self.name, " ".join(self.argv))
        self._popen = subprocess.Popen(
            self.argv,
            stdin=subprocess.DEVNULL,
            stdout=self._log_file,
            stderr=subprocess.STDOUT,
            cwd=self.cwd,
            env=self.env,
            user=self.user,
            group=self.group,
            extra_groups=[] if self.group is not None else None,
            preexec_fn=preexec,
            start_new_session=True,
        )
        record = {"pid": self._popen.pid, "start_time": _proc_start_time(self._popen.pid)}
        self.pid_path.write_text(json.dumps(record))

    def stop(self) -> None:
        """Stop cleanly (stop signal, wait `stop_timeout`, then SIGKILL) and remove the pid file."""
        popen = self._popen
        if popen is not None and popen.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                popen.send_signal(self.stop_signal)
            try:
                popen.wait(self.stop_timeout)
            except subprocess.TimeoutExpired:
                _log.warning("%s still runs after %.0fs: killing it", self.name, self.stop_timeout)
                popen.kill()
                popen.wait(10)
        self._popen = None
        if self._log_file is not None:
            self._log_file.close()
            self._log_file = None
        record = read_pid_file(self.pid_path)
        if popen is not None and record is not None and record.pid == popen.pid:
            self.pid_path.unlink(missing_ok=True)

    def logs_report(self) -> str:
        return "\n".join(
            f"--- {path} (last lines):\n{log_tail(path)}"
            for path in [self.log_path, *self.extra_logs]
        )

    def wait_ready(
        self, ready: Callable[[], bool], timeout: float, what: str, interval: float = 0.1
    ) -> None:
        """Wait until `ready()` holds; raise `ServerStartError` with the log tails otherwise."""

        def check() -> bool:
            if not self.alive():
                code = self.returncode()
                raise ServerStartError(
                    f"{self.name} exited with code {code} before {what}\n{self.logs_report()}"
                )
            return ready()

        if not wait_until(check, timeout, interval):
            report = self.logs_report()
            self.stop()
            raise ServerStartError(f"{self.name} not {what} after {timeout:.0f}s\n{report}")
