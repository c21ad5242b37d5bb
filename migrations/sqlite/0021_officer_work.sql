-- An officer's own work: the complaints they took or were assigned (one
-- officer of the complaint's unit at a time), the lists they saved, how
-- they want to hear by e-mail, and the days their digest was sent.

-- Who in the unit is on it; none while the unit has not picked it up.
ALTER TABLE complaints ADD COLUMN assignee_id INTEGER REFERENCES officers (id);
CREATE INDEX complaints_by_assignee ON complaints (assignee_id, due_date, id) WHERE assignee_id IS NOT NULL;

-- immediate: an e-mail for each complaint to act on; digest: only the
-- daily digest; off: no e-mail at all. The digest goes at `digest_at`
-- (HH:MM, the region's time).
ALTER TABLE officers ADD COLUMN mail_pref TEXT NOT NULL DEFAULT 'immediate' CHECK (mail_pref IN ('immediate', 'digest', 'off'));
ALTER TABLE officers ADD COLUMN digest_at TEXT NOT NULL DEFAULT '07:00';

-- A filter of the inbox an officer named, as its query string.
CREATE TABLE saved_views (
    id INTEGER PRIMARY KEY,
    officer_id INTEGER NOT NULL REFERENCES officers (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    query TEXT NOT NULL,
    in_digest BOOLEAN NOT NULL DEFAULT FALSE,
    created_at INTEGER NOT NULL,
    UNIQUE (officer_id, name)
);

-- One row per officer and day a digest was written: whichever process
-- inserts it writes the digest, every other one finds it there.
CREATE TABLE digest_runs (
    officer_id INTEGER NOT NULL REFERENCES officers (id) ON DELETE CASCADE,
    day TEXT NOT NULL,
    at INTEGER NOT NULL,
    PRIMARY KEY (officer_id, day)
);
