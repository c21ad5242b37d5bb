-- Several server processes on one database: PostgreSQL only. One SQLite
-- process keeps its per-address budgets in memory, and its writer wakes the
-- delivery worker itself, so this version changes nothing here.
SELECT 1;
