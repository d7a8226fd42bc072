-- Trust at the seams (issue 29): how each membership began, which decides
-- whether other owners see the member's email address ('created' the
-- project, joined by 'invitation' or approved 'request', 'added' by an
-- owner, added by an 'admin'). Rows from before this migration are 'added':
-- their email stays hidden from other owners until they join again by
-- invitation or request.
ALTER TABLE memberships ADD COLUMN joined_by TEXT NOT NULL DEFAULT 'added';

-- Site setting (NULL = the configured default, off): project owners may
-- invite addresses with no account while registration is closed.
ALTER TABLE site_settings ADD COLUMN owners_may_invite_new_people BOOLEAN;

-- Invitations an admin sent: their link may create an account even while
-- registration is closed.
ALTER TABLE invitations ADD COLUMN by_admin BOOLEAN NOT NULL DEFAULT FALSE;

-- An address typed at /register while email verification was off: never
-- proven by its mailbox, so it accepts no invitation by itself (only the
-- emailed link does). Following a verification or email-change link
-- clears it. Existing accounts keep the old meaning (not flagged).
ALTER TABLE users ADD COLUMN email_unproven BOOLEAN NOT NULL DEFAULT FALSE;
