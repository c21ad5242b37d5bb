-- A public id for every complaint: what public outlets (Open311, webhooks,
-- SP4N-LAPOR) name it by. Unlike the tracking code it grants nothing.
ALTER TABLE complaints ADD COLUMN public_id TEXT NOT NULL DEFAULT '';
UPDATE complaints SET public_id = lower(hex(randomblob(8)));
CREATE UNIQUE INDEX complaints_by_public_id ON complaints (public_id);

-- Privacy as two independent choices (SP4N-LAPOR's anonim and rahasia):
-- anonymous (no officer and no external system learns who filed) and
-- confidential (the content is never public).
--
-- Earlier rows kept one of three values. A supervisory category (illegal
-- levies, abuse of authority) turned any choice into `confidential`, so the
-- reporter's own choice of anonymity is not known for those rows: they
-- become anonymous as well, the side that protects the reporter.
ALTER TABLE complaints ADD COLUMN anonymous BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE complaints ADD COLUMN confidential BOOLEAN NOT NULL DEFAULT FALSE;
UPDATE complaints SET
    anonymous = (privacy = 'anonymous' OR (privacy = 'confidential' AND category_key IN (SELECT key FROM categories WHERE supervisory))),
    confidential = (privacy = 'confidential');
ALTER TABLE complaints DROP COLUMN privacy;
