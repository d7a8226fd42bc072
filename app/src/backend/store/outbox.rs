//! The `outbox` table: every email the site sends, with its delivery state.

use crate::backend::db::Db;
use crate::on_db;

/// Stores one message as `pending`, due at once.
pub async fn insert(db: &Db, to: &str, subject: &str, body: &str, now: i64) -> Result<i64, sqlx::Error> {
    on_db!(db, |pool| {
        sqlx::query_scalar::<_, i64>(
            "INSERT INTO outbox (to_address, subject, body, created_at, next_attempt_at) \
             VALUES ($1, $2, $3, $4, $4) RETURNING id",
        )
        .bind(to)
        .bind(subject)
        .bind(body)
        .bind(now)
        .fetch_one(pool)
        .await
    })
}

/// One row as the admin list shows it (without the body).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct OutboxRow {
    pub id: i64,
    pub to_address: String,
    pub subject: String,
    pub status: String,
    pub attempts: i64,
    pub last_error: Option<String>,
    pub created_at: i64,
    pub sent_at: Option<i64>,
}

/// Newest first, `limit` rows with an id below `before` (keyset on the primary key).
pub async fn page(db: &Db, before: i64, limit: i64) -> Result<Vec<OutboxRow>, sqlx::Error> {
    let sql = "SELECT id, to_address, subject, status, attempts, last_error, created_at, sent_at \
               FROM outbox WHERE id < $1 ORDER BY id DESC LIMIT $2";
    on_db!(db, |pool| sqlx::query_as::<_, OutboxRow>(sql).bind(before).bind(limit).fetch_all(pool).await)
}

pub async fn body(db: &Db, id: i64) -> Result<Option<String>, sqlx::Error> {
    on_db!(db, |pool| sqlx::query_scalar::<_, String>("SELECT body FROM outbox WHERE id = $1").bind(id).fetch_optional(pool).await)
}

/// A message claimed for sending.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct DueMessage {
    pub id: i64,
    pub to_address: String,
    pub subject: String,
    pub body: String,
    pub attempts: i64,
}

/// Ids of messages due now: pending ones, and ones whose sender's lease ran
/// out (an instance that stopped mid-send).
pub async fn due_ids(db: &Db, now: i64, limit: i64) -> Result<Vec<i64>, sqlx::Error> {
    let sql = "SELECT id FROM outbox WHERE status IN ('pending', 'sending') AND next_attempt_at <= $1 \
               ORDER BY next_attempt_at LIMIT $2";
    on_db!(db, |pool| sqlx::query_scalar::<_, i64>(sql).bind(now).bind(limit).fetch_all(pool).await)
}

/// Claims one due message for `lease_until`; `None` when another sender got it.
pub async fn claim(db: &Db, id: i64, now: i64, lease_until: i64) -> Result<Option<DueMessage>, sqlx::Error> {
    let sql = "UPDATE outbox SET status = 'sending', next_attempt_at = $3 \
               WHERE id = $1 AND status IN ('pending', 'sending') AND next_attempt_at <= $2 \
               RETURNING id, to_address, subject, body, attempts";
    on_db!(db, |pool| sqlx::query_as::<_, DueMessage>(sql).bind(id).bind(now).bind(lease_until).fetch_optional(pool).await)
}

/// Marks a message sent, keeping `body` (the text as it should stay stored).
pub async fn mark_sent(db: &Db, id: i64, now: i64, body: &str) -> Result<(), sqlx::Error> {
    let sql = "UPDATE outbox SET status = 'sent', sent_at = $2, attempts = attempts + 1, last_error = NULL, body = $3 WHERE id = $1";
    on_db!(db, |pool| sqlx::query(sql).bind(id).bind(now).bind(body).execute(pool).await.map(|_| ()))
}

/// Records a failed attempt: back to `pending` until `retry_at`, or
/// `failed` for good when `retry_at` is `None`, then keeping `final_body`.
pub async fn mark_failed(db: &Db, id: i64, error: &str, retry_at: Option<i64>, final_body: &str) -> Result<(), sqlx::Error> {
    let sql = "UPDATE outbox SET status = $2, attempts = attempts + 1, last_error = $3, \
               next_attempt_at = COALESCE($4, next_attempt_at), \
               body = CASE WHEN $4 IS NULL THEN $5 ELSE body END WHERE id = $1";
    let status = if retry_at.is_some() { "pending" } else { "failed" };
    on_db!(db, |pool| sqlx::query(sql).bind(id).bind(status).bind(error).bind(retry_at).bind(final_body).execute(pool).await.map(|_| ()))
}

/// How many messages wait (`pending`, due or not) and how many gave up (`failed`).
pub async fn pending_and_failed(db: &Db) -> Result<(i64, i64), sqlx::Error> {
    let sql = "SELECT COALESCE(SUM(CASE WHEN status = 'pending' THEN 1 ELSE 0 END), 0), \
               COALESCE(SUM(CASE WHEN status = 'failed' THEN 1 ELSE 0 END), 0) \
               FROM outbox WHERE status IN ('pending', 'failed')";
    on_db!(db, |pool| sqlx::query_as::<_, (i64, i64)>(sql).fetch_one(pool).await)
}
