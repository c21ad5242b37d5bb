-- An officer finds a complaint by the last group of its tracking code,
-- which a citizen reads out on the phone: the group is indexed (the same
-- expression the console's search asks for).
CREATE INDEX complaints_by_code_tail ON complaints ((substr(tracking_code, length(tracking_code) - 3)));
