"""DDL of the messaging tables: the outbox relay's checkpoints and the consumers' inbox."""

MESSAGING_DDL = """
CREATE TABLE IF NOT EXISTS outbox_checkpoints (
    relay_name      text PRIMARY KEY,
    transaction_id  bigint NOT NULL,
    position        bigint NOT NULL,
    published       bigint NOT NULL DEFAULT 0,
    updated_at      timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE IF NOT EXISTS inbox (
    consumer        text NOT NULL,
    event_id        uuid NOT NULL,
    topic           text NOT NULL,
    partition       integer NOT NULL,
    "offset"        bigint NOT NULL,
    handled_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (consumer, event_id)
);
"""
