-- SP4N-LAPOR: the tracking and transaction ids LAPOR gave a forwarded
-- complaint, and the status updates it sent back (each applied once).
ALTER TABLE complaints ADD COLUMN lapor_tracking_id TEXT;
ALTER TABLE complaints ADD COLUMN lapor_transaction_id TEXT;
CREATE INDEX complaints_by_lapor_id ON complaints (lapor_tracking_id);

CREATE TABLE lapor_updates (
    update_id TEXT PRIMARY KEY,
    complaint_id INTEGER NOT NULL REFERENCES complaints (id),
    received_at INTEGER NOT NULL
);
