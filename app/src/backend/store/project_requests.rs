//! The `access_requests` and `invitations` tables: the two ways into a project.

use crate::backend::db::{Conn, Db};
use crate::backend::policy::{JOINED_INVITATION, JOINED_REQUEST};
use crate::backend::store::projects::{APPROVE_PENDING, JOIN_KEEPING_THE_STRONGER_ROLE};
use crate::backend::store::users::{insert_user, NewUser};
use crate::backend::store::audit::{append_in, execute_audited, NewEvent};
use crate::backend::store::user_list::Arg;
use crate::{in_tx, in_write_tx, on_conn, on_db};

/// Puts `user` in `project` with `role`, joined by `joined_by`, inside the
/// caller's transaction `conn` (someone already in it keeps the stronger
/// role) and closes their pending request; returns the role they now have.
async fn join_project<'c>(
    conn: impl Into<Conn<'c>>,
    project: i64,
    user: i64,
    role: &str,
    joined_by: &str,
    decided_by: &str,
    now: i64,
) -> Result<String, sqlx::Error> {
    on_conn!(conn, |c| {
        let role: String = sqlx::query_scalar(JOIN_KEEPING_THE_STRONGER_ROLE)
            .bind(project)
            .bind(user)
            .bind(role)
            .bind(now)
            .bind(joined_by)
            .fetch_one(&mut *c)
            .await?;
        sqlx::query(APPROVE_PENDING).bind(project).bind(user).bind(&role).bind(now).bind(decided_by).execute(&mut *c).await?;
        Ok(role)
    })
}

/// Marks invitation `id` accepted by `username` inside the caller's
/// transaction `conn` if it is still open; returns whether it was.
async fn spend_invitation<'c>(conn: impl Into<Conn<'c>>, id: i64, username: &str, now: i64) -> Result<bool, sqlx::Error> {
    let sql = "UPDATE invitations SET accepted_at = $2, accepted_by = $3 \
               WHERE id = $1 AND accepted_at IS NULL AND revoked_at IS NULL AND expires_at > $2";
    on_conn!(conn, |c| sqlx::query(sql).bind(id).bind(now).bind(username).execute(c).await.map(|r| r.rows_affected() == 1))
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct RequestRow {
    pub id: i64,
    pub project_id: i64,
    pub project_slug: String,
    pub project_name: String,
    pub user_id: i64,
    pub username: String,
    pub display_name: Option<String>,
    pub email: Option<String>,
    pub message: String,
    pub status: String,
    pub role: Option<String>,
    pub reason: Option<String>,
    pub created_at: i64,
    pub decided_at: Option<i64>,
}

const SELECT_REQUEST: &str = "SELECT r.id, r.project_id, p.slug AS project_slug, p.name AS project_name, r.user_id, \
     u.username, u.display_name, u.email, r.message, r.status, r.role, r.reason, r.created_at, r.decided_at \
     FROM access_requests r JOIN projects p ON p.id = r.project_id JOIN users u ON u.id = r.user_id";

/// Files a pending request; `None` when the user already has one pending here.
pub async fn insert_request(db: &Db, project: i64, user: i64, message: &str, now: i64, event: &NewEvent) -> Result<Option<i64>, sqlx::Error> {
    let sql = "INSERT INTO access_requests (project_id, user_id, message, created_at) VALUES ($1, $2, $3, $4) \
               ON CONFLICT DO NOTHING RETURNING id";
    in_tx!(db, |tx| {
        let id = sqlx::query_scalar::<_, i64>(sql).bind(project).bind(user).bind(message).bind(now).fetch_optional(&mut *tx).await?;
        if id.is_some() {
            append_in(&mut *tx, event).await?;
        }
        Ok::<_, sqlx::Error>(id)
    })
}

pub async fn find_request(db: &Db, id: i64) -> Result<Option<RequestRow>, sqlx::Error> {
    let sql = format!("{SELECT_REQUEST} WHERE r.id = $1");
    on_db!(db, |pool| sqlx::query_as::<_, RequestRow>(&sql).bind(id).fetch_optional(pool).await)
}

/// A project's pending requests, oldest first.
pub async fn pending_for_project(db: &Db, project: i64) -> Result<Vec<RequestRow>, sqlx::Error> {
    let sql = format!("{SELECT_REQUEST} WHERE r.project_id = $1 AND r.status = 'pending' ORDER BY r.created_at, r.id");
    on_db!(db, |pool| sqlx::query_as::<_, RequestRow>(&sql).bind(project).fetch_all(pool).await)
}

/// A user's requests, newest first.
pub async fn for_user(db: &Db, user: i64) -> Result<Vec<RequestRow>, sqlx::Error> {
    let sql = format!("{SELECT_REQUEST} WHERE r.user_id = $1 ORDER BY r.created_at DESC, r.id DESC LIMIT 100");
    on_db!(db, |pool| sqlx::query_as::<_, RequestRow>(&sql).bind(user).fetch_all(pool).await)
}

/// Denies a request that is still pending; `false` when someone decided it first.
pub async fn deny(db: &Db, id: i64, reason: Option<&str>, decided_by: &str, now: i64, event: &NewEvent) -> Result<bool, sqlx::Error> {
    let sql = "UPDATE access_requests SET status = 'denied', reason = NULLIF($2, ''), decided_at = $3, decided_by = $4 \
               WHERE id = $1 AND status = 'pending'";
    let args = [Arg::Int(id), Arg::Text(reason.unwrap_or_default().into()), Arg::Int(now), Arg::Text(decided_by.into())];
    Ok(execute_audited(db, sql, &args, event).await? == 1)
}

/// Approves request `id` if it is still pending and puts its author in
/// the project with `role` (someone already in it keeps the stronger
/// role, so an owner is never demoted), in one transaction. Returns the
/// role they now have; `None` when someone decided the request first.
pub async fn approve(db: &Db, request: &RequestRow, role: &str, decided_by: &str, now: i64, event: &NewEvent) -> Result<Option<String>, sqlx::Error> {
    let sql = "UPDATE access_requests SET status = 'approved', role = $2, decided_at = $3, decided_by = $4 \
               WHERE id = $1 AND status = 'pending'";
    in_tx!(db, |tx| {
        let decided = sqlx::query(sql).bind(request.id).bind(role).bind(now).bind(decided_by).execute(&mut *tx).await?;
        if decided.rows_affected() == 0 {
            return Ok(None);
        }
        let role = join_project(&mut *tx, request.project_id, request.user_id, role, JOINED_REQUEST, decided_by, now).await?;
        append_in(&mut *tx, event).await?;
        Ok::<_, sqlx::Error>(Some(role))
    })
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct InvitationRow {
    pub id: i64,
    pub project_id: i64,
    pub project_slug: String,
    pub project_name: String,
    pub email: String,
    pub role: String,
    pub invited_by: String,
    pub created_at: i64,
    pub expires_at: i64,
    pub accepted_at: Option<i64>,
    pub accepted_by: Option<String>,
    pub revoked_at: Option<i64>,
    /// An admin sent it: its link may create an account while registration is closed.
    pub by_admin: bool,
}

const SELECT_INVITATION: &str = "SELECT i.id, i.project_id, p.slug AS project_slug, p.name AS project_name, i.email, i.role, \
     i.invited_by, i.created_at, i.expires_at, i.accepted_at, i.accepted_by, i.revoked_at, i.by_admin \
     FROM invitations i JOIN projects p ON p.id = i.project_id";

pub struct NewInvitation<'a> {
    pub project: i64,
    pub email: &'a str,
    pub role: &'a str,
    pub token_hash: &'a str,
    pub invited_by: &'a str,
    pub by_admin: bool,
    pub now: i64,
    pub expires_at: i64,
}

/// What [`insert_invitation_within_cap`] did.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Capped {
    Stored(i64),
    /// The inviter is at the cap until `retry_at` (Unix ms).
    Refused { retry_at: i64 },
}

