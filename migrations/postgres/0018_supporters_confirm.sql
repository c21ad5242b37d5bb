-- A supporter counts once they confirm their address by the link sent to
-- it: nobody can be made to support a complaint, nor a count inflated with
-- addresses nobody reads, and whether an address already supports a
-- complaint cannot be learnt by trying to join with it. Those who joined
-- before confirmation existed stay counted.
ALTER TABLE supporters ADD COLUMN confirmed_at BIGINT;
ALTER TABLE supporters ADD COLUMN confirm_token TEXT;
UPDATE supporters SET confirmed_at = joined_at;
CREATE UNIQUE INDEX supporters_by_confirm_token ON supporters (confirm_token);
