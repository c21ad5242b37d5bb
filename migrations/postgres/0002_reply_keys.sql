-- A reporter's reply sent again (after a lost answer) is stored once.
CREATE TABLE reply_keys (
    key TEXT PRIMARY KEY,
    complaint_id BIGINT NOT NULL REFERENCES complaints (id),
    body_hash TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
