-- What must leave the system, written in the same transaction as the change
-- that causes it, and the subscribers that receive signed webhooks.

CREATE TABLE webhook_subscribers (
    id INTEGER PRIMARY KEY,
    url TEXT NOT NULL,
    -- NULL: every region's events. A region's own subscriber receives that
    -- region's events while the region is in `webhook` mode.
    region_slug TEXT REFERENCES regions (slug),
    -- `whsec_` and the base64 key, as the Standard Webhooks format writes it.
    secret TEXT NOT NULL,
    -- After a rotation the old secret also signs until this time, so the
    -- receiver can switch without losing a delivery.
    previous_secret TEXT,
    previous_until INTEGER,
    active BOOLEAN NOT NULL DEFAULT TRUE,
    created_at INTEGER NOT NULL
);

CREATE TABLE outbox (
    id INTEGER PRIMARY KEY,
    -- Stable per message and receiver, sent as `webhook-id`: receivers drop repeats by it.
    delivery_id TEXT NOT NULL UNIQUE,
    channel TEXT NOT NULL CHECK (channel IN ('webhook', 'lapor', 'email')),
    -- The subscriber id, the region, or the address.
    target TEXT NOT NULL,
    -- Messages about one complaint reach one target in order.
    complaint_id INTEGER REFERENCES complaints (id),
    event_type TEXT NOT NULL,
    payload TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('pending', 'delivered', 'failed')),
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    -- A worker holds a claimed row until this time; if it dies, the row is
    -- claimed again after it.
    lease_until INTEGER,
    last_error TEXT,
    created_at INTEGER NOT NULL,
    delivered_at INTEGER
);

CREATE INDEX outbox_pending ON outbox (next_attempt_at, id) WHERE state = 'pending';
CREATE INDEX outbox_by_complaint ON outbox (target, complaint_id, id) WHERE state = 'pending';
CREATE INDEX outbox_failed ON outbox (id) WHERE state = 'failed';
