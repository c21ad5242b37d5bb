-- Where the reporter's phone was when they asked it to say so (decimal
-- degrees, WGS 84), and the customary village (desa adat) or banjar they
-- named. Both optional.
ALTER TABLE complaints ADD COLUMN latitude REAL CHECK (latitude BETWEEN -90 AND 90);
ALTER TABLE complaints ADD COLUMN longitude REAL CHECK (longitude BETWEEN -180 AND 180);
ALTER TABLE complaints ADD COLUMN landmark TEXT;
