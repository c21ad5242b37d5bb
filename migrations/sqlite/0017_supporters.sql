-- Citizens who joined an open complaint instead of filing the same one
-- again ("saya juga"). The officers and the dashboard count them; the
-- address they left hears of the complaint's progress. Their contact
-- details are theirs alone: no page, feed, export or log shows them.
CREATE TABLE supporters (
    id INTEGER PRIMARY KEY,
    complaint_id INTEGER NOT NULL REFERENCES complaints (id),
    -- SHA-256, with the service's secret, of the e-mail address (lower
    -- case) or else the phone's digits: whoever joins twice is counted once. It stays when the
    -- contact details are erased, so the count does too.
    contact_key TEXT NOT NULL,
    name TEXT,
    email TEXT,
    phone TEXT,
    locale TEXT NOT NULL CHECK (locale IN ('id', 'en', 'ban')),
    -- What the link in their e-mails carries to stop them.
    leave_token TEXT NOT NULL UNIQUE,
    joined_at INTEGER NOT NULL,
    UNIQUE (complaint_id, contact_key)
);

-- Open complaints of a region, category and district, newest first.
CREATE INDEX complaints_like_this ON complaints (region_slug, category_key, district_key, created_at);
