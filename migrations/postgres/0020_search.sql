-- The console's search by words. The complaint's title, description,
-- location and customary village, and the reporter's name and e-mail, are
-- kept as text-search vectors (configuration `simple`: no stemming) of
-- their folded text (lower case, the accented Latin letters as plain
-- ones, the same folding SQLite's FTS5 does), each with its GIN index;
-- an erased identity leaves its vector with it. The reporter's phone is
-- indexed by its number without the country or trunk prefix (the same
-- expression the search asks for).
CREATE FUNCTION aduan_fold(text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT translate(lower($1), 'ÀÁÂÃÄÅàáâãäåÈÉÊËèéêëĚěÌÍÎÏìíîïÒÓÔÕÖòóôõöÙÚÛÜùúûüÝýÿÑñÇçŠšŽžĀāĒēĪīŌōŪū', 'aaaaaaaaaaaaeeeeeeeeeeiiiiiiiioooooooooouuuuuuuuyyynnccsszzaaeeiioouu') $$;

--
-- The vector also holds the complaint's scope as words (its region, its
-- region's unit, and whether it is confidential: the same words SQLite's
-- index has), so a search within an officer's scope reads only the
-- complaints in it.
ALTER TABLE complaints ADD COLUMN words tsvector GENERATED ALWAYS AS (
    setweight(to_tsvector('simple'::regconfig, aduan_fold(title)), 'A')
    || setweight(to_tsvector('simple'::regconfig, aduan_fold(coalesce(location, '') || ' ' || coalesce(landmark, ''))), 'B')
    || to_tsvector('simple'::regconfig, aduan_fold(description))
    || setweight(to_tsvector('simple'::regconfig,
        'r' || replace(replace(region_slug, '-', ''), '_', '')
        || ' u' || replace(replace(region_slug, '-', ''), '_', '') || 'x' || replace(replace(unit_key, '-', ''), '_', '')
        || CASE WHEN confidential THEN ' sealed' ELSE ' open' END), 'D')
) STORED;
CREATE INDEX complaints_by_words ON complaints USING gin (words);

ALTER TABLE reporters ADD COLUMN words tsvector GENERATED ALWAYS AS (
    to_tsvector('simple'::regconfig, translate(aduan_fold(coalesce(name, '') || ' ' || coalesce(email, '')), '@.', '  '))
) STORED;
CREATE INDEX reporters_by_words ON reporters USING gin (words);

CREATE INDEX reporters_by_phone ON reporters ((CASE WHEN phone LIKE '+62%' THEN substr(phone, 4) WHEN phone LIKE '62%' THEN substr(phone, 3) WHEN phone LIKE '0%' THEN substr(phone, 2) WHEN phone LIKE '+%' THEN substr(phone, 2) ELSE phone END));
