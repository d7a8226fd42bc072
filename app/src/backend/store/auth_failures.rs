//! The `auth_failures` table: per-minute counts under a key (password
//! checks per client address, email-sending requests, …) for rate limits.

use crate::backend::db::Db;
use crate::on_db;

pub async fn delete_before(db: &Db, window_start: i64) -> Result<u64, sqlx::Error> {
    let sql = "DELETE FROM auth_failures WHERE window_start < $1";
    on_db!(db, |pool| sqlx::query(sql).bind(window_start).execute(pool).await.map(|r| r.rows_affected()))
}

/// Adds one to `key`'s count for the window and returns the new count.
pub async fn record_and_count(db: &Db, key: &str, window_start: i64) -> Result<i64, sqlx::Error> {
    let sql = "INSERT INTO auth_failures (ip, window_start, failures) VALUES ($1, $2, 1) \
               ON CONFLICT (ip, window_start) DO UPDATE SET failures = auth_failures.failures + 1 RETURNING failures";
    on_db!(db, |pool| sqlx::query_scalar::<_, i64>(sql).bind(key).bind(window_start).fetch_one(pool).await)
}

/// Takes one back from `key`'s count for the window (a check that passed).
pub async fn refund(db: &Db, key: &str, window_start: i64) -> Result<(), sqlx::Error> {
    let sql = "UPDATE auth_failures SET failures = failures - 1 WHERE ip = $1 AND window_start = $2 AND failures > 0";
    on_db!(db, |pool| sqlx::query(sql).bind(key).bind(window_start).execute(pool).await.map(|_| ()))
}
