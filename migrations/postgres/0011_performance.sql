-- What regional heads are judged by: each complaint's history read as
-- indicators (complaint_facts), summed per region, unit and day of receipt
-- (stats_daily) by the same transaction that writes the history, so the
-- dashboard reads a few thousand rows however many complaints there are.

-- Where a complaint came in: widget, hosted, api, open311 or lapor.
ALTER TABLE complaints ADD COLUMN channel TEXT NOT NULL DEFAULT 'api';
-- Set when a supervisory complaint was handed to the province's unit: the
-- region where it happened, which keeps it in its statistics.
ALTER TABLE complaints ADD COLUMN handed_off_from TEXT REFERENCES regions (slug);

CREATE INDEX complaints_by_handoff ON complaints (handed_off_from, created_at) WHERE handed_off_from IS NOT NULL;

-- Supervisory categories handed from every region to one unit; with no
-- unit, the category stays with each region (an administrator's choice
-- that the reference data loaded at start leaves alone).
CREATE TABLE handoff_rules (
    category_key TEXT PRIMARY KEY REFERENCES categories (key),
    region_slug TEXT,
    unit_key TEXT,
    FOREIGN KEY (region_slug, unit_key) REFERENCES units (region_slug, key)
);

-- The reporter's rating of the handling, once per complaint.
CREATE TABLE ratings (
    complaint_id BIGINT PRIMARY KEY REFERENCES complaints (id),
    score INTEGER NOT NULL CHECK (score BETWEEN 1 AND 5),
    comment TEXT,
    at BIGINT NOT NULL
);

-- One row per complaint, rewritten with every event (see `stats/facts.rs`).
CREATE TABLE complaint_facts (
    complaint_id BIGINT PRIMARY KEY REFERENCES complaints (id),
    -- The region it counts for (where it happened) and its unit now.
    region_slug TEXT NOT NULL,
    unit_key TEXT NOT NULL,
    category_key TEXT NOT NULL,
    channel TEXT NOT NULL,
    confidential BOOLEAN NOT NULL,
    -- The day it was received, in the local calendar.
    day TEXT NOT NULL,
    -- pending, on_time or late; the due date while pending.
    verification TEXT NOT NULL,
    verification_due TEXT,
    -- none, pending, on_time or late.
    plan TEXT NOT NULL,
    plan_due TEXT,
    -- Working days from receipt to the first public reply and to the resolution.
    first_reply_days INTEGER,
    resolution_days INTEGER,
    -- open, resolved, confirmed, quiet or rejected.
    outcome TEXT NOT NULL,
    reopened INTEGER NOT NULL,
    followups INTEGER NOT NULL,
    template_followups INTEGER NOT NULL,
    rating INTEGER,
    -- The due date of its current step while it is open, else NULL.
    open_due TEXT,
    last_event_id BIGINT NOT NULL
);

CREATE INDEX complaint_facts_by_day ON complaint_facts (region_slug, day, unit_key);
-- What is late today without an event: few rows, read whole from the index.
CREATE INDEX complaint_facts_verification_pending ON complaint_facts (verification_due, day, region_slug, unit_key) WHERE verification = 'pending';
CREATE INDEX complaint_facts_plan_pending ON complaint_facts (plan_due, day, region_slug, unit_key) WHERE plan = 'pending';
CREATE INDEX complaint_facts_open_due ON complaint_facts (open_due, day, region_slug, unit_key) WHERE open_due IS NOT NULL;

-- The facts summed per region, unit and day of receipt. `unit_key` '*' is
-- the whole region. `tally` is the sum in the text form of `stats::Tally`.
CREATE TABLE stats_daily (
    region_slug TEXT NOT NULL,
    unit_key TEXT NOT NULL,
    day TEXT NOT NULL,
    tally TEXT NOT NULL,
    PRIMARY KEY (region_slug, unit_key, day)
);

CREATE INDEX stats_daily_by_day ON stats_daily (unit_key, day, region_slug);

-- How often a region sent each follow-up text (by SHA-256), to tell
-- template answers.
CREATE TABLE reply_texts (
    region_slug TEXT NOT NULL,
    hash TEXT NOT NULL,
    uses INTEGER NOT NULL,
    PRIMARY KEY (region_slug, hash)
);

-- Signs of life per region: an officer's last action, the last message
-- delivered to its portal, the last time its widget loaded.
CREATE TABLE region_pulse (
    region_slug TEXT PRIMARY KEY REFERENCES regions (slug),
    officer_at BIGINT,
    delivered_at BIGINT,
    widget_at BIGINT
);
