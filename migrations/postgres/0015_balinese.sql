-- Balinese (ban) as a reporter's language, beside Indonesian and English.
ALTER TABLE complaints DROP CONSTRAINT complaints_locale_check;
ALTER TABLE complaints ADD CONSTRAINT complaints_locale_check CHECK (locale IN ('id', 'en', 'ban'));
