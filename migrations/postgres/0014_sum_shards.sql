-- Each day's sums are split over a few rows (shards), chosen by complaint:
-- concurrent submissions to one region and unit add to different rows
-- instead of all waiting on one row's lock until each commits. Readers add
-- the shards together.
ALTER TABLE stats_daily ADD COLUMN shard INTEGER NOT NULL DEFAULT 0;
ALTER TABLE stats_daily DROP CONSTRAINT stats_daily_pkey;
ALTER TABLE stats_daily ADD PRIMARY KEY (region_slug, unit_key, day, shard);
