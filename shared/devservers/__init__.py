"""Real development servers (PostgreSQL, Apache Kafka, localstripe) for runs, tests, benchmarks.

Every server is a child process that dies with its owner, keeps a pid file in its data
folder and is stopped cleanly; a stale server left by a crashed run is stopped first.
"""

from shared.devservers.kafka import KafkaServer, external_kafka, kafka_ready, start_kafka
from shared.devservers.kafka_dist import KAFKA_VERSION, ensure_kafka_libs
from shared.devservers.ports import free_port
from shared.devservers.postgres import (
    PostgresServer,
    create_database,
    create_database_async,
    database_dsn,
    drop_database,
    drop_database_async,
    external_postgres,
    pg_bin_dir,
    start_postgres,
)
from shared.devservers.process import ManagedProcess, ServerStartError
from shared.devservers.stack import DevStack, Service
from shared.devservers.stripe import (
    DEFAULT_API_KEY,
    StripeServer,
    external_stripe,
    start_localstripe,
)

__all__ = [
    "DEFAULT_API_KEY",
    "KAFKA_VERSION",
    "DevStack",
    "KafkaServer",
    "ManagedProcess",
    "PostgresServer",
    "ServerStartError",
    "Service",
    "StripeServer",
    "create_database",
    "create_database_async",
    "database_dsn",
    "drop_database",
    "drop_database_async",
    "ensure_kafka_libs",
    "external_kafka",
    "external_postgres",
    "external_stripe",
    "free_port",
    "kafka_ready",
    "pg_bin_dir",
    "start_kafka",
    "start_localstripe",
    "start_postgres",
]
