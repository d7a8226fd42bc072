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
