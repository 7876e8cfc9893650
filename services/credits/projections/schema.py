"""DDL of the credits read models: the ledger, the balances and the top-up requests.

Amounts are signed integers in minor units of ``currency``. A ledger entry's
``created_at`` is when the event store recorded its event (``recorded_at``).
"""

READ_MODELS_DDL = """
CREATE TABLE IF NOT EXISTS ledger_entries (
    customer_id    text NOT NULL,
    number         integer NOT NULL,
    amount         bigint NOT NULL,
    currency       text NOT NULL,
    description    text NOT NULL,
    created_at     timestamptz NOT NULL,
    balance_after  bigint NOT NULL,
    event_id       uuid NOT NULL,
    version        integer NOT NULL,
    PRIMARY KEY (customer_id, number)
);

CREATE INDEX IF NOT EXISTS ledger_entries_by_time
    ON ledger_entries (customer_id, created_at, number);

CREATE TABLE IF NOT EXISTS balances (
    customer_id  text PRIMARY KEY,
    balance      bigint NOT NULL,
    currency     text,
    version      integer NOT NULL,
    entries      integer NOT NULL
);

CREATE TABLE IF NOT EXISTS credit_requests (
    customer_id        text NOT NULL,
    request_id         text NOT NULL,
    status             text NOT NULL,
    amount             bigint NOT NULL,
    currency           text NOT NULL,
    description        text NOT NULL,
    payment_method_id  text,
    payment_id         text,
    client_secret      text,
    failure_code       text,
    failure_message    text,
    PRIMARY KEY (customer_id, request_id)
);
"""
