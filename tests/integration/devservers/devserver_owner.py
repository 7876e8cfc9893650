"""Child program for the crash tests: start one server in a folder, report it, wait for death.

Usage: python devserver_owner.py KIND FOLDER DIE_WITH_PARENT(0|1). Prints one JSON line
{"pid": server pid, "address": DSN/bootstrap/base URL} once the server is ready and has
something worth keeping (a database or a topic named "kept_between_runs").
"""

import json
import sys
from pathlib import Path

from shared.devservers import create_database, start_kafka, start_localstripe, start_postgres
from shared.devservers.syncio import run_sync

KEPT = "kept_between_runs"


async def _create_topic(bootstrap: str) -> None:
    from aiokafka.admin import AIOKafkaAdminClient, NewTopic

    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        await admin.create_topics([NewTopic(KEPT, num_partitions=1, replication_factor=1)])
    finally:
        await admin.close()


def main() -> None:
    kind, folder, die = sys.argv[1], Path(sys.argv[2]), sys.argv[3] == "1"
    if kind == "postgres":
        pg = start_postgres(folder, die_with_parent=die)
        create_database(pg.dsn, KEPT)
        pid, address = pg.process.pid if pg.process else None, pg.dsn
    elif kind == "kafka":
        kafka = start_kafka(folder, die_with_parent=die)
        run_sync(lambda: _create_topic(kafka.bootstrap_servers))
        pid, address = kafka.process.pid if kafka.process else None, kafka.bootstrap_servers
    else:
        fake = start_localstripe(folder, die_with_parent=die)
        pid, address = fake.process.pid if fake.process else None, fake.api_base
    print(json.dumps({"pid": pid, "address": address}), flush=True)
    sys.stdin.read()  # until killed


if __name__ == "__main__":
    main()
