-- The home page's counts, each a short index range however many users the
-- site has: accounts awaiting approval, locked accounts, and the open
-- invitations sent to an address.
CREATE INDEX users_awaiting_approval ON users (id) WHERE approved = FALSE;
CREATE INDEX users_locked ON users (locked_until) WHERE locked_until IS NOT NULL;
CREATE INDEX invitations_open_by_email ON invitations (lower(email)) WHERE accepted_at IS NULL AND revoked_at IS NULL;
