-- Each day's sums are split over a few rows (shards), chosen by complaint:
-- on PostgreSQL concurrent submissions then add to different rows instead of
-- waiting on one row's lock. SQLite has one writer, but keeps the same
-- table so that both engines share their statements. Readers add the shards
-- together. A primary key changes only by rebuilding the table.
CREATE TABLE stats_daily_next (
    region_slug TEXT NOT NULL,
    unit_key TEXT NOT NULL,
    day TEXT NOT NULL,
    tally TEXT NOT NULL,
    shard INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (region_slug, unit_key, day, shard)
);
INSERT INTO stats_daily_next (region_slug, unit_key, day, tally, shard)
    SELECT region_slug, unit_key, day, tally, 0 FROM stats_daily;
DROP TABLE stats_daily;
ALTER TABLE stats_daily_next RENAME TO stats_daily;
CREATE INDEX stats_daily_by_day ON stats_daily (unit_key, day, region_slug);
