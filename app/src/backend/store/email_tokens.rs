//! The `email_tokens` table: single-use links sent by email, kept as hashes.

use crate::backend::db::Db;
use crate::on_db;

/// What a link is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    Verify,
    Reset,
    EmailChange,
}

impl Purpose {
    pub fn as_str(self) -> &'static str {
        match self {
            Purpose::Verify => "verify",
            Purpose::Reset => "reset",
            Purpose::EmailChange => "email_change",
        }
    }
}

/// A stored link, found by the hash of its token.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct TokenRow {
    pub id: i64,
    pub user_id: i64,
    pub purpose: String,
    pub new_email: Option<String>,
    pub expires_at: i64,
    pub used_at: Option<i64>,
}

pub async fn insert(
    db: &Db,
    token_hash: &str,
    user_id: i64,
    purpose: Purpose,
    new_email: Option<&str>,
    now: i64,
    expires_at: i64,
) -> Result<(), sqlx::Error> {
    let sql = "INSERT INTO email_tokens (token_hash, user_id, purpose, new_email, created_at, expires_at) \
               VALUES ($1, $2, $3, $4, $5, $6)";
    on_db!(db, |pool| sqlx::query(sql)
        .bind(token_hash)
        .bind(user_id)
        .bind(purpose.as_str())
        .bind(new_email)
        .bind(now)
        .bind(expires_at)
        .execute(pool)
        .await
        .map(|_| ()))
}

pub async fn find(db: &Db, token_hash: &str) -> Result<Option<TokenRow>, sqlx::Error> {
    let sql = "SELECT id, user_id, purpose, new_email, expires_at, used_at FROM email_tokens WHERE token_hash = $1";
    on_db!(db, |pool| sqlx::query_as::<_, TokenRow>(sql).bind(token_hash).fetch_optional(pool).await)
}

/// Marks the link used if it is still unused and unexpired; `false` when
/// another request used it first or it ran out meanwhile.
pub async fn consume(db: &Db, id: i64, now: i64) -> Result<bool, sqlx::Error> {
    let sql = "UPDATE email_tokens SET used_at = $2 WHERE id = $1 AND used_at IS NULL AND expires_at > $2";
    on_db!(db, |pool| sqlx::query(sql).bind(id).bind(now).execute(pool).await.map(|r| r.rows_affected() == 1))
}

/// Ends every unused link of `purpose` for the user (a newer one replaces them).
pub async fn retire(db: &Db, user_id: i64, purpose: Purpose, now: i64) -> Result<(), sqlx::Error> {
    let sql = "UPDATE email_tokens SET used_at = $3 WHERE user_id = $1 AND purpose = $2 AND used_at IS NULL";
    on_db!(db, |pool| sqlx::query(sql).bind(user_id).bind(purpose.as_str()).bind(now).execute(pool).await.map(|_| ()))
}

/// The address of the user's newest unused, unexpired email-change link.
pub async fn pending_email(db: &Db, user_id: i64, now: i64) -> Result<Option<String>, sqlx::Error> {
    let sql = "SELECT new_email FROM email_tokens WHERE user_id = $1 AND purpose = 'email_change' \
               AND used_at IS NULL AND expires_at > $2 ORDER BY id DESC LIMIT 1";
    on_db!(db, |pool| sqlx::query_scalar::<_, Option<String>>(sql).bind(user_id).bind(now).fetch_optional(pool).await)
        .map(Option::flatten)
}

/// Moves a link's expiry (tests make links expire without waiting).
pub async fn set_expiry_for_user(db: &Db, user_id: i64, expires_at: i64) -> Result<(), sqlx::Error> {
    let sql = "UPDATE email_tokens SET expires_at = $2 WHERE user_id = $1";
    on_db!(db, |pool| sqlx::query(sql).bind(user_id).bind(expires_at).execute(pool).await.map(|_| ()))
}
