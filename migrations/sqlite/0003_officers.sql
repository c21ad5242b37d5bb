-- Officers, their sessions, sign-in failures, and what the console needs
-- from complaints: the officer and detail of each event, open-queue indexes.

CREATE TABLE officers (
    id INTEGER PRIMARY KEY,
    email TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('admin', 'province', 'coordinator', 'unit', 'supervisor')),
    region_slug TEXT NOT NULL REFERENCES regions (slug),
    unit_key TEXT,
    active BOOLEAN NOT NULL DEFAULT TRUE,
    created_at INTEGER NOT NULL,
    FOREIGN KEY (region_slug, unit_key) REFERENCES units (region_slug, key)
);

-- Only a hash of the session token is kept: a copy of the database signs nobody in.
CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    officer_id INTEGER NOT NULL REFERENCES officers (id),
    csrf_token TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
);

CREATE INDEX sessions_by_expiry ON sessions (expires_at);

-- Failed sign-ins, per account and per address, counted over a window.
CREATE TABLE sign_in_failures (
    id INTEGER PRIMARY KEY,
    email TEXT NOT NULL,
    address TEXT NOT NULL,
    at INTEGER NOT NULL
);

CREATE INDEX sign_in_failures_by_email ON sign_in_failures (email, at);
CREATE INDEX sign_in_failures_by_address ON sign_in_failures (address, at);

-- What an event changed besides the status: the unit, the region, the tier.
ALTER TABLE complaint_events ADD COLUMN detail TEXT;

-- The follow-up's complexity tier, chosen with the plan.
ALTER TABLE complaints ADD COLUMN tier TEXT;

-- Open complaints by due date: the inbox of a unit, of a region, of the province.
CREATE INDEX complaints_open_by_unit ON complaints (region_slug, unit_key, due_date, id)
    WHERE status NOT IN ('closed', 'rejected', 'transferred_out');
CREATE INDEX complaints_open_by_region ON complaints (region_slug, due_date, id)
    WHERE status NOT IN ('closed', 'rejected', 'transferred_out');
CREATE INDEX complaints_open_by_due ON complaints (due_date, id)
    WHERE status NOT IN ('closed', 'rejected', 'transferred_out');
-- The quiet-period closer looks for resolved complaints past their date.
CREATE INDEX complaints_by_status_due ON complaints (status, due_date);
