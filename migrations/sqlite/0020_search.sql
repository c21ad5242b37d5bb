-- The console's search by words. The complaint's title, description,
-- location and customary village, and the reporter's name and e-mail, are
-- indexed for full-text search (FTS5: lower case, accents folded, one
-- index each, kept by triggers, so an erased identity leaves the index
-- with it); the reporter's phone by its number without the country or
-- trunk prefix (the same expression the search asks for).
--
-- The index also holds each complaint's scope as words (`search_scope`:
-- its region, its region's unit, and whether it is confidential), so a
-- search within an officer's scope is one lookup in the index rather than
-- a look at every complaint that has the words.
ALTER TABLE complaints ADD COLUMN search_scope TEXT GENERATED ALWAYS AS (
    'r' || replace(replace(region_slug, '-', ''), '_', '')
    || ' u' || replace(replace(region_slug, '-', ''), '_', '') || 'x' || replace(replace(unit_key, '-', ''), '_', '')
    || CASE WHEN confidential THEN ' sealed' ELSE ' open' END
) VIRTUAL;

CREATE VIRTUAL TABLE complaint_words USING fts5 (
    title, description, location, landmark, search_scope,
    content = 'complaints', content_rowid = 'id',
    tokenize = 'unicode61 remove_diacritics 2'
);
INSERT INTO complaint_words (complaint_words, rank) VALUES ('secure-delete', 1);
INSERT INTO complaint_words (complaint_words) VALUES ('rebuild');

CREATE TRIGGER complaint_words_added AFTER INSERT ON complaints BEGIN
    INSERT INTO complaint_words (rowid, title, description, location, landmark, search_scope)
    VALUES (new.id, new.title, new.description, new.location, new.landmark, new.search_scope);
END;
CREATE TRIGGER complaint_words_removed AFTER DELETE ON complaints BEGIN
    INSERT INTO complaint_words (complaint_words, rowid, title, description, location, landmark, search_scope)
    VALUES ('delete', old.id, old.title, old.description, old.location, old.landmark, old.search_scope);
END;
CREATE TRIGGER complaint_words_changed
AFTER UPDATE OF title, description, location, landmark, region_slug, unit_key, confidential ON complaints BEGIN
    INSERT INTO complaint_words (complaint_words, rowid, title, description, location, landmark, search_scope)
    VALUES ('delete', old.id, old.title, old.description, old.location, old.landmark, old.search_scope);
    INSERT INTO complaint_words (rowid, title, description, location, landmark, search_scope)
    VALUES (new.id, new.title, new.description, new.location, new.landmark, new.search_scope);
END;

CREATE VIRTUAL TABLE reporter_words USING fts5 (
    name, email,
    content = 'reporters', content_rowid = 'complaint_id',
    tokenize = 'unicode61 remove_diacritics 2'
);
-- What is erased leaves the index's pages at once, not at a later merge.
INSERT INTO reporter_words (reporter_words, rank) VALUES ('secure-delete', 1);
INSERT INTO reporter_words (reporter_words) VALUES ('rebuild');

CREATE TRIGGER reporter_words_added AFTER INSERT ON reporters BEGIN
    INSERT INTO reporter_words (rowid, name, email) VALUES (new.complaint_id, new.name, new.email);
END;
CREATE TRIGGER reporter_words_removed AFTER DELETE ON reporters BEGIN
    INSERT INTO reporter_words (reporter_words, rowid, name, email)
    VALUES ('delete', old.complaint_id, old.name, old.email);
END;
CREATE TRIGGER reporter_words_changed AFTER UPDATE OF name, email ON reporters BEGIN
    INSERT INTO reporter_words (reporter_words, rowid, name, email)
    VALUES ('delete', old.complaint_id, old.name, old.email);
    INSERT INTO reporter_words (rowid, name, email) VALUES (new.complaint_id, new.name, new.email);
END;

CREATE INDEX reporters_by_phone ON reporters ((CASE WHEN phone LIKE '+62%' THEN substr(phone, 4) WHEN phone LIKE '62%' THEN substr(phone, 3) WHEN phone LIKE '0%' THEN substr(phone, 2) WHEN phone LIKE '+%' THEN substr(phone, 2) ELSE phone END));
