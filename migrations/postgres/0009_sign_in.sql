-- Sign-in attempts are taken from budgets before a password is checked:
-- per account and address, per account, per address, per trusted device.
-- A budget is a fixed window: `used` attempts since `window_start`.
CREATE TABLE sign_in_budgets (
    key TEXT PRIMARY KEY,
    window_start BIGINT NOT NULL,
    used INTEGER NOT NULL
);

CREATE INDEX sign_in_budgets_by_window ON sign_in_budgets (window_start);

-- Browsers an officer signed in from before (a device cookie; only its
-- SHA-256 is kept). Their attempts have a budget of their own, so guesses
-- from elsewhere cannot lock the officer out.
CREATE TABLE trusted_devices (
    token_hash TEXT PRIMARY KEY,
    officer_id BIGINT NOT NULL REFERENCES officers (id),
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);

CREATE INDEX trusted_devices_by_expiry ON trusted_devices (expires_at);

DROP TABLE sign_in_failures;