/// Stores the invitation unless its inviter (user `inviter`, named
/// `i.invited_by`) already sent `cap` in the `window_ms` before `i.now`;
/// counted and written in one write transaction with the inviter's row
/// locked, so concurrent invitations cannot slip past the cap.
pub async fn insert_invitation_within_cap(
    db: &Db,
    i: &NewInvitation<'_>,
    inviter: i64,
    cap: i64,
    window_ms: i64,
    event: &NewEvent,
) -> Result<Capped, sqlx::Error> {
    let recent = "SELECT created_at FROM invitations WHERE invited_by = $1 AND created_at > $2 ORDER BY created_at DESC LIMIT $3";
    let insert = "INSERT INTO invitations (project_id, email, role, token_hash, invited_by, created_at, expires_at, by_admin) \
                  VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id";
    in_write_tx!(db, |tx, lock| {
        sqlx::query(&format!("SELECT id FROM users WHERE id = $1{lock}")).bind(inviter).execute(&mut *tx).await?;
        let sent: Vec<i64> =
            sqlx::query_scalar(recent).bind(i.invited_by).bind(i.now - window_ms).bind(cap).fetch_all(&mut *tx).await?;
        if sent.len() as i64 >= cap {
            let retry_at = sent.last().map_or(i.now, |oldest| oldest + window_ms);
            return Ok(Capped::Refused { retry_at });
        }
        let id: i64 = sqlx::query_scalar(insert)
            .bind(i.project)
            .bind(i.email)
            .bind(i.role)
            .bind(i.token_hash)
            .bind(i.invited_by)
            .bind(i.now)
            .bind(i.expires_at)
            .bind(i.by_admin)
            .fetch_one(&mut *tx)
            .await?;
        append_in(&mut *tx, event).await?;
        Ok::<_, sqlx::Error>(Capped::Stored(id))
    })
}

