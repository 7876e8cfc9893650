"""DDL of the projections' checkpoints: where each read model has got to in the event log."""

PROJECTIONS_DDL = """
CREATE TABLE IF NOT EXISTS projection_checkpoints (
    name            text PRIMARY KEY,
    transaction_id  bigint NOT NULL,
    position        bigint NOT NULL,
    applied         bigint NOT NULL DEFAULT 0,
    updated_at      timestamptz NOT NULL DEFAULT now()
);
"""
