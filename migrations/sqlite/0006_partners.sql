-- Open311 partners: civic software that files and reads through
-- /open311/v2 with an API key an administrator issued. Only the key's
-- SHA-256 is kept.
CREATE TABLE partners (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    key_hash TEXT NOT NULL UNIQUE,
    active BOOLEAN NOT NULL DEFAULT TRUE,
    created_at INTEGER NOT NULL
);

-- Open311 lists requests newest first.
CREATE INDEX complaints_by_created ON complaints (created_at, id);
