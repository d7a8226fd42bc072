//! The `auth_failures` table: failed password checks per address and minute.

use crate::backend::db::Db;
use crate::on_db;

pub async fn count(db: &Db, ip: &str, window_start: i64) -> Result<i64, sqlx::Error> {
    let sql = "SELECT failures FROM auth_failures WHERE ip = $1 AND window_start = $2";
    let found = on_db!(db, |pool| sqlx::query_scalar::<_, i64>(sql).bind(ip).bind(window_start).fetch_optional(pool).await)?;
    Ok(found.unwrap_or(0))
}

pub async fn record(db: &Db, ip: &str, window_start: i64) -> Result<(), sqlx::Error> {
    let sql = "INSERT INTO auth_failures (ip, window_start, failures) VALUES ($1, $2, 1) \
               ON CONFLICT (ip, window_start) DO UPDATE SET failures = auth_failures.failures + 1";
    on_db!(db, |pool| sqlx::query(sql).bind(ip).bind(window_start).execute(pool).await.map(|_| ()))
}

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
