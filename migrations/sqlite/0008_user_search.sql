-- A trigram index over each user's username, display name and email, so
-- the admin list's substring search need not scan every user. The list
-- query prefilters with `rowid IN (SELECT rowid FROM user_search WHERE
-- search_text LIKE …)`, the same text on both databases: here an FTS5
-- trigram table (whose LIKE uses the index), on PostgreSQL a pg_trgm index.
CREATE VIRTUAL TABLE user_search USING fts5(search_text, tokenize = 'trigram');
INSERT INTO user_search (rowid, search_text)
    SELECT id, lower(username || ' ' || COALESCE(display_name, '') || ' ' || COALESCE(email, '')) FROM users;
CREATE TRIGGER users_search_insert AFTER INSERT ON users BEGIN
    INSERT INTO user_search (rowid, search_text)
        VALUES (NEW.id, lower(NEW.username || ' ' || COALESCE(NEW.display_name, '') || ' ' || COALESCE(NEW.email, '')));
END;
CREATE TRIGGER users_search_update AFTER UPDATE OF username, display_name, email ON users BEGIN
    UPDATE user_search
        SET search_text = lower(NEW.username || ' ' || COALESCE(NEW.display_name, '') || ' ' || COALESCE(NEW.email, ''))
        WHERE rowid = NEW.id;
END;
CREATE TRIGGER users_search_delete AFTER DELETE ON users BEGIN
    DELETE FROM user_search WHERE rowid = OLD.id;
END;
