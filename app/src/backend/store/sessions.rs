//! The `sessions` table: server-side browser sessions, keyed by a hash of the
//! cookie secret, with a separate public id that pages and APIs may show.

use crate::backend::db::Db;
use crate::backend::store::audit::{append_in, NewEvent};
use crate::{in_tx, on_db};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SessionRow {
    pub public_id: String,
    pub user_id: Option<i64>,
    pub created_at: i64,
    pub last_seen_at: i64,
    pub expires_at: i64,
    pub data: String,
}

/// Columns written from a session record.
pub struct SessionWrite<'a> {
    pub id_hash: &'a str,
    pub public_id: &'a str,
    pub user_id: Option<i64>,
    pub now: i64,
    pub expires_at: i64,
    pub ip: Option<&'a str>,
    pub user_agent: Option<&'a str>,
    pub data: &'a str,
}

const INSERT: &str = "INSERT INTO sessions (id_hash, public_id, user_id, created_at, last_seen_at, expires_at, ip, user_agent, data) \
                      VALUES ($1, $2, $3, $4, $4, $5, $6, $7, $8)";

/// Inserts a new session; `false` when the id hash is already taken.
pub async fn insert(db: &Db, s: &SessionWrite<'_>) -> Result<bool, sqlx::Error> {
    write(db, &format!("{INSERT} ON CONFLICT DO NOTHING"), s).await.map(|rows| rows == 1)
}

/// Updates an existing session's data (not its public id, `$2`). A session
/// that is gone (revoked, signed out, expired) stays gone: `false`, and
/// nothing is written.
pub async fn update(db: &Db, s: &SessionWrite<'_>) -> Result<bool, sqlx::Error> {
    let sql = "UPDATE sessions SET user_id = $3, last_seen_at = $4, expires_at = $5, ip = COALESCE($6, ip), \
               user_agent = COALESCE($7, user_agent), data = $8 WHERE id_hash = $1";
    write(db, sql, s).await.map(|rows| rows == 1)
}

async fn write(db: &Db, sql: &str, s: &SessionWrite<'_>) -> Result<u64, sqlx::Error> {
    on_db!(db, |pool| sqlx::query(sql)
        .bind(s.id_hash)
        .bind(s.public_id)
        .bind(s.user_id)
        .bind(s.now)
        .bind(s.expires_at)
        .bind(s.ip)
        .bind(s.user_agent)
        .bind(s.data)
        .execute(pool)
        .await
        .map(|r| r.rows_affected()))
}

/// A live session: not past its absolute expiry nor idle since `idle_since`.
pub async fn find_live(
    db: &Db,
    id_hash: &str,
    now: i64,
    idle_since: i64,
    created_since: i64,
) -> Result<Option<SessionRow>, sqlx::Error> {
    let sql = "SELECT public_id, user_id, created_at, last_seen_at, expires_at, data FROM sessions \
               WHERE id_hash = $1 AND expires_at > $2 AND last_seen_at > $3 AND created_at > $4";
    on_db!(db, |pool| sqlx::query_as::<_, SessionRow>(sql)
        .bind(id_hash)
        .bind(now)
        .bind(idle_since)
        .bind(created_since)
        .fetch_optional(pool)
        .await)
}

pub async fn touch(db: &Db, id_hash: &str, now: i64) -> Result<(), sqlx::Error> {
    let sql = "UPDATE sessions SET last_seen_at = $2 WHERE id_hash = $1";
    on_db!(db, |pool| sqlx::query(sql).bind(id_hash).bind(now).execute(pool).await.map(|_| ()))
}

pub async fn delete(db: &Db, id_hash: &str) -> Result<(), sqlx::Error> {
    let sql = "DELETE FROM sessions WHERE id_hash = $1";
    on_db!(db, |pool| sqlx::query(sql).bind(id_hash).execute(pool).await.map(|_| ()))
}

/// Removes sessions past their expiry or idle since `idle_since`.
pub async fn delete_expired(db: &Db, now: i64, idle_since: i64) -> Result<u64, sqlx::Error> {
    let sql = "DELETE FROM sessions WHERE expires_at <= $1 OR last_seen_at <= $2";
    on_db!(db, |pool| sqlx::query(sql).bind(now).bind(idle_since).execute(pool).await.map(|r| r.rows_affected()))
}

pub async fn count_live(db: &Db, now: i64, idle_since: i64) -> Result<i64, sqlx::Error> {
    let sql = "SELECT COUNT(*) FROM sessions WHERE expires_at > $1 AND last_seen_at > $2";
    on_db!(db, |pool| sqlx::query_scalar::<_, i64>(sql).bind(now).bind(idle_since).fetch_one(pool).await)
}

/// A live session with its user, for the session lists.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct LiveSession {
    pub public_id: String,
    pub id_hash: String,
    pub user_id: i64,
    pub username: String,
    pub created_at: i64,
    pub last_seen_at: i64,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
}

/// Live signed-in sessions, most recently seen first; one user's when `user_id` is given.
pub async fn list_live(db: &Db, now: i64, idle_since: i64, user_id: Option<i64>) -> Result<Vec<LiveSession>, sqlx::Error> {
    let sql = "SELECT s.public_id, s.id_hash, s.user_id, u.username, s.created_at, s.last_seen_at, s.ip, s.user_agent \
               FROM sessions s JOIN users u ON u.id = s.user_id \
               WHERE s.expires_at > $1 AND s.last_seen_at > $2 AND ($3 = 0 OR s.user_id = $3) \
               ORDER BY s.last_seen_at DESC, s.public_id LIMIT 5000";
    on_db!(db, |pool| sqlx::query_as::<_, LiveSession>(sql)
        .bind(now)
        .bind(idle_since)
        .bind(user_id.unwrap_or(0))
        .fetch_all(pool)
        .await)
}

/// Deletes the sessions with these public ids (only `user_id`'s, when given); returns the ids deleted.
pub async fn delete_by_public_ids(
    db: &Db,
    public_ids: &[String],
    user_id: Option<i64>,
    event: impl Fn(i64, &str, &str) -> NewEvent,
) -> Result<Vec<String>, sqlx::Error> {
    let find = "SELECT s.user_id, u.username FROM sessions s JOIN users u ON u.id = s.user_id \
                WHERE s.public_id = $1 AND ($2 = 0 OR s.user_id = $2)";
    let mut deleted = Vec::new();
    for id in public_ids {
        let gone = in_tx!(db, |tx| {
            let owner = sqlx::query_as::<_, (i64, String)>(find).bind(id).bind(user_id.unwrap_or(0)).fetch_optional(&mut *tx).await?;
            let mut gone = None;
            if let Some((owner, username)) = owner {
                let removed = sqlx::query("DELETE FROM sessions WHERE public_id = $1").bind(id).execute(&mut *tx).await?.rows_affected();
                if removed > 0 {
                    append_in(&mut *tx, &event(owner, &username, id)).await?;
                    gone = Some(id.clone());
                }
            }
            Ok::<_, sqlx::Error>(gone)
        })?;
        deleted.extend(gone);
    }
    Ok(deleted)
}
