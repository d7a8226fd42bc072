-- A trigram index over each user's username, display name and email, so
-- the admin list's substring search need not scan every user. The list
-- query prefilters with `rowid IN (SELECT rowid FROM user_search WHERE
-- search_text LIKE …)`, the same text on both databases: here a table with
-- a pg_trgm GIN index (pg_trgm is a trusted extension: the database's
-- owner may create it), on SQLite an FTS5 trigram table.
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE TABLE user_search (
    rowid BIGINT PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    search_text TEXT NOT NULL
);
INSERT INTO user_search (rowid, search_text)
    SELECT id, lower(username || ' ' || COALESCE(display_name, '') || ' ' || COALESCE(email, '')) FROM users;
CREATE INDEX user_search_trigrams ON user_search USING gin (search_text gin_trgm_ops);
CREATE FUNCTION users_search_sync() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO user_search (rowid, search_text)
        VALUES (NEW.id, lower(NEW.username || ' ' || COALESCE(NEW.display_name, '') || ' ' || COALESCE(NEW.email, '')))
        ON CONFLICT (rowid) DO UPDATE SET search_text = excluded.search_text;
    RETURN NEW;
END
$$;
CREATE TRIGGER users_search_sync AFTER INSERT OR UPDATE OF username, display_name, email ON users
    FOR EACH ROW EXECUTE FUNCTION users_search_sync();
