"""ManagedProcess: pid files, stale processes, stop escalation, start failures."""

import json
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from shared.devservers.process import (
    ManagedProcess,
    ServerStartError,
    pid_alive,
    read_pid_file,
    stop_stale,
    wait_until,
)

SLEEPER = [sys.executable, "-c", "import time; time.sleep(300)"]


def test_start_stops_a_stale_process_left_in_the_folder(tmp_path: Path) -> None:
    crashed = ManagedProcess("srv", SLEEPER, folder=tmp_path, log_path=tmp_path / "srv.log")
    crashed.start()
    stale_pid = crashed.pid
    assert stale_pid is not None
    assert read_pid_file(tmp_path / "srv.pid") is not None
    again = ManagedProcess("srv", SLEEPER, folder=tmp_path, log_path=tmp_path / "srv.log")
    again.start()
    try:
        assert not pid_alive(stale_pid)
        record = read_pid_file(tmp_path / "srv.pid")
        assert record is not None
        assert record.pid == again.pid
    finally:
        again.stop()
        crashed.stop()
    assert not (tmp_path / "srv.pid").exists()


def test_pid_file_naming_a_reused_pid_spares_that_process(tmp_path: Path) -> None:
    bystander = subprocess.Popen(SLEEPER)
    try:
        pid_file = tmp_path / "srv.pid"
        pid_file.write_text(json.dumps({"pid": bystander.pid, "start_time": 1}))
        assert stop_stale(pid_file) is False
        assert bystander.poll() is None
        assert not pid_file.exists()
    finally:
        bystander.kill()
        bystander.wait()


def test_stop_kills_a_process_that_ignores_its_stop_signal(tmp_path: Path) -> None:
    code = (
        "import signal, time\n"
        "signal.signal(signal.SIGTERM, signal.SIG_IGN)\n"
        "print('ready', flush=True)\n"
        "time.sleep(300)\n"
    )
    log = tmp_path / "stubborn.log"
    stubborn = ManagedProcess(
        "stubborn",
        [sys.executable, "-c", code],
        folder=tmp_path,
        log_path=log,
        stop_timeout=0.5,
    )
    stubborn.start()
    stubborn.wait_ready(lambda: "ready" in log.read_text(), timeout=30, what="ready")
    pid = stubborn.pid
    assert pid is not None
    stubborn.stop()
    assert wait_until(lambda: not pid_alive(pid), 5)
    assert not (tmp_path / "stubborn.pid").exists()


def test_a_server_that_exits_early_fails_with_its_log(tmp_path: Path) -> None:
    broken = ManagedProcess(
        "broken",
        ["sh", "-c", "echo 'bad setting: nope' >&2; exit 3"],
        folder=tmp_path,
        log_path=tmp_path / "broken.log",
    )
    broken.start()
    with pytest.raises(ServerStartError, match="bad setting: nope") as failure:
        broken.wait_ready(lambda: False, timeout=30, what="ready")
    assert "exited with code 3" in str(failure.value)
    broken.stop()


def test_child_receives_its_death_signal_when_the_owner_dies(tmp_path: Path) -> None:
    code = (
        "import sys, time\n"
        "from pathlib import Path\n"
        "from shared.devservers.process import ManagedProcess\n"
        "folder = Path(sys.argv[1])\n"
        "child = ManagedProcess('child', [sys.executable, '-c', 'import time; time.sleep(300)'],"
        " folder=folder, log_path=folder / 'child.log')\n"
        "child.start()\n"
        "print(child.pid, flush=True)\n"
        "time.sleep(300)\n"
    )
    owner = subprocess.Popen([sys.executable, "-c", code, str(tmp_path)], stdout=subprocess.PIPE)
    assert owner.stdout is not None
    child_pid = int(owner.stdout.readline())
    assert pid_alive(child_pid)
    owner.send_signal(signal.SIGKILL)
    owner.wait()
    assert wait_until(lambda: not pid_alive(child_pid), 10)
