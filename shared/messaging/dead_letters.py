"""Dead-letter records: a refused message goes to ``<topic>.dlq`` with the reason in its headers."""

from __future__ import annotations

from typing import Any

from shared.contracts import dlq_topic
from shared.messaging.records import Headers, OutgoingRecord

REASON_HEADER = "dlq-reason"
DETAIL_HEADER = "dlq-detail"
MAX_DETAIL_BYTES = 2000


def dead_letter_of(record: Any, consumer: str, reason: str, detail: str) -> OutgoingRecord:
    """Return the dead-letter record of a consumed aiokafka ``ConsumerRecord``.

    Key, value and the original headers are kept as they were; the reason, a
    human-readable detail and the record's origin are added as headers.
    """
    original: Headers = [(k, v) for k, v in (record.headers or ()) if not k.startswith("dlq-")]
    added: Headers = [
        (REASON_HEADER, reason.encode()),
        (DETAIL_HEADER, detail.encode()[:MAX_DETAIL_BYTES]),
        ("dlq-original-topic", record.topic.encode()),
        ("dlq-original-partition", str(record.partition).encode()),
        ("dlq-original-offset", str(record.offset).encode()),
        ("dlq-consumer", consumer.encode()),
    ]
    return OutgoingRecord(
        topic=dlq_topic(record.topic),
        key=record.key if record.key is not None else b"",
        value=record.value if record.value is not None else b"",
        headers=original + added,
    )
