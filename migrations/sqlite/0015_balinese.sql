-- no-transaction
-- Balinese (ban) as a reporter's language, beside Indonesian and English.
-- SQLite cannot change a CHECK constraint in place: the table is rebuilt as
-- in 0012 (foreign keys off outside the transaction; every row keeps its id,
-- so the rows that point at a complaint still do) and its indexes made
-- again.
PRAGMA foreign_keys = OFF;
BEGIN;

CREATE TABLE complaints_next (
    id INTEGER PRIMARY KEY,
    tracking_code TEXT NOT NULL UNIQUE,
    region_slug TEXT NOT NULL REFERENCES regions (slug),
    unit_key TEXT NOT NULL,
    filed_region_slug TEXT NOT NULL REFERENCES regions (slug),
    district_key TEXT REFERENCES districts (key),
    category_key TEXT NOT NULL REFERENCES categories (key),
    classification TEXT NOT NULL CHECK (classification IN ('complaint', 'aspiration', 'information_request')),
    title TEXT NOT NULL,
    description TEXT NOT NULL,
    location TEXT,
    incident_date TEXT,
    locale TEXT NOT NULL CHECK (locale IN ('id', 'en', 'ban')),
    status TEXT NOT NULL,
    due_step TEXT,
    due_date TEXT,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    version INTEGER NOT NULL DEFAULT 1,
    tier TEXT,
    lapor_tracking_id TEXT,
    lapor_transaction_id TEXT,
    public_id TEXT NOT NULL DEFAULT '',
    anonymous BOOLEAN NOT NULL DEFAULT FALSE,
    confidential BOOLEAN NOT NULL DEFAULT FALSE,
    channel TEXT NOT NULL DEFAULT 'api',
    handed_off_from TEXT REFERENCES regions (slug),
    FOREIGN KEY (region_slug, unit_key) REFERENCES units (region_slug, key)
);

INSERT INTO complaints_next (id, tracking_code, region_slug, unit_key, filed_region_slug, district_key, category_key, classification, title, description, location, incident_date, locale, status, due_step, due_date, created_at, updated_at, version, tier, lapor_tracking_id, lapor_transaction_id, public_id, anonymous, confidential, channel, handed_off_from)
    SELECT id, tracking_code, region_slug, unit_key, filed_region_slug, district_key, category_key, classification, title, description, location, incident_date, locale, status, due_step, due_date, created_at, updated_at, version, tier, lapor_tracking_id, lapor_transaction_id, public_id, anonymous, confidential, channel, handed_off_from FROM complaints;
DROP TABLE complaints;
ALTER TABLE complaints_next RENAME TO complaints;

CREATE INDEX complaints_by_region_status_due ON complaints (region_slug, status, due_date, id);
CREATE INDEX complaints_by_unit_status_due ON complaints (region_slug, unit_key, status, due_date, id);
CREATE INDEX complaints_open_by_unit ON complaints (region_slug, unit_key, due_date, id)
    WHERE status NOT IN ('closed', 'rejected', 'transferred_out');
CREATE INDEX complaints_open_by_region ON complaints (region_slug, due_date, id)
    WHERE status NOT IN ('closed', 'rejected', 'transferred_out');
CREATE INDEX complaints_open_by_due ON complaints (due_date, id)
    WHERE status NOT IN ('closed', 'rejected', 'transferred_out');
CREATE INDEX complaints_by_status_due ON complaints (status, due_date);
CREATE INDEX complaints_by_created ON complaints (created_at, id);
CREATE INDEX complaints_by_lapor_id ON complaints (lapor_tracking_id);
CREATE UNIQUE INDEX complaints_by_public_id ON complaints (public_id);
CREATE INDEX complaints_by_handoff ON complaints (handed_off_from, created_at) WHERE handed_off_from IS NOT NULL;

COMMIT;
PRAGMA foreign_keys = ON;