pub async fn invitations_for_project(db: &Db, project: i64) -> Result<Vec<InvitationRow>, sqlx::Error> {
    let sql = format!("{SELECT_INVITATION} WHERE i.project_id = $1 ORDER BY i.created_at DESC, i.id DESC LIMIT 200");
    on_db!(db, |pool| sqlx::query_as::<_, InvitationRow>(&sql).bind(project).fetch_all(pool).await)
}

pub async fn find_invitation(db: &Db, id: i64) -> Result<Option<InvitationRow>, sqlx::Error> {
    let sql = format!("{SELECT_INVITATION} WHERE i.id = $1");
    on_db!(db, |pool| sqlx::query_as::<_, InvitationRow>(&sql).bind(id).fetch_optional(pool).await)
}

/// The open invitations sent to `email` (any letter case), newest first.
pub async fn open_invitations_to(db: &Db, email: &str, now: i64, limit: i64) -> Result<Vec<InvitationRow>, sqlx::Error> {
    let sql = format!(
        "{SELECT_INVITATION} WHERE lower(i.email) = lower($1) AND i.accepted_at IS NULL AND i.revoked_at IS NULL \
         AND i.expires_at > $2 ORDER BY i.created_at DESC, i.id DESC LIMIT $3"
    );
    on_db!(db, |pool| sqlx::query_as::<_, InvitationRow>(&sql).bind(email).bind(now).bind(limit).fetch_all(pool).await)
}

/// The projects `owner` owns that have pending access requests: slug, name
/// and how many wait, by slug.
pub async fn pending_on_owned_projects(db: &Db, owner: i64, limit: i64) -> Result<Vec<(String, String, i64)>, sqlx::Error> {
    let sql = "SELECT p.slug, p.name, COUNT(*) FROM memberships m JOIN projects p ON p.id = m.project_id \
               JOIN access_requests r ON r.project_id = m.project_id AND r.status = 'pending' \
               WHERE m.user_id = $1 AND m.role = 'owner' \
               GROUP BY p.id, p.slug, p.name, p.slug_lower ORDER BY p.slug_lower LIMIT $2";
    on_db!(db, |pool| sqlx::query_as::<_, (String, String, i64)>(sql).bind(owner).bind(limit).fetch_all(pool).await)
}

pub async fn find_invitation_by_hash(db: &Db, token_hash: &str) -> Result<Option<InvitationRow>, sqlx::Error> {
    let sql = format!("{SELECT_INVITATION} WHERE i.token_hash = $1");
    on_db!(db, |pool| sqlx::query_as::<_, InvitationRow>(&sql).bind(token_hash).fetch_optional(pool).await)
}

/// Spends an open invitation and puts `user` in its project with its role
/// (someone already in it keeps the stronger role), in one transaction;
/// `false`, changing nothing, when it was used, revoked or expired
/// meanwhile (so a replayed link never works twice).
pub async fn accept_invitation(db: &Db, invitation: &InvitationRow, user: i64, username: &str, now: i64, event: &NewEvent) -> Result<bool, sqlx::Error> {
    in_tx!(db, |tx| {
        if !spend_invitation(&mut *tx, invitation.id, username, now).await? {
            return Ok(false);
        }
        join_project(&mut *tx, invitation.project_id, user, &invitation.role, JOINED_INVITATION, &invitation.invited_by, now).await?;
        append_in(&mut *tx, event).await?;
        Ok::<_, sqlx::Error>(true)
    })
}

/// Like [`accept_invitation`] for someone without an account: spends the
/// invitation, creates `new` (verified: the link proves the address;
/// `approved` as the site's policy says) and puts them in the project, all
/// in one transaction, so one link makes one account. An account waiting
/// for approval keeps its membership and cannot act until approved.
/// Returns the new user's id; `None`, creating nothing, when the link
/// was spent meanwhile.
pub async fn accept_invitation_as_new_user(
    db: &Db,
    invitation: &InvitationRow,
    new: &NewUser<'_>,
    approved: bool,
    now: i64,
    event: &NewEvent,
) -> Result<Option<i64>, sqlx::Error> {
    in_tx!(db, |tx| {
        if !spend_invitation(&mut *tx, invitation.id, new.username, now).await? {
            return Ok(None);
        }
        let id = insert_user(&mut *tx, new, true, approved, now).await?;
        join_project(&mut *tx, invitation.project_id, id, &invitation.role, JOINED_INVITATION, &invitation.invited_by, now).await?;
        append_in(&mut *tx, &NewEvent { actor_id: Some(id), ..event.clone() }).await?;
        Ok::<_, sqlx::Error>(Some(id))
    })
}

/// Revokes an open invitation of `project`; `false` when there is none.
pub async fn revoke_invitation(db: &Db, project: i64, id: i64, now: i64, event: &NewEvent) -> Result<bool, sqlx::Error> {
    let sql = "UPDATE invitations SET revoked_at = $3 \
               WHERE id = $2 AND project_id = $1 AND accepted_at IS NULL AND revoked_at IS NULL";
    Ok(execute_audited(db, sql, &[Arg::Int(project), Arg::Int(id), Arg::Int(now)], event).await? == 1)
}
