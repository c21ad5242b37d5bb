-- Several server processes on one database.

-- Per-address budgets shared by every process: one row per budget and
-- client, holding the theoretical arrival time of the next request (GCRA).
-- Unlogged: a crash forgets the budgets, which only gives everyone a full
-- bucket again; no write-ahead log is spent on them.
CREATE UNLOGGED TABLE rate_buckets (
    key TEXT PRIMARY KEY,
    tat BIGINT NOT NULL
);

-- The request that queued a message, so that a delivery's log line names
-- the request behind it.
ALTER TABLE outbox ADD COLUMN request_id TEXT;

-- Committing outbox messages wakes every process's delivery worker at
-- once (the notification is sent at commit, once per transaction). A
-- statement that queued nothing (no subscriber) wakes no one.
CREATE FUNCTION aduan_outbox_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM queued) THEN
        PERFORM pg_notify('aduan_outbox', '');
    END IF;
    RETURN NULL;
END;
$$;

CREATE TRIGGER outbox_notify AFTER INSERT ON outbox
    REFERENCING NEW TABLE AS queued
    FOR EACH STATEMENT EXECUTE FUNCTION aduan_outbox_notify();
