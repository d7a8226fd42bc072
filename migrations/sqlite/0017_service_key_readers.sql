-- Who may read a site service key in clear besides admins: a JSON list of
-- site role names, empty (admins only) by default. Users' own keys ignore it.
ALTER TABLE service_keys ADD COLUMN readable_by TEXT NOT NULL DEFAULT '[]';
