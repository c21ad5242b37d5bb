-- The console's search by words. The complaint's title, description,
-- location and customary village, and the reporter's name and e-mail, are
-- indexed for full-text search (FTS5: lower case, accents folded, one
-- index each, kept by triggers, so an erased identity leaves the index
-- with it); the reporter's phone by its number without the country or
-- trunk prefix (the same expression the search asks for).
CREATE VIRTUAL TABLE complaint_words USING fts5 (
    title, description, location, landmark,
    content = 'complaints', content_rowid = 'id',
    tokenize = 'unicode61 remove_diacritics 2'
);
INSERT INTO complaint_words (complaint_words) VALUES ('rebuild');

CREATE TRIGGER complaint_words_added AFTER INSERT ON complaints BEGIN
    INSERT INTO complaint_words (rowid, title, description, location, landmark)
    VALUES (new.id, new.title, new.description, new.location, new.landmark);
END;
CREATE TRIGGER complaint_words_removed AFTER DELETE ON complaints BEGIN
    INSERT INTO complaint_words (complaint_words, rowid, title, description, location, landmark)
    VALUES ('delete', old.id, old.title, old.description, old.location, old.landmark);
END;
CREATE TRIGGER complaint_words_changed AFTER UPDATE OF title, description, location, landmark ON complaints BEGIN
    INSERT INTO complaint_words (complaint_words, rowid, title, description, location, landmark)
    VALUES ('delete', old.id, old.title, old.description, old.location, old.landmark);
    INSERT INTO complaint_words (rowid, title, description, location, landmark)
    VALUES (new.id, new.title, new.description, new.location, new.landmark);
END;

CREATE VIRTUAL TABLE reporter_words USING fts5 (
    name, email,
    content = 'reporters', content_rowid = 'complaint_id',
    tokenize = 'unicode61 remove_diacritics 2'
);
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
