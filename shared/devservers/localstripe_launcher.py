"""Run localstripe with an empty in-memory store and no pickling to the shared temp file.

localstripe's ``Store`` pickles itself to ``/tmp/localstripe.pickle`` after every write
(slow, and shared by every localstripe on the machine) and loads it at start. This
launcher turns both into no-ops, then serves localstripe's aiohttp app on the given
address: ``python localstripe_launcher.py --host 127.0.0.1 --port 8420``.
"""

from __future__ import annotations

import argparse
import logging
import sys


def patch_out_persistence() -> None:
    """Make localstripe's store purely in-memory and start it empty."""
    from localstripe.resources import Store, store

    def no_op(self: object) -> None:
        return None

    Store.dump_to_disk = no_op
    Store.try_load_from_disk = no_op
    store.clear()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8420)
    parser.add_argument("--access-log", action="store_true", help="log every request")
    args = parser.parse_args(argv)

    patch_out_persistence()
    from aiohttp import web
    from localstripe.server import app

    logging.basicConfig(level=logging.INFO, stream=sys.stderr)
    access_log = logging.getLogger("aiohttp.access") if args.access_log else None
    web.run_app(app, host=args.host, port=args.port, access_log=access_log, print=None)


if __name__ == "__main__":
    main()
