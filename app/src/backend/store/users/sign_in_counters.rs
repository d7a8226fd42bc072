//! Sign-in counters on `users`: failed sign-ins, the lockout they lead
//! to, and the last successful sign-in.

use crate::backend::db::Db;
use crate::backend::store::audit::{append_in, NewEvent};
use crate::backend::time::now_ms;
use crate::{in_tx, on_db};

/// Counts one failed login of an account that is not locked at `now`;
/// locks it until `lock_until` when the count reaches `threshold`. A lock
/// that has run out starts the count again; a lock in force is left alone
/// (the condition is in the statement, so a check that began before a
/// concurrent lock cannot clear it). Returns the new count, or `None` when
/// the account is locked.
pub async fn record_failed_login(
    db: &Db,
    user_id: i64,
    threshold: i64,
    now: i64,
    lock_until: i64,
) -> Result<Option<i64>, sqlx::Error> {
    let sql = "UPDATE users SET \
               failed_logins = CASE WHEN locked_until IS NULL THEN failed_logins + 1 ELSE 1 END, \
               locked_until = CASE WHEN (CASE WHEN locked_until IS NULL THEN failed_logins + 1 ELSE 1 END) >= $2 \
                              THEN $3 ELSE NULL END \
               WHERE id = $1 AND (locked_until IS NULL OR locked_until <= $4) RETURNING failed_logins";
    on_db!(db, |pool| sqlx::query_scalar::<_, i64>(sql)
        .bind(user_id)
        .bind(threshold)
        .bind(lock_until)
        .bind(now)
        .fetch_optional(pool)
        .await)
}

/// After a correct password: clears the failure count unless a lock is in
/// force at `now`. Returns `false` (changing nothing) when locked, which
/// decides the sign-in from the row itself rather than an earlier read.
pub async fn clear_failures_unless_locked(db: &Db, user_id: i64, now: i64) -> Result<bool, sqlx::Error> {
    let sql = "UPDATE users SET failed_logins = 0, locked_until = NULL \
               WHERE id = $1 AND (locked_until IS NULL OR locked_until <= $2)";
    on_db!(db, |pool| sqlx::query(sql).bind(user_id).bind(now).execute(pool).await.map(|r| r.rows_affected() == 1))
}

/// Records the time of a successful sign-in, with its event.
pub async fn record_successful_login(db: &Db, user_id: i64, event: &NewEvent) -> Result<(), sqlx::Error> {
    let sql = "UPDATE users SET last_login_at = $2 WHERE id = $1";
    let now = now_ms();
    in_tx!(db, |tx| {
        sqlx::query(sql).bind(user_id).bind(now).execute(&mut *tx).await?;
        append_in(&mut *tx, event).await
    })
}

pub async fn unlock(db: &Db, user_id: i64, event: &NewEvent) -> Result<(), sqlx::Error> {
    let sql = "UPDATE users SET failed_logins = 0, locked_until = NULL, version = version + 1 WHERE id = $1";
    in_tx!(db, |tx| {
        sqlx::query(sql).bind(user_id).execute(&mut *tx).await?;
        append_in(&mut *tx, event).await
    })
}

/// Accounts locked at `now`: username, failed sign-ins and the lock's end,
/// the latest lock first.
pub async fn locked_now(db: &Db, now: i64, limit: i64) -> Result<Vec<(String, i64, i64)>, sqlx::Error> {
    let sql = "SELECT username, failed_logins, locked_until FROM users WHERE locked_until > $1 ORDER BY locked_until DESC, id LIMIT $2";
    on_db!(db, |pool| sqlx::query_as::<_, (String, i64, i64)>(sql).bind(now).bind(limit).fetch_all(pool).await)
}

/// Accounts locked at `now` and accounts awaiting an admin's approval,
/// each counted along a partial index (0015_home.sql).
pub async fn count_locked_and_awaiting(db: &Db, now: i64) -> Result<(i64, i64), sqlx::Error> {
    let sql = "SELECT (SELECT COUNT(*) FROM users WHERE locked_until > $1), \
               (SELECT COUNT(*) FROM users WHERE approved = FALSE)";
    on_db!(db, |pool| sqlx::query_as::<_, (i64, i64)>(sql).bind(now).fetch_one(pool).await)
}
