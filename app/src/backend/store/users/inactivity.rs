//! Inactive accounts: those unused since a cutoff, and disabling them.

use crate::backend::db::Db;
use crate::backend::store::audit::{append_in, NewEvent};
use crate::backend::store::users::role_grants::sole_enabled_admin;
use crate::backend::time::now_ms;
use crate::{in_write_tx, on_db};

/// Enabled accounts with no sign-in (or, never signed in, no creation)
/// since `cutoff`: id, username and last sign-in, by id.
pub async fn inactive_since(db: &Db, cutoff: i64) -> Result<Vec<(i64, String, Option<i64>)>, sqlx::Error> {
    let sql = "SELECT id, username, last_login_at FROM users WHERE enabled = TRUE AND COALESCE(last_login_at, created_at) < $1 ORDER BY id";
    on_db!(db, |pool| sqlx::query_as::<_, (i64, String, Option<i64>)>(sql).bind(cutoff).fetch_all(pool).await)
}

/// Disables `user_id` if it is still enabled and still unused since
/// `cutoff`, and is not the last enabled admin; ends its sessions and
/// tokens and appends `event`. `false` when it changed nothing.
pub async fn disable_if_inactive(db: &Db, user_id: i64, cutoff: i64, event: &NewEvent) -> Result<bool, sqlx::Error> {
    let now = now_ms();
    in_write_tx!(db, |tx, lock| {
        if sole_enabled_admin(&mut *tx, lock, user_id).await? {
            return Ok(false);
        }
        let changed = sqlx::query(
            "UPDATE users SET enabled = FALSE, generation = generation + 1, version = version + 1, updated_at = $3 \
             WHERE id = $1 AND enabled = TRUE AND COALESCE(last_login_at, created_at) < $2",
        )
        .bind(user_id)
        .bind(cutoff)
        .bind(now)
        .execute(&mut *tx)
        .await?
        .rows_affected()
            == 1;
        if changed {
            sqlx::query("DELETE FROM sessions WHERE user_id = $1").bind(user_id).execute(&mut *tx).await?;
            append_in(&mut *tx, event).await?;
        }
        Ok::<_, sqlx::Error>(changed)
    })
}

