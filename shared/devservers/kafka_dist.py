"""Apache Kafka's broker jars from Maven Central, fetched once with Maven and cached.

`ensure_kafka_libs` writes a small ``pom.xml`` into ``<cache>/kafka-<version>/`` and runs
``mvn dependency:copy-dependencies`` into its ``libs/`` folder (Maven's ``~/.m2`` caches the
downloads too). A marker file records which pom filled the folder, and a file lock keeps
concurrent runs from downloading at the same time.
"""

from __future__ import annotations

import fcntl
import functools
import hashlib
import logging
import os
import re
import shutil
import subprocess
from pathlib import Path

_log = logging.getLogger(__name__)

KAFKA_VERSION = "4.1.1"
SCALA_VERSION = "2.13"
LOG4J_VERSION = "2.24.3"
MIN_JAVA = 17

_POM = f"""<?xml version="1.0" encoding="UTF-8"?>
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>local.devservers</groupId>
  <artifactId>kafka-broker-runtime</artifactId>
  <version>{KAFKA_VERSION}</version>
  <packaging>pom</packaging>
  <dependencies>
    <dependency>
      <groupId>org.apache.kafka</groupId>
      <artifactId>kafka_{SCALA_VERSION}</artifactId>
      <version>{KAFKA_VERSION}</version>
    </dependency>
    <dependency>
      <!-- the broker logs through SLF4J 1.7; this binds it to log4j2 -->
      <groupId>org.apache.logging.log4j</groupId>
      <artifactId>log4j-slf4j-impl</artifactId>
      <version>{LOG4J_VERSION}</version>
    </dependency>
  </dependencies>
</project>
"""


class KafkaUnavailableError(RuntimeError):
    """No usable JVM or Kafka jars on this machine."""


def project_root() -> Path:
    """The folder holding the project's pyproject.toml (the current folder if none is found)."""
    here = Path(__file__).resolve()
    for folder in here.parents:
        if (folder / "pyproject.toml").is_file():
            return folder
    return Path.cwd()


def default_cache_dir() -> Path:
    return project_root() / ".cache"


@functools.cache
def java_executable() -> str | None:
    """A ``java`` of version 17 or newer (JAVA_HOME first, then PATH), or None."""
    java_home = os.environ.get("JAVA_HOME")
    candidates = [str(Path(java_home) / "bin" / "java")] if java_home else []
    found = shutil.which("java")
    if found:
        candidates.append(found)
    for java in candidates:
        if not Path(java).is_file():
            continue
        try:
            out = subprocess.run(
                [java, "-version"], capture_output=True, text=True, timeout=30, check=False
            )
        except (OSError, subprocess.TimeoutExpired):
            continue
        match = re.search(r'version "(\d+)(?:\.(\d+))?', out.stderr + out.stdout)
        if match is None:
            continue
        major = int(match.group(1))
        if major == 1 and match.group(2):  # "1.8.0" style
            major = int(match.group(2))
        if major >= MIN_JAVA:
            return java
        _log.warning("%s is Java %d; Kafka %s needs %d+", java, major, KAFKA_VERSION, MIN_JAVA)
    return None


def kafka_home(cache_dir: Path | None = None) -> Path:
    return (cache_dir or default_cache_dir()).resolve() / f"kafka-{KAFKA_VERSION}"


def _pom_digest() -> str:
    return hashlib.sha256(_POM.encode()).hexdigest()


def cached_kafka_libs(cache_dir: Path | None = None) -> Path | None:
    """The cached ``libs`` folder when complete, else None."""
    libs = kafka_home(cache_dir) / "libs"
    marker = libs / ".complete"
    if marker.is_file() and marker.read_text().strip() == _pom_digest():
        return libs
    return None


def ensure_kafka_libs(cache_dir: Path | None = None, timeout: float = 900.0) -> Path:
    """The folder of the broker's jars, downloading them with Maven the first time."""
    libs = cached_kafka_libs(cache_dir)
    if libs is not None:
        return libs
    home = kafka_home(cache_dir)
    home.mkdir(parents=True, exist_ok=True)
    with (home.parent / f"{home.name}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        libs = cached_kafka_libs(cache_dir)
        if libs is not None:
            return libs
        return _download(home, timeout)


def _download(home: Path, timeout: float) -> Path:
    mvn = shutil.which("mvn")
    if mvn is None:
        raise KafkaUnavailableError("Maven (mvn) is not installed and no Kafka jars are cached")
    (home / "pom.xml").write_text(_POM)
    libs, partial = home / "libs", home / "libs.partial"
    shutil.rmtree(partial, ignore_errors=True)
    _log.warning("fetching Apache Kafka %s jars with Maven into %s (once)", KAFKA_VERSION, libs)
    argv = [mvn, "-q", "-B", "-f", str(home / "pom.xml"), "dependency:copy-dependencies"]
    argv += [f"-DoutputDirectory={partial}", "-DincludeScope=runtime"]
    try:
        done = subprocess.run(
            argv, cwd=home, capture_output=True, text=True, timeout=timeout, check=False
        )
    except subprocess.TimeoutExpired as exc:
        raise RuntimeError(f"mvn took more than {timeout:.0f}s fetching Kafka jars") from exc
    if done.returncode != 0 or not any(partial.glob(f"kafka_{SCALA_VERSION}-*.jar")):
        tail = "\n".join((done.stdout + done.stderr).splitlines()[-30:])
        code = done.returncode
        raise RuntimeError(f"mvn failed fetching Kafka {KAFKA_VERSION} ({code}):\n{tail}")
    shutil.rmtree(libs, ignore_errors=True)
    partial.rename(libs)
    (libs / ".complete").write_text(_pom_digest())
    return libs
