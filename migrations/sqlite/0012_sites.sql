-- no-transaction
-- Webmasters and their sites: where the widget may take complaints for a
-- region, how it looks there, and the signs that it works.

-- A webmaster is an officer who reads no complaint. SQLite cannot change a
-- CHECK constraint in place: the table is rebuilt, as SQLite's documentation
-- prescribes, with foreign keys off outside the transaction (sessions and
-- sign-in records point at officers by id, which stays the same), and
-- turned on again after the commit.
PRAGMA foreign_keys = OFF;
BEGIN;

CREATE TABLE officers_next (
    id INTEGER PRIMARY KEY,
    email TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('admin', 'province', 'coordinator', 'unit', 'supervisor', 'webmaster')),
    region_slug TEXT NOT NULL REFERENCES regions (slug),
    unit_key TEXT,
    active BOOLEAN NOT NULL DEFAULT TRUE,
    created_at INTEGER NOT NULL,
    FOREIGN KEY (region_slug, unit_key) REFERENCES units (region_slug, key)
);

INSERT INTO officers_next (id, email, name, password_hash, role, region_slug, unit_key, active, created_at)
    SELECT id, email, name, password_hash, role, region_slug, unit_key, active, created_at FROM officers;
DROP TABLE officers;
ALTER TABLE officers_next RENAME TO officers;

-- A site of a region: its public key (the snippet's data-site), name and
-- the widget's look there.
CREATE TABLE sites (
    id INTEGER PRIMARY KEY,
    site_key TEXT NOT NULL UNIQUE,
    region_slug TEXT NOT NULL REFERENCES regions (slug),
    name TEXT NOT NULL,
    lang TEXT NOT NULL DEFAULT 'id',
    theme TEXT NOT NULL DEFAULT 'auto',
    accent TEXT NOT NULL DEFAULT '#0b5cad',
    radius INTEGER NOT NULL DEFAULT 6,
    launcher TEXT NOT NULL DEFAULT '',
    position TEXT NOT NULL DEFAULT 'right',
    mode TEXT NOT NULL DEFAULT 'floating',
    -- The last active check: which page, when, and what it found (JSON).
    check_url TEXT,
    check_at INTEGER,
    check_result TEXT,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);

CREATE INDEX sites_by_region ON sites (region_slug, id);

-- The browser origins a site answers for (`https://*.host` for its subdomains).
CREATE TABLE site_origins (
    site_id INTEGER NOT NULL REFERENCES sites (id),
    origin TEXT NOT NULL,
    region_slug TEXT NOT NULL REFERENCES regions (slug),
    PRIMARY KEY (site_id, origin)
);

CREATE INDEX site_origins_by_region ON site_origins (region_slug, origin);

-- The passive heartbeat: the widget loading on a registered origin.
CREATE TABLE site_seen (
    site_id INTEGER NOT NULL REFERENCES sites (id),
    origin TEXT NOT NULL,
    version TEXT NOT NULL,
    seen_at INTEGER NOT NULL,
    PRIMARY KEY (site_id, origin)
);

-- What a page's Content-Security-Policy blocked of the widget's own code.
CREATE TABLE site_csp_reports (
    site_id INTEGER NOT NULL REFERENCES sites (id),
    origin TEXT NOT NULL,
    directive TEXT NOT NULL,
    blocked TEXT NOT NULL,
    reports BIGINT NOT NULL,
    first_at INTEGER NOT NULL,
    last_at INTEGER NOT NULL,
    PRIMARY KEY (site_id, origin, directive, blocked)
);

-- Origins a region's widget was used from without being registered: a
-- webmaster adds the ones that are theirs. Few per region (the oldest go).
CREATE TABLE origin_refusals (
    region_slug TEXT NOT NULL REFERENCES regions (slug),
    origin TEXT NOT NULL,
    refused BIGINT NOT NULL DEFAULT 0,
    loaded BIGINT NOT NULL DEFAULT 0,
    last_at INTEGER NOT NULL,
    PRIMARY KEY (region_slug, origin)
);

COMMIT;
PRAGMA foreign_keys = ON;
