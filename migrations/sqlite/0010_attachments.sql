-- Photos and documents. An upload arrives over tus (resumable); once its
-- last byte is in, it is cleaned and waits to be attached until it expires.
CREATE TABLE uploads (
    id TEXT PRIMARY KEY,
    length BIGINT NOT NULL,
    filename TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    -- Set once cleaned: the SHA-256 of the cleaned bytes, and what they are.
    blob TEXT,
    thumb TEXT,
    kind TEXT CHECK (kind IN ('jpeg', 'png', 'pdf')),
    size BIGINT,
    width INTEGER,
    height INTEGER
);

CREATE INDEX uploads_by_expiry ON uploads (expires_at);

-- A cleaned file attached to a complaint: with the complaint itself, a
-- reporter's reply, an officer's public reply or an internal note. The
-- part decides who may see it (see `disclosure.rs`).
CREATE TABLE attachments (
    id TEXT PRIMARY KEY,
    complaint_id BIGINT NOT NULL REFERENCES complaints (id),
    upload_id TEXT NOT NULL,
    -- Its place among the files of its message.
    position INTEGER NOT NULL DEFAULT 0,
    part TEXT NOT NULL CHECK (part IN ('complaint', 'reporter_reply', 'officer_reply', 'internal_note')),
    -- Hidden by an officer from every outlet outside the console and the
    -- reporter's tracker (a face, a plate number).
    hidden BOOLEAN NOT NULL DEFAULT FALSE,
    blob TEXT NOT NULL,
    thumb TEXT,
    kind TEXT NOT NULL CHECK (kind IN ('jpeg', 'png', 'pdf')),
    filename TEXT NOT NULL,
    size BIGINT NOT NULL,
    width INTEGER,
    height INTEGER,
    created_at BIGINT NOT NULL,
    CONSTRAINT attachments_once UNIQUE (complaint_id, upload_id)
);

CREATE INDEX attachments_by_blob ON attachments (blob);
CREATE INDEX attachments_by_thumb ON attachments (thumb);

-- SQLite keeps the bytes in a folder beside the database file.

-- Keys the service makes for itself once, shared by every process (the
-- key that signs short-lived download links).
CREATE TABLE service_keys (
    name TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
