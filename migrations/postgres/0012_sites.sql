-- Webmasters and their sites: where the widget may take complaints for a
-- region, how it looks there, and the signs that it works.

-- A webmaster is an officer who reads no complaint.
ALTER TABLE officers DROP CONSTRAINT officers_role_check;
ALTER TABLE officers ADD CONSTRAINT officers_role_check
    CHECK (role IN ('admin', 'province', 'coordinator', 'unit', 'supervisor', 'webmaster'));

-- A site of a region: its public key (the snippet's data-site), name and
-- the widget's look there.
CREATE TABLE sites (
    id BIGSERIAL PRIMARY KEY,
    site_key TEXT NOT NULL UNIQUE,
    region_slug TEXT NOT NULL REFERENCES regions (slug),
    name TEXT NOT NULL,
    lang TEXT NOT NULL DEFAULT 'id',
    theme TEXT NOT NULL DEFAULT 'auto',
    accent TEXT NOT NULL DEFAULT '#0b5cad',
    radius BIGINT NOT NULL DEFAULT 6,
    launcher TEXT NOT NULL DEFAULT '',
    position TEXT NOT NULL DEFAULT 'right',
    mode TEXT NOT NULL DEFAULT 'floating',
    -- The last active check: which page, when, and what it found (JSON).
    check_url TEXT,
    check_at BIGINT,
    check_result TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE INDEX sites_by_region ON sites (region_slug, id);

-- The browser origins a site answers for (`https://*.host` for its subdomains).
CREATE TABLE site_origins (
    site_id BIGINT NOT NULL REFERENCES sites (id),
    origin TEXT NOT NULL,
    region_slug TEXT NOT NULL REFERENCES regions (slug),
    PRIMARY KEY (site_id, origin)
);

CREATE INDEX site_origins_by_region ON site_origins (region_slug, origin);

-- The passive heartbeat: the widget loading on a registered origin.
CREATE TABLE site_seen (
    site_id BIGINT NOT NULL REFERENCES sites (id),
    origin TEXT NOT NULL,
    version TEXT NOT NULL,
    seen_at BIGINT NOT NULL,
    PRIMARY KEY (site_id, origin)
);

-- What a page's Content-Security-Policy blocked of the widget's own code.
CREATE TABLE site_csp_reports (
    site_id BIGINT NOT NULL REFERENCES sites (id),
    origin TEXT NOT NULL,
    directive TEXT NOT NULL,
    blocked TEXT NOT NULL,
    reports BIGINT NOT NULL,
    first_at BIGINT NOT NULL,
    last_at BIGINT NOT NULL,
    PRIMARY KEY (site_id, origin, directive, blocked)
);

-- Origins a region's widget was used from without being registered: a
-- webmaster adds the ones that are theirs. Few per region (the oldest go).
CREATE TABLE origin_refusals (
    region_slug TEXT NOT NULL REFERENCES regions (slug),
    origin TEXT NOT NULL,
    refused BIGINT NOT NULL DEFAULT 0,
    loaded BIGINT NOT NULL DEFAULT 0,
    last_at BIGINT NOT NULL,
    PRIMARY KEY (region_slug, origin)
);
