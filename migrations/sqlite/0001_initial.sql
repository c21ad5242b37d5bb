-- Reference data, complaints, their reporters and their append-only history.
-- Timestamps are milliseconds since 1970 (UTC); calendar dates are YYYY-MM-DD
-- text in the region's local calendar.

CREATE TABLE regions (
    slug TEXT PRIMARY KEY,
    code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('province', 'regency', 'city')),
    parent_slug TEXT REFERENCES regions (slug),
    -- 1, 2 or 3 as reported in 2019; NULL when unknown.
    lapor_group_2019 INTEGER CHECK (lapor_group_2019 IN (1, 2, 3)),
    integration_mode TEXT NOT NULL CHECK (integration_mode IN ('lapor', 'webhook', 'none')),
    own_portal TEXT,
    code_prefix TEXT NOT NULL UNIQUE,
    sort_order INTEGER NOT NULL
);

CREATE TABLE districts (
    key TEXT PRIMARY KEY,
    region_slug TEXT NOT NULL REFERENCES regions (slug),
    name TEXT NOT NULL,
    sort_order INTEGER NOT NULL
);

CREATE TABLE units (
    region_slug TEXT NOT NULL REFERENCES regions (slug),
    key TEXT NOT NULL,
    name TEXT NOT NULL,
    is_coordinator BOOLEAN NOT NULL DEFAULT FALSE,
    sort_order INTEGER NOT NULL,
    PRIMARY KEY (region_slug, key)
);

CREATE TABLE categories (
    key TEXT PRIMARY KEY,
    name_id TEXT NOT NULL,
    name_en TEXT NOT NULL,
    supervisory BOOLEAN NOT NULL DEFAULT FALSE,
    sort_order INTEGER NOT NULL
);

CREATE TABLE routing_rules (
    region_slug TEXT NOT NULL,
    category_key TEXT NOT NULL REFERENCES categories (key),
    unit_key TEXT NOT NULL,
    PRIMARY KEY (region_slug, category_key),
    FOREIGN KEY (region_slug, unit_key) REFERENCES units (region_slug, key)
);

CREATE TABLE holidays (
    region_slug TEXT NOT NULL REFERENCES regions (slug),
    day TEXT NOT NULL,
    name TEXT NOT NULL,
    PRIMARY KEY (region_slug, day)
);

CREATE TABLE settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE complaints (
    id INTEGER PRIMARY KEY,
    tracking_code TEXT NOT NULL UNIQUE,
    region_slug TEXT NOT NULL REFERENCES regions (slug),
    unit_key TEXT NOT NULL,
    filed_region_slug TEXT NOT NULL REFERENCES regions (slug),
    district_key TEXT REFERENCES districts (key),
    category_key TEXT NOT NULL REFERENCES categories (key),
    classification TEXT NOT NULL CHECK (classification IN ('complaint', 'aspiration', 'information_request')),
    privacy TEXT NOT NULL CHECK (privacy IN ('public', 'anonymous', 'confidential')),
    title TEXT NOT NULL,
    description TEXT NOT NULL,
    location TEXT,
    incident_date TEXT,
    locale TEXT NOT NULL CHECK (locale IN ('id', 'en')),
    status TEXT NOT NULL,
    due_step TEXT,
    due_date TEXT,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    version INTEGER NOT NULL DEFAULT 1,
    FOREIGN KEY (region_slug, unit_key) REFERENCES units (region_slug, key)
);

CREATE INDEX complaints_by_region_status_due ON complaints (region_slug, status, due_date, id);
CREATE INDEX complaints_by_unit_status_due ON complaints (region_slug, unit_key, status, due_date, id);

-- The reporter's identity lives apart from the complaint text.
CREATE TABLE reporters (
    complaint_id INTEGER PRIMARY KEY REFERENCES complaints (id),
    name TEXT,
    email TEXT,
    phone TEXT
);

CREATE TABLE complaint_events (
    id INTEGER PRIMARY KEY,
    complaint_id INTEGER NOT NULL REFERENCES complaints (id),
    at INTEGER NOT NULL,
    kind TEXT NOT NULL,
    author TEXT NOT NULL CHECK (author IN ('reporter', 'officer', 'system')),
    officer_id INTEGER,
    from_status TEXT,
    to_status TEXT,
    public_message TEXT,
    internal_note TEXT
);

CREATE INDEX complaint_events_by_complaint ON complaint_events (complaint_id, id);

CREATE TRIGGER complaint_events_no_update BEFORE UPDATE ON complaint_events
BEGIN
    SELECT RAISE(ABORT, 'complaint events are append-only');
END;

CREATE TRIGGER complaint_events_no_delete BEFORE DELETE ON complaint_events
BEGIN
    SELECT RAISE(ABORT, 'complaint events are append-only');
END;

CREATE TABLE idempotency_keys (
    key TEXT PRIMARY KEY,
    body_hash TEXT NOT NULL,
    complaint_id INTEGER NOT NULL REFERENCES complaints (id),
    receipt TEXT NOT NULL,
    created_at INTEGER NOT NULL
);
