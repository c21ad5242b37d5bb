-- Several server processes on one database. The per-address budgets and
-- the delivery worker's wake-ups are PostgreSQL's only: one SQLite process
-- keeps its budgets in memory, and its writer wakes the worker itself.

-- The request that queued a message, so that a delivery's log line names
-- the request behind it.
ALTER TABLE outbox ADD COLUMN request_id TEXT;
