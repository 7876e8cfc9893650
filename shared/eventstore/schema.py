"""DDL of the event store: the append-only events table and the snapshots table.

Run through :func:`shared.database.migrate`, inside the owning service's schema.
Every statement is idempotent.
"""

EVENTS_DDL = """
CREATE TABLE IF NOT EXISTS events (
    position        bigint GENERATED ALWAYS AS IDENTITY,
    transaction_id  xid8 NOT NULL DEFAULT pg_current_xact_id(),
    stream_id       text NOT NULL,
    version         integer NOT NULL CHECK (version > 0),
    event_id        uuid NOT NULL,
    event_type      text NOT NULL,
    schema_version  integer NOT NULL CHECK (schema_version > 0),
    customer_id     text NOT NULL,
    payload         jsonb NOT NULL,
    occurred_at     timestamptz NOT NULL,
    recorded_at     timestamptz NOT NULL DEFAULT statement_timestamp(),
    correlation_id  uuid NOT NULL,
    causation_id    uuid,
    CONSTRAINT events_stream_version_key PRIMARY KEY (stream_id, version),
    CONSTRAINT events_event_id_key UNIQUE (event_id)
);

CREATE INDEX IF NOT EXISTS events_global_order ON events (transaction_id, position);

CREATE OR REPLACE FUNCTION events_refuse_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the events table is append-only: % is refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END
$$;

CREATE OR REPLACE TRIGGER events_append_only
    BEFORE UPDATE OR DELETE ON events
    FOR EACH ROW EXECUTE FUNCTION events_refuse_change();

CREATE OR REPLACE TRIGGER events_no_truncate
    BEFORE TRUNCATE ON events
    FOR EACH STATEMENT EXECUTE FUNCTION events_refuse_change();

-- The gap-free global reader (see shared/eventstore/store.py). The settings pin the
-- plan to an ordered scan of events_global_order whatever the table statistics say:
-- with stale statistics the planner may otherwise sort the whole tail for each page.
CREATE OR REPLACE FUNCTION read_events_after(after_tx xid8, after_pos bigint, max_rows integer)
RETURNS TABLE (
    stream_id text, version integer, "position" bigint, transaction_id bigint,
    event_id text, event_type text, schema_version integer, customer_id text,
    payload text, occurred_at timestamptz, recorded_at timestamptz,
    correlation_id text, causation_id text)
LANGUAGE sql STABLE
SET enable_sort = off
SET enable_bitmapscan = off
AS $$
    SELECT e.stream_id, e.version, e.position, e.transaction_id::text::bigint,
           e.event_id::text, e.event_type, e.schema_version, e.customer_id,
           e.payload::text, e.occurred_at, e.recorded_at,
           e.correlation_id::text, e.causation_id::text
    FROM events e
    WHERE (e.transaction_id, e.position) > (after_tx, after_pos)
      AND e.transaction_id < pg_snapshot_xmin(pg_current_snapshot())
    ORDER BY e.transaction_id, e.position
    LIMIT max_rows
$$;

CREATE TABLE IF NOT EXISTS snapshots (
    stream_id       text PRIMARY KEY,
    version         integer NOT NULL,
    schema_version  integer NOT NULL,
    state           jsonb NOT NULL,
    taken_at        timestamptz NOT NULL DEFAULT now()
);
"""
