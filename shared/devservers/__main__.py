"""``python -m shared.devservers``: start the dev stack, print its settings, stop on Ctrl-C/SIGTERM.

Settings are printed as ``NAME=value`` lines on stdout (and written to ``--env-file`` when
given); progress and warnings go to stderr.
"""

from __future__ import annotations

import argparse
import logging
import signal
import sys
import threading
import time
from pathlib import Path
from types import FrameType
from typing import cast

from shared.devservers.kafka_dist import project_root
from shared.devservers.stack import ALL_SERVICES, DevStack, Service


def _parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m shared.devservers", description=__doc__)
    parser.add_argument(
        "--base-dir",
        type=Path,
        default=project_root() / ".data",
        help="data folders (default: <project>/.data, kept between runs)",
    )
    parser.add_argument(
        "--free-ports",
        action="store_true",
        help="use any free ports instead of 5432/9092/8420",
    )
    parser.add_argument(
        "--only",
        default=",".join(ALL_SERVICES),
        help="comma-separated services to start (postgres,kafka,stripe)",
    )
    parser.add_argument("--env-file", type=Path, help="also write the settings to this file")
    parser.add_argument("-v", "--verbose", action="store_true", help="log progress")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = _parse(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    services = [s.strip() for s in args.only.split(",") if s.strip()]
    unknown = set(services) - set(ALL_SERVICES)
    if unknown:
        print(f"unknown services: {', '.join(sorted(unknown))}", file=sys.stderr)
        return 2

    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)

    stack = DevStack(args.base_dir, fixed_ports=not args.free_ports)
    started = time.monotonic()
    try:
        stack.start(cast(list[Service], services))
        lines = [f"{key}={value}" for key, value in stack.environ().items()]
        if args.env_file is not None:
            args.env_file.write_text("".join(f"{line}\n" for line in lines))
        if stack.kafka is not None and stack.kafka.implementation == "tansu":
            print("Kafka: tansu fallback broker (in memory)", file=sys.stderr)
        print(f"dev servers ready in {time.monotonic() - started:.1f}s", file=sys.stderr)
        print("\n".join(lines), flush=True)
        print("Ctrl-C stops them.", file=sys.stderr, flush=True)
        while not stop.wait(3600):
            pass
    finally:
        stack.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
