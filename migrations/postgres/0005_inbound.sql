-- Messages a region's own app sent in, by the sender's message id: a
-- repeat is recognised and changes nothing.
CREATE TABLE inbound_messages (
    subscriber_id BIGINT NOT NULL REFERENCES webhook_subscribers (id),
    message_id TEXT NOT NULL,
    received_at BIGINT NOT NULL,
    event_id BIGINT NOT NULL REFERENCES complaint_events (id),
    PRIMARY KEY (subscriber_id, message_id)
);
